import LXDAPI
import LXDClient
import LXDCommandLine

/// `lxc start|stop|restart|pause` (LXD's action.go).
struct ActionCommand: LXCCommand {
    enum Action: String {
        case start, stop, restart, pause
    }

    let action: Action

    init(_ action: Action) { self.action = action }

    var spec: CommandSpec {
        let all = Flag("all", usage: "Run against all instances")
        let console = Flag("console", .string, usage: "Immediately attach to the console", noOptionDefault: "console")
        let force = Flag("force", short: "f", usage: "Force the instance to shutdown")
        let timeout = Flag("timeout", .int, usage: "Time to wait for the instance before killing it (default -1)", default: "-1")
        let usage = "[<remote>:]<instance> [[<remote>:]<instance>...]"
        switch action {
        case .start:
            return CommandSpec(
                name: "start", usage: usage, short: "Start instances",
                flags: [all, console, Flag("stateless", usage: "Ignore the instance state")])
        case .stop:
            return CommandSpec(
                name: "stop", usage: usage, short: "Stop instances",
                flags: [all, console, force, Flag("stateful", usage: "Store the instance state"), timeout])
        case .restart:
            return CommandSpec(
                name: "restart", usage: usage, short: "Restart instances",
                long: "Restart instances\n\nThe opposite of \"lxc pause\" is \"lxc start\".", flags: [all, console, force, timeout])
        case .pause:
            return CommandSpec(name: "pause", usage: usage, short: "Pause instances", flags: [all])
        }
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        var names = args.positional
        if names.isEmpty && !args.bool("all") {
            ctx.showUsage()
            return
        }
        if args.bool("all") {
            let wanted = action == .start ? "Stopped" : "Running"
            names = try ctx.server().getInstancesFull().instances.map(\.instance).filter { $0.status == wanted }.map(\.name)
        }
        var state = InstanceStatePut(action: action == .pause ? "freeze" : action.rawValue)
        switch action {
        case .start: state.stateful = false
        case .stop, .restart:
            state.timeout = args.int("timeout", default: -1)
            state.force = args.bool("force")
            state.stateful = args.bool("stateful")
        case .pause: state.timeout = -1
        }
        var failures: [(String, String)] = []
        for argument in names {
            let (server, name) = try ctx.resolve(argument)
            do {
                var request = state
                // As LXD's client: starting a frozen instance resumes it.
                if action == .start, try server.getInstance(name).statusCode == StatusCode.frozen.rawValue { request.action = "unfreeze" }
                let operation = try server.updateInstanceState(name, request)
                try operation.throwIfAlreadyFailed()
                do {
                    try operation.wait()
                } catch let error as LXDError {
                    // As LXD's client: an operation that fails while waited for points at the log,
                    // under the name as typed.
                    throw LXDError(error.status, "\(error.message)\nTry `lxc info --show-log \(argument)` for more info")
                }
            } catch let error as LXDError {
                if names.count == 1 { throw error }
                failures.append((name, error.message))
            }
        }
        if !failures.isEmpty {
            for (name, message) in failures { ctx.stderr.write("error: \(name): \(message)\n") }
            throw UsageError("Some instances failed to \(action.rawValue)")
        }
    }
}

/// `lxc delete` (LXD's delete.go).
struct DeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "delete", aliases: ["rm"], usage: "[<remote>:]<instance>[/<snapshot>] [[<remote>:]<instance>[/<snapshot>]...]",
            short: "Delete instances and snapshots",
            flags: [
                Flag("force", short: "f", usage: "Force the removal of running instances"),
                Flag("interactive", short: "i", usage: "Require user confirmation"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        let force = args.bool("force")
        for argument in args.positional {
            let (remote, name) = try ctx.resolveRemote(argument)
            let server = try ctx.server(remote: remote)
            if SnapshotArguments.split(name) != nil {
                try SnapshotArguments.checkExists(server, name, display: name)
                continue
            }
            do {
                _ = try server.getInstance(name)
            } catch let error as LXDError {
                throw LXDError(error.status, "Failed checking instance exists \"\(remote):\(name)\": \(error.message)")
            }
        }
        for argument in args.positional {
            let (server, name) = try ctx.resolve(argument)
            if SnapshotArguments.split(name) != nil {
                try SnapshotArguments.delete(server, name)
                continue
            }
            let instance = try server.getInstance(name)
            if instance.statusCode != 0 && instance.statusCode != StatusCode.stopped.rawValue {
                guard force else { throw UsageError("The instance is currently running, stop it first or pass --force") }
                try server.updateInstanceState(name, InstanceStatePut(action: "stop", timeout: -1, force: true)).wait()
            }
            try server.deleteInstance(name).wait()
        }
    }
}

/// `lxc rename` (LXD's rename.go): a local `move`.
struct RenameCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "rename", usage: "[<remote>:]<instance>[/<snapshot>] <instance>[/<snapshot>]", short: "Rename instances and snapshots")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        if SnapshotArguments.split(name) != nil {
            return try SnapshotArguments.rename(server, from: name, to: args.positional[1])
        }
        try server.renameInstance(name, to: args.positional[1]).wait()
    }
}

/// `lxc move` (LXD's move.go); only the local rename is supported.
struct MoveCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "move", aliases: ["mv"], usage: "[<remote>:]<instance>[/<snapshot>] [<remote>:][<instance>[/<snapshot>]]",
            short: "Move instances within or in between LXD servers",
            long: "Move instances within or in between LXD servers\n\n" + CopyCommand.transferModes,
            example: """
                lxc move [<remote>:]<source instance> [<remote>:][<destination instance>] [--instance-only]
                    Move an instance between two hosts, renaming it if destination name differs.

                lxc move <old name> <new name> [--instance-only]
                    Rename a local instance.

                lxc move <instance>/<old snapshot name> <instance>/<new snapshot name>
                    Rename a snapshot.
                """,
            flags: [
                Flag("allow-inconsistent", usage: "Ignore copy errors for volatile files"),
                Flag("config", short: "c", .stringArray, usage: "Config key/value to apply to the target instance"),
                Flag("device", short: "d", .stringArray, usage: "New key/value to apply to a specific device"),
                Flag("instance-only", usage: "Move the instance without its snapshots"),
                Flag("mode", .string, usage: "Transfer mode. One of pull, push or relay. (default \"pull\")"),
                Flag("no-profiles", usage: "Unset all profiles on the target instance"),
                Flag("profile", short: "p", .stringArray, usage: "Profile to apply to the target instance"),
                Flag("stateless", usage: "Copy a stateful instance stateless"),
                Flag("storage", short: "s", .string, usage: "Storage pool name"),
                Flag("target", .string, usage: "Cluster member name"),
                Flag("target-project", .string, usage: "Copy to a project different from the source"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        let (sourceRemote, sourceName) = try ctx.resolveRemote(args.positional[0])
        let (targetRemote, targetName) = args.positional.count > 1 ? try ctx.resolveRemote(args.positional[1]) : (sourceRemote, "")
        if sourceRemote == targetRemote && !args.string("storage").isEmpty { return try PoolMove.run(ctx, args) }
        if sourceRemote == targetRemote {
            guard !targetName.isEmpty else { throw UsageError("Invalid number of arguments") }
            let server = try ctx.server(remote: sourceRemote)
            if SnapshotArguments.split(sourceName) != nil {
                return try SnapshotArguments.rename(server, from: sourceName, to: targetName)
            }
            try server.renameInstance(sourceName, to: targetName).wait()
            return
        }
        // Between servers: a copy that keeps the volatile keys, then the source is deleted.
        try RemoteTransfer.run(ctx, args, move: true)
    }
}
