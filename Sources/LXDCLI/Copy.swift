import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine

/// `lxc copy` (LXD's copy.go): within a server (`source.type: copy`) or between servers through
/// the migration API (pull by default, push with `--mode push`).
struct CopyCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "copy", aliases: ["cp"], usage: "[<remote>:]<source>[/<snapshot>] [[<remote>:]<destination>]",
            short: "Copy instances within or in between LXD servers",
            long: "Copy instances within or in between LXD servers\n\n" + Self.transferModes,
            flags: [
                Flag("allow-inconsistent", usage: "Ignore copy errors for volatile files"),
                Flag("config", short: "c", .stringArray, usage: "Config key/value to apply to the new instance"),
                Flag("device", short: "d", .stringArray, usage: "New key/value to apply to a specific device"),
                Flag("ephemeral", short: "e", usage: "Ephemeral instance"),
                Flag("instance-only", usage: "Copy the instance without its snapshots"),
                Flag("mode", .string, usage: "Transfer mode. One of pull, push or relay (default \"pull\")"),
                Flag("no-profiles", usage: "Create the instance with no profiles applied"),
                Flag("profile", short: "p", .stringArray, usage: "Profile to apply to the new instance"),
                Flag("refresh", usage: "Perform an incremental copy"),
                Flag("stateless", usage: "Copy a stateful instance stateless"),
                Flag("storage", short: "s", .string, usage: "Storage pool name"),
                Flag("target", .string, usage: "Cluster member name"),
                Flag("target-project", .string, usage: "Copy to a project different from the source"),
            ])
    }

    /// The transfer modes paragraph of `copy` and `move` help.
    static let transferModes = """
        Transfer modes (--mode):
         - pull: Target server pulls the data from the source server (source must listen on network)
         - push: Source server pushes the data to the target server (target must listen on network)
         - relay: The CLI connects to both source and server and proxies the data (both source and target must listen on network)

        The pull transfer mode is the default as it is compatible with all LXD versions.
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        try Self.transfer(ctx, args, move: false)
    }

    /// Copies (or, for `move`, copies with volatile keys kept and then deletes) an instance.
    static func transfer(_ ctx: CLIContext, _ args: ParsedArguments, move: Bool) throws {
        let (sourceRemote, sourceName) = try ctx.resolveRemote(args.positional[0])
        var (targetRemote, targetName) = args.positional.count > 1 ? try ctx.resolveRemote(args.positional[1]) : (sourceRemote, "")
        if targetName.isEmpty { targetName = String(sourceName.split(separator: "/").first ?? "") }
        guard !sourceName.isEmpty else { throw UsageError("You must specify a source instance name") }
        if args.bool("refresh") { throw UsageError("--refresh is not supported by this client yet") }
        let mode = args.string("mode", default: "pull")
        guard ["pull", "push", "relay"].contains(mode) else { throw UsageError("Invalid mode: \(mode)") }
        let source = try ctx.server(remote: sourceRemote)
        let target = try ctx.server(remote: targetRemote)
        let isSnapshot = sourceName.contains("/")
        let instanceName = String(sourceName.split(separator: "/").first ?? "")
        let entry = try source.getInstance(instanceName)
        var post = InstancesPost()
        post.name = targetName
        post.type = entry.type
        post.put = entry.writable
        post.put.config = entry.config.filter { key, _ in move || !key.hasPrefix("volatile.") || key == "volatile.base_image" }
        for item in args.strings("config") {
            guard let equals = item.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: \(item)") }
            post.put.config[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        if args.isSet("profile") {
            post.put.profiles = args.strings("profile")
        } else if args.bool("no-profiles") {
            post.put.profiles = []
        }
        if args.bool("ephemeral") { post.put.ephemeral = true }
        let instanceOnly = args.bool("instance-only")
        let stateful = !args.bool("stateless")
        let isRunning = entry.statusCode == StatusCode.running.rawValue
        let progress = ProgressRenderer(format: "Transferring instance: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        defer { progress.finish() }

        if source === target {
            post.source.type = "copy"
            post.source.source = sourceName
            post.source.baseImage = entry.config["volatile.base_image"] ?? ""
            post.source.live = isRunning && stateful
            post.source.instanceOnly = instanceOnly
            try target.createInstance(post).wait { progress.update(operation: $0) }
        } else {
            guard !isSnapshot else { throw UsageError("Copying a snapshot to another server is not supported by this client yet") }
            guard mode != "relay" else { throw UsageError("The relay transfer mode is not supported by this client yet") }
            post.source.type = "migration"
            post.source.baseImage = entry.config["volatile.base_image"] ?? ""
            post.source.live = isRunning && stateful
            post.source.instanceOnly = instanceOnly
            if mode == "pull" {
                let sourceOperation = try source.migrateInstance(instanceName, live: isRunning && stateful, instanceOnly: instanceOnly)
                post.source.mode = "pull"
                post.source.operation = try source.networkURL() + "/1.0/operations/" + sourceOperation.id
                post.source.certificate = try RemoteImageSource.pinnedCertificate(
                    try ctx.clientConfig(), remote: sourceRemote, server: source)
                post.source.websockets = try sourceOperation.operation.metadata.decode([String: String].self)
                do {
                    try target.createInstance(post).wait { progress.update(operation: $0) }
                    // The source's operation ends after the sink's (a stateless source restarts
                    // its instance first).
                    try sourceOperation.wait()
                } catch {
                    source.cancelOperation(sourceOperation.id)
                    throw LXDError((error as? LXDError)?.status ?? .internalServerError, "Failed instance creation: \(Self.message(error))")
                }
            } else {
                post.source.mode = "push"
                let targetOperation = try target.createInstance(post)
                guard let secrets = try? targetOperation.operation.metadata.decode([String: String].self) else {
                    // No websockets: the target refused at once (a name clash); its operation says why.
                    do {
                        try targetOperation.wait()
                    } catch {
                        throw LXDError(
                            (error as? LXDError)?.status ?? .internalServerError, "Failed instance creation: \(Self.message(error))")
                    }
                    throw LXDError(.internalServerError, "Failed instance creation: the target offered no migration websockets")
                }
                let push = InstancePostTarget(
                    certificate: try RemoteImageSource.pinnedCertificate(try ctx.clientConfig(), remote: targetRemote, server: target),
                    operation: try target.networkURL() + "/1.0/operations/" + targetOperation.id, websockets: secrets)
                do {
                    let sourceOperation = try source.migrateInstance(
                        instanceName, live: isRunning && stateful, instanceOnly: instanceOnly, target: push)
                    try sourceOperation.wait { progress.update(operation: $0) }
                    try targetOperation.wait()
                } catch {
                    target.cancelOperation(targetOperation.id)
                    throw LXDError((error as? LXDError)?.status ?? .internalServerError, "Failed instance creation: \(Self.message(error))")
                }
            }
        }
        progress.finish()
        if move {
            try source.deleteInstanceForce(instanceName)
        }
        // As LXD's client: a stateless move of a running instance starts it again on the target.
        if move && isRunning && !stateful {
            try target.updateInstanceState(targetName, InstanceStatePut(action: "start", timeout: -1)).wait()
        }
    }

    static func message(_ error: any Error) -> String {
        (error as? LXDError)?.message ?? String(describing: error)
    }
}

extension LXDServer {
    /// Stops (forcefully) if needed, then deletes; as `lxc delete --force`.
    func deleteInstanceForce(_ name: String) throws {
        let instance = try getInstance(name)
        if instance.statusCode != 0 && instance.statusCode != StatusCode.stopped.rawValue {
            try updateInstanceState(name, InstanceStatePut(action: "stop", timeout: -1, force: true)).wait()
        }
        try deleteInstance(name).wait()
    }
}
