import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc storage volume`: custom volumes (the default type) and a read of the others
/// (`container/NAME`, `image/FINGERPRINT`).
struct StorageVolumeCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "volume", short: "Manage storage volumes",
            long: """
                Manage storage volumes

                Unless specified through a prefix, all volume operations affect "custom" (user created) volumes.
                """)
    }

    var subcommands: [any LXCCommand] {
        [
            VolumeAttachCommand(profile: false), VolumeAttachCommand(profile: true), VolumeCopyCommand(),
            VolumeCreateCommand(), VolumeDeleteCommand(), VolumeDetachCommand(profile: false),
            VolumeDetachCommand(profile: true), VolumeEditCommand(),
            UnimplementedCommand("export", "Export custom storage volume"), VolumeConfigCommand(verb: .get),
            UnimplementedCommand("import", "Import custom storage volumes"), VolumeInfoCommand(), VolumeListCommand(), VolumeMoveCommand(),
            VolumeRenameCommand(), VolumeRestoreCommand(), VolumeConfigCommand(verb: .set), VolumeShowCommand(), VolumeSnapshotCommand(),
            VolumeConfigCommand(verb: .unset),
        ]
    }
}

/// `[type/]name[/snapshot]` as the volume commands take it (LXD's `parseVolume`).
struct VolumeReference {
    var type = "custom"
    var name: String
    var snapshot: String?

    init(_ text: String) {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, ["custom", "image", "container", "virtual-machine"].contains(parts[0]) {
            type = parts.removeFirst()
        }
        name = parts.first ?? ""
        snapshot = parts.count > 1 ? parts[1...].joined(separator: "/") : nil
    }

    func path(pool: String) -> String {
        let base = poolPath(pool) + "/volumes/\(type)/\(LXDServer.escape(name))"
        return snapshot.map { base + "/snapshots/" + LXDServer.escape($0) } ?? base
    }
}

/// `<pool> <volume>...`: the server and pool from the first argument.
private func poolArgument(_ ctx: CLIContext, _ args: ParsedArguments) throws -> (LXDServer, String) {
    let (server, pool) = try ctx.resolve(args.positional[0])
    guard !pool.isEmpty else { throw UsageError("Missing pool name") }
    return (server, pool)
}

struct VolumeListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:]<pool> [<filter>...]", short: "List storage volumes",
            long: """
                List storage volumes

                The -c option takes a (optionally comma-separated) list of arguments
                that control which image attributes to output when displaying in table
                or csv format.

                Column shorthand chars:
                    c - Content type (filesystem or block)
                    d - Description
                    e - Project name
                    L - Location of the instance (e.g. its cluster member)
                    n - Name
                    t - Type of volume (custom, image, container or virtual-machine)
                    u - Number of references (used by)
                    U - Current disk usage
                """,
            flags: [
                Flag("all-projects", usage: "All projects"),
                Flag("columns", short: "c", .string, usage: "Columns (default \"etndcuL\")", default: "etndcuL"),
                Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")", default: "table"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        let format = try ctx.parseFormat(args)
        let (server, pool) = try poolArgument(ctx, args)
        let (value, raw) = try server.query("GET", poolPath(pool) + "/volumes?recursion=1")
        var volumes = try value.decode([StorageVolume].self)
        let filters = Array(args.positional.dropFirst())
        volumes = volumes.filter { volume in filters.allSatisfy { volume.name.contains($0) } }
        var header: [String] = []
        var columns: [(StorageVolume) throws -> String] = []
        for character in args.string("columns", default: "etndcuL").replacingOccurrences(of: ",", with: "") {
            switch character {
            case "e":
                // The project column shows with --all-projects only, as in LXD.
                guard args.bool("all-projects") else { continue }
                header.append("PROJECT")
                columns.append { $0.project }
            case "L": continue  // not clustered
            case "t":
                header.append("TYPE")
                columns.append { $0.name.contains("/") ? "\($0.type) (snapshot)" : $0.type }
            case "n":
                header.append("NAME")
                columns.append { $0.name }
            case "d":
                header.append("DESCRIPTION")
                columns.append { $0.description }
            case "c":
                header.append("CONTENT-TYPE")
                columns.append { $0.contentType }
            case "u":
                header.append("USED BY")
                columns.append { String($0.usedBy.count) }
            case "U":
                header.append("USAGE")
                // Snapshots and volumes whose driver cannot tell show nothing, as in LXD's client.
                columns.append { volume in
                    guard !volume.name.contains("/"), volume.type != "image",
                        let state = try? server.get(
                            VolumeReference(volume.type + "/" + volume.name).path(pool: pool) + "/state", as: StorageVolumeState.self)
                    else { return "" }
                    return state.usage.map { Units.byteSizeIEC(Int64(clamping: $0.used)) } ?? ""
                }
            default: throw UsageError("Invalid column shorthand char '\(character)' in '\(args.string("columns"))'")
            }
        }
        // LXD's client lists by volume type, then name.
        volumes.sort { $0.type != $1.type ? $0.type < $1.type : naturalLess($0.name, $1.name) }
        var rows: [[String]] = []
        for volume in volumes { rows.append(try columns.map { try $0(volume) }) }
        ctx.renderList(format, header: header, rows: rows, raw: GoSchema.array(.storageVolume).apply(OrderedJSON.parseOrNull(raw)))
    }
}

struct VolumeShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "show", usage: "[<remote>:]<pool> <volume>[/<snapshot>]", short: "Show storage volume configurations",
            example: """
                lxc storage volume show default data
                    Will show the properties of a custom volume called "data" in the "default" pool.

                lxc storage volume show default container/data
                    Will show the properties of the filesystem for a container called "data" in the "default" pool.
                """, flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        let raw = try server.getRaw(reference.path(pool: pool))
        let schema: GoSchema = reference.snapshot == nil ? .storageVolume : .storageVolumeSnapshot
        ctx.stdout.write(YAML.emit(schema.apply(OrderedJSON.parseOrNull(raw)).yamlNode))
    }
}

struct VolumeCreateCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "create", usage: "[<remote>:]<pool> <volume> [key=value...]", short: "Create new custom storage volumes",
            flags: [
                targetFlag,
                Flag("type", .string, usage: "Content type, block or filesystem (default \"filesystem\")", default: "filesystem"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let name = args.positional[1]
        let config = try parseKeyValues(Array(args.positional.dropFirst(2)), allowPair: false)
        let post = StorageVolumesPost(name: name, config: config, contentType: args.string("type", default: "filesystem"))
        _ = try server.query("POST", poolPath(pool) + "/volumes/custom", body: try LXDServer.encode(post))
        if !ctx.isQuiet { ctx.print("Storage volume \(name) created") }
    }
}

struct VolumeDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "delete", aliases: ["rm"], usage: "[<remote>:]<pool> <volume>[/<snapshot>]", short: "Delete storage volumes",
            flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        if reference.snapshot != nil {
            try server.queryOperation("DELETE", reference.path(pool: pool), body: nil).wait()
        } else {
            _ = try server.query("DELETE", reference.path(pool: pool))
        }
        if !ctx.isQuiet { ctx.print("Storage volume \(args.positional[1]) deleted") }
    }
}

/// `attach` / `attach-profile`: a disk device on a custom volume added to an instance or a profile.
struct VolumeAttachCommand: LXCCommand {
    let profile: Bool

    var spec: CommandSpec {
        profile
            ? CommandSpec(
                name: "attach-profile", usage: "[<remote:>]<pool> <volume> <profile> [<device name>] [<path>]",
                short: "Attach new storage volumes to profiles")
            : CommandSpec(
                name: "attach", usage: "[<remote>:]<pool> <volume> <instance> [<device name>] [<path>]",
                short: "Attach new storage volumes to instances")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 3, max: 5) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        var device = args.positional[1]
        var path = ""
        switch args.positional.count {
        case 4: path = args.positional[3]
        case 5:
            device = args.positional[3]
            path = args.positional[4]
        default: break
        }
        guard reference.type == "custom" else { throw UsageError("Only \"custom\" volumes can be attached to instances") }
        // The volume must exist; a block volume has no path.
        let volume = try server.get(reference.path(pool: pool), as: StorageVolume.self)
        var settings = ["type": "disk", "pool": pool, "source": volume.name]
        if volume.contentType != "block" { settings["path"] = path }
        try LocalDevices.change(server, profile: profile, target: args.positional[2]) { devices in
            guard devices[device] == nil else { throw UsageError("Device already exists: \(device)") }
            devices[device] = settings
        }
    }
}

/// `detach` / `detach-profile`: removes the disk device on the volume (named, or the only one).
struct VolumeDetachCommand: LXCCommand {
    let profile: Bool

    var spec: CommandSpec {
        profile
            ? CommandSpec(
                name: "detach-profile", usage: "[<remote:>]<pool> <volume> <profile> [<device name>]",
                short: "Detach storage volumes from profiles")
            : CommandSpec(
                name: "detach", usage: "[<remote>:]<pool> <volume> <instance> [<device name>]",
                short: "Detach storage volumes from instances")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 3, max: 4) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let volume = args.positional[1]
        var device = args.positional.count == 4 ? args.positional[3] : ""
        try LocalDevices.change(server, profile: profile, target: args.positional[2]) { devices in
            if device.isEmpty {
                let matches = devices.filter { $0.value["type"] == "disk" && $0.value["pool"] == pool && $0.value["source"] == volume }
                guard matches.count <= 1 else { throw UsageError("More than one device matches, specify the device name") }
                device = matches.keys.first ?? ""
            }
            guard !device.isEmpty else { throw UsageError("No device found for this storage volume") }
            guard devices[device] != nil else { throw UsageError("The specified device doesn't exist") }
            devices[device] = nil
        }
    }
}

struct VolumeSnapshotCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "snapshot", usage: "[<remote>:]<pool> <volume> [<snapshot>]", short: "Snapshot storage volumes",
            flags: [
                Flag("no-expiry", usage: "Ignore any configured auto-expiry for the storage volume"),
                Flag("reuse", usage: "If the snapshot name already exists, delete and create a new one"), targetFlag,
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 3) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        let snapshot = args.positional.count == 3 ? args.positional[2] : ""
        if args.bool("reuse"), !snapshot.isEmpty {
            var existing = reference
            existing.snapshot = snapshot
            if (try? server.query("GET", existing.path(pool: pool))) != nil {
                try server.queryOperation("DELETE", existing.path(pool: pool), body: nil).wait()
            }
        }
        let post = StorageVolumeSnapshotsPost(name: snapshot)
        try server.queryOperation("POST", reference.path(pool: pool) + "/snapshots", body: try LXDServer.encode(post)).wait()
    }
}

/// `pool/volume[/snapshot]` of copy and move.
private func poolVolume(_ ctx: CLIContext, _ argument: String) throws -> (LXDServer, String, String) {
    let (server, rest) = try ctx.resolve(argument)
    guard let slash = rest.firstIndex(of: "/") else { throw UsageError("No storage pool for source volume specified") }
    return (server, String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
}

struct VolumeCopyCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "copy", aliases: ["cp"], usage: "[<remote>:]<pool>/<volume>[/<snapshot>] [<remote>:]<pool>/<volume>",
            short: "Copy storage volumes",
            flags: [
                Flag("destination-target", .string, usage: "Destination cluster member name"),
                Flag("mode", .string, usage: "Transfer mode. One of pull (default), push or relay. (default \"pull\")", default: "pull"),
                Flag("refresh", usage: "Refresh and update the existing storage volume copies"), targetFlag,
                Flag("target-project", .string, usage: "Copy to a project different from the source"),
                Flag("volume-only", usage: "Copy the volume without its snapshots"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, sourcePool, source) = try poolVolume(ctx, args.positional[0])
        let (_, targetPool, target) = try poolVolume(ctx, args.positional[1])
        var post = StorageVolumesPost(name: target)
        post.source = StorageVolumeSource(name: source, type: "copy", pool: sourcePool, volumeOnly: args.bool("volume-only"))
        let progress = ProgressRenderer(format: "Copying the storage volume: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        try server.queryOperation("POST", poolPath(targetPool) + "/volumes/custom", body: try LXDServer.encode(post)).wait()
        progress.finish("Storage volume copied successfully!")
    }
}

struct VolumeMoveCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "move", aliases: ["mv"], usage: "[<remote>:]<pool>/<volume> [<remote>:]<pool>/<volume>",
            short: "Move storage volumes between pools",
            flags: [
                Flag("destination-target", .string, usage: "Destination cluster member name"),
                Flag("mode", .string, usage: "Transfer mode, one of pull (default), push or relay (default \"pull\")", default: "pull"),
                targetFlag, Flag("target-project", .string, usage: "Move to a project different from the source"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, sourcePool, source) = try poolVolume(ctx, args.positional[0])
        let (_, targetPool, target) = try poolVolume(ctx, args.positional[1])
        let path = VolumeReference(source).path(pool: sourcePool)
        let body = try LXDServer.encode(StorageVolumePost(name: target, pool: targetPool))
        let progress = ProgressRenderer(format: "Moving the storage volume: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        if targetPool == sourcePool {
            _ = try server.query("POST", path, body: body)
        } else {
            try server.queryOperation("POST", path, body: body).wait()
        }
        progress.finish("Storage volume moved successfully!")
    }
}

struct VolumeRenameCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "rename", usage: "[<remote>:]<pool> <old name>[/<old snapshot name>] <new name>[/<new snapshot name>]",
            short: "Rename storage volumes and storage volume snapshots", long: "Rename storage volumes", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 3, max: 3) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let old = VolumeReference(args.positional[1])
        let new = VolumeReference(args.positional[2])
        if let snapshot = new.snapshot ?? (old.snapshot != nil ? new.name : nil), old.snapshot != nil {
            let body = try LXDServer.encode(["name": snapshot])
            try server.queryOperation("POST", old.path(pool: pool), body: body).wait()
            if !ctx.isQuiet { ctx.print("Renamed storage volume from \"\(args.positional[1])\" to \"\(snapshot)\"") }
            return
        }
        _ = try server.query("POST", old.path(pool: pool), body: try LXDServer.encode(StorageVolumePost(name: new.name)))
        if !ctx.isQuiet { ctx.print("Renamed storage volume from \"\(old.name)\" to \"\(new.name)\"") }
    }
}

struct VolumeRestoreCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "restore", usage: "[<remote>:]<pool> <volume> <snapshot>", short: "Restore storage volume snapshots", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 3, max: 3) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        let volume = try server.get(reference.path(pool: pool), as: StorageVolume.self)
        var put = volume.writable
        put.restore = args.positional[2]
        _ = try server.query("PUT", reference.path(pool: pool), body: try LXDServer.encode(put))
    }
}

struct VolumeEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "edit", usage: "[<remote>:]<pool> <volume>[/<snapshot>]", short: "Edit storage volume configurations as YAML",
            example:
                "lxc storage volume edit [<remote>:]<pool> <volume> < volume.yaml\n    Update a storage volume using the content of pool.yaml.",
            flags: [targetFlag])
    }

    /// The commented header LXD's client puts above a volume or a volume snapshot in the editor.
    static let header = """
        ### This is a YAML representation of a storage volume.
        ### Any line starting with a '# will be ignored.
        ###
        ### A storage volume consists of a set of configuration items.
        ###
        ### name: vol1
        ### type: custom
        ### used_by: []
        ### config:
        ###   size: "61203283968"
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        let path = reference.path(pool: pool)
        let isSnapshot = reference.snapshot != nil
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let (raw, etag) = try server.getRawWithETag(path)
            let schema: GoSchema = isSnapshot ? .storageVolumeSnapshot : .storageVolume
            return (YAML.emit(schema.apply(OrderedJSON.parseOrNull(raw)).yamlNode), etag)
        } apply: { text, etag in
            let body =
                isSnapshot
                ? try LXDServer.encode(try YAMLUnmarshaler.storageVolumeSnapshotPut(text))
                : try LXDServer.encode(try YAMLUnmarshaler.storageVolumePut(text))
            _ = try server.query("PUT", path, body: body, etag: etag)
        }
    }
}

/// `get`, `set` and `unset` of volume config keys.
struct VolumeConfigCommand: LXCCommand {
    enum Verb { case get, set, unset }
    let verb: Verb

    var spec: CommandSpec {
        switch verb {
        case .get:
            return CommandSpec(
                name: "get", usage: "[<remote>:]<pool> <volume>[/<snapshot>] <key>",
                short: "Get values for storage volume configuration keys",
                flags: [targetFlag])
        case .set:
            return CommandSpec(
                name: "set", usage: "[<remote>:]<pool> <volume> <key>=<value>...", short: "Set storage volume configuration keys",
                long: """
                    Set storage volume configuration keys

                    For backward compatibility, a single configuration key may still be set with:
                        lxc storage volume set [<remote>:]<pool> <volume> <key> <value>
                    """, flags: [targetFlag])
        case .unset:
            return CommandSpec(
                name: "unset", usage: "[<remote>:]<pool> <volume> <key>", short: "Unset storage volume configuration keys",
                flags: [targetFlag])
        }
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        switch verb {
        case .get, .unset: guard try ctx.checkArgs(args, min: 3, max: 3) else { return }
        case .set: guard try ctx.checkArgs(args, min: 3, max: -1) else { return }
        }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        var volume = try server.get(reference.path(pool: pool), as: StorageVolume.self)
        switch verb {
        case .get:
            if let value = volume.config[args.positional[2]] { ctx.print(value) }
            return
        case .set:
            for (key, value) in try parseKeyValues(Array(args.positional.dropFirst(2)), allowPair: true) { volume.config[key] = value }
        case .unset:
            volume.config[args.positional[2]] = nil
        }
        _ = try server.query("PUT", reference.path(pool: pool), body: try LXDServer.encode(volume.writable))
    }
}

struct VolumeInfoCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "info", usage: "[<remote>:]<pool> <volume>", short: "Show storage volume state information", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, pool) = try poolArgument(ctx, args)
        let reference = VolumeReference(args.positional[1])
        let path = reference.path(pool: pool)
        let volume = try server.get(path, as: StorageVolume.self)
        let state = try server.get(path + "/state", as: StorageVolumeState.self)
        var text = "Name: \(volume.name)\nType: \(volume.type)\n"
        if !volume.description.isEmpty { text += "Description: \(volume.description)\n" }
        text += "Content type: \(volume.contentType)\n"
        if let usage = state.usage {
            text += "Usage: \(Units.byteSizeIEC(Int64(clamping: usage.used)))\n"
            if usage.total > 0 { text += "Total: \(Units.byteSizeIEC(usage.total))\n" }
        }
        let snapshots = try server.get(path + "/snapshots?recursion=1", as: [StorageVolumeSnapshot].self)
        if !snapshots.isEmpty {
            let rows = snapshots.map { snapshot -> [String] in
                let name = snapshot.name.split(separator: "/").last.map(String.init) ?? snapshot.name
                let expires = snapshot.expiresAt.flatMap { $0 == .goZero ? nil : LocalTime.imageDate($0) } ?? ""
                return [name, snapshot.description, expires]
            }
            text += "\nSnapshots:\n" + TableRenderer.render(.table, header: ["NAME", "DESCRIPTION", "EXPIRES AT"], rows: rows)
        }
        ctx.stdout.write(text)
    }
}
