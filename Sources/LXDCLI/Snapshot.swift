import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore

/// `lxc snapshot` (LXD's snapshot.go).
struct SnapshotCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "snapshot", usage: "[<remote>:]<instance> [<snapshot name>]", short: "Create instance snapshots",
            long: """
                Create instance snapshots

                When --stateful is used, LXD attempts to checkpoint the instance's
                running state, including process memory state, TCP connections, ...
                """,
            example: "lxc snapshot u1 snap0\n    Create a snapshot of \"u1\" called \"snap0\".",
            flags: [
                Flag("no-expiry", usage: "Ignore any configured auto-expiry for the instance"),
                Flag("reuse", usage: "If the snapshot name already exists, delete and create a new one"),
                Flag("stateful", usage: "Whether or not to snapshot the instance's running state"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        var (server, name) = try ctx.resolve(args.positional[0])
        var snapshot = args.positional.count > 1 ? args.positional[1] : ""
        if let slash = name.firstIndex(of: "/") {
            guard snapshot.isEmpty else { throw UsageError("Invalid instance name: \(name)") }
            snapshot = String(name[name.index(after: slash)...])
            name = String(name[..<slash])
        }
        if args.bool("reuse"), !snapshot.isEmpty, (try? server.getInstanceSnapshot(name, snapshot)) != nil {
            try server.deleteInstanceSnapshot(name, snapshot).wait()
        }
        let expiresAt: Timestamp? = args.bool("no-expiry") ? .goZero : nil
        try server.createInstanceSnapshot(name, name: snapshot, stateful: args.bool("stateful"), expiresAt: expiresAt).wait()
    }
}

/// `lxc restore` (LXD's restore.go).
struct RestoreCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "restore", usage: "[<remote>:]<instance> <snapshot>", short: "Restore instances from snapshots",
            long: "Restore instances from snapshots\n\nIf --stateful is passed, then the running state will be restored too.",
            example: "lxc snapshot u1 snap0\n    Create the snapshot.\n\nlxc restore u1 snap0\n    Restore the snapshot.",
            flags: [Flag("stateful", usage: "Whether or not to restore the instance's running state from snapshot (if available)")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        var snapshot = args.positional[1]
        if !snapshot.contains("/") { snapshot = "\(name)/\(snapshot)" }
        try server.restoreInstanceSnapshot(name, snapshot, stateful: args.bool("stateful")).wait()
    }
}

/// The snapshot cases of `lxc delete`, `lxc rename` and `lxc move` (`NAME/SNAP` arguments).
enum SnapshotArguments {
    /// `"c1/snap0"` → ("c1", "snap0"); nil for an instance name.
    static func split(_ name: String) -> (instance: String, snapshot: String)? {
        guard let slash = name.firstIndex(of: "/") else { return nil }
        return (String(name[..<slash]), String(name[name.index(after: slash)...]))
    }

    /// `lxc delete NAME/SNAP`: checked first (LXD's wording), deleted after.
    static func checkExists(_ server: LXDServer, _ argument: String, display: String) throws {
        guard let (instance, snapshot) = split(argument) else { return }
        do {
            _ = try server.getInstanceSnapshot(instance, snapshot)
        } catch let error as LXDError {
            throw LXDError(error.status, "Failed checking instance snapshot exists \"local:\(display)\": \(error.message)")
        }
    }

    static func delete(_ server: LXDServer, _ argument: String) throws {
        guard let (instance, snapshot) = split(argument) else { return }
        try server.deleteInstanceSnapshot(instance, snapshot).wait()
    }

    /// `lxc rename|move c1/snap0 c1/snap1`: the new name must be a snapshot of the same instance.
    static func rename(_ server: LXDServer, from source: String, to destination: String) throws {
        guard let (instance, snapshot) = split(source) else { return }
        guard let (newInstance, newName) = split(destination), newInstance == instance else {
            throw UsageError("Invalid new snapshot name, parent must be the same as source")
        }
        try server.renameInstanceSnapshot(instance, snapshot, to: newName).wait()
    }
}
