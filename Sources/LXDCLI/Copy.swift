import LXDAPI
import LXDClient
import LXDCommandLine

/// `lxc copy` (LXD's copy.go) on one server: an instance (with its snapshots unless
/// `--instance-only`) or a snapshot becomes a new instance.
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
                Flag("mode", .string, usage: "Transfer mode. One of pull, push or relay (default \"pull\")", default: "pull"),
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
        let sourceRemote = try ctx.resolveRemote(args.positional[0]).remote
        let targetRemote = args.positional.count > 1 ? try ctx.resolveRemote(args.positional[1]).remote : sourceRemote
        if sourceRemote != targetRemote { return try RemoteTransfer.run(ctx, args, move: false) }
        if !args.string("target").isEmpty { throw UsageError("To use --target, the destination remote must be a cluster") }
        let (server, source) = try ctx.resolve(args.positional[0])
        var destination = args.positional.count > 1 ? try ctx.resolve(args.positional[1]).name : ""
        if destination.isEmpty { destination = SnapshotArguments.split(source)?.instance ?? source }
        var options = InstanceCopyOptions(
            source: source, destination: destination, ephemeral: args.bool("ephemeral"), instanceOnly: args.bool("instance-only"),
            refresh: args.bool("refresh"), stateless: args.bool("stateless"), allowInconsistent: args.bool("allow-inconsistent"))
        options.pool = args.string("storage")
        options.config = try InstanceOverrides.config(args.strings("config"))
        options.devices = try InstanceOverrides.deviceOverrides(args.strings("device"))
        if args.isSet("profile") {
            options.profiles = args.strings("profile")
        } else if args.bool("no-profiles") {
            options.profiles = []
        }
        try options.copy(on: server).wait()
    }
}

/// What `lxc copy` and `lxc move --storage` send: the source's config (without its `volatile.*`
/// keys but `volatile.base_image`), profiles and local devices, with the command's overrides.
struct InstanceCopyOptions {
    var source: String
    var destination: String
    var ephemeral: Bool
    var instanceOnly: Bool
    var refresh = false
    var stateless = false
    var allowInconsistent = false
    var pool = ""
    var config: [String: String] = [:]
    var devices: [String: [String: String]] = [:]
    var profiles: [String]?
    /// `move` keeps the source's volatile keys and ephemeral flag.
    var keepVolatile = false
    var keepEphemeral = false

    init(
        source: String, destination: String, ephemeral: Bool, instanceOnly: Bool, refresh: Bool = false, stateless: Bool = false,
        allowInconsistent: Bool = false
    ) {
        self.source = source
        self.destination = destination
        self.ephemeral = ephemeral
        self.instanceOnly = instanceOnly
        self.refresh = refresh
        self.stateless = stateless
        self.allowInconsistent = allowInconsistent
    }

    func copy(on server: LXDServer) throws -> RemoteOperation {
        try server.createInstance(try post(from: server))
    }

    /// The create request for the copy, from what `server` says of the source.
    func post(from server: LXDServer) throws -> InstancesPost {
        var post = InstancesPost()
        post.name = destination
        post.source.type = "copy"
        post.source.source = source
        post.source.allowInconsistent = allowInconsistent
        var expandedDevices: Devices
        if let (instance, snapshot) = SnapshotArguments.split(source) {
            let found = try server.getInstanceSnapshot(instance, snapshot).snapshot
            post.put.architecture = found.architecture
            post.put.config = found.config
            post.put.devices = found.devices
            post.put.profiles = found.profiles
            post.put.ephemeral = keepEphemeral ? found.ephemeral : ephemeral
            expandedDevices = found.expandedDevices
        } else {
            let found = try server.getInstance(source)
            post.put.architecture = found.architecture
            post.put.config = found.config
            post.put.devices = found.devices
            post.put.profiles = found.profiles
            post.put.ephemeral = keepEphemeral ? found.ephemeral : ephemeral
            post.put.description = found.description
            post.type = found.type
            post.source.live = !stateless && found.statusCode == StatusCode.running.rawValue
            post.source.instanceOnly = instanceOnly
            post.source.refresh = refresh
            expandedDevices = found.expandedDevices
        }
        post.source.baseImage = post.put.config["volatile.base_image"] ?? ""
        if !keepVolatile && !refresh {
            for key in post.put.config.keys where key.hasPrefix("volatile.") && key != "volatile.base_image" {
                post.put.config[key] = nil
            }
        }
        post.put.config.merge(config) { _, new in new }
        if let profiles { post.put.profiles = profiles }
        for (device, overrides) in devices {
            post.put.devices[device, default: [:]].merge(overrides) { _, new in new }
        }
        if !pool.isEmpty {
            // The root disk as the source has it (perhaps from a profile), on the new pool.
            let root = expandedDevices.first { $0.value["type"] == "disk" && $0.value["path"] == "/" }
            var device = root?.value ?? ["type": "disk", "path": "/"]
            device["pool"] = pool
            post.put.devices[root?.key ?? "root"] = device
        }
        return post
    }
}

/// `-c key=value` and `-d device,key=value` as LXD's client parses them.
enum InstanceOverrides {
    static func config(_ entries: [String]) throws -> [String: String] {
        var config: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: \(entry)") }
            config[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return config
    }

    static func deviceOverrides(_ entries: [String]) throws -> [String: [String: String]] {
        var devices: [String: [String: String]] = [:]
        for entry in entries {
            guard let comma = entry.firstIndex(of: ","), let equals = entry[comma...].firstIndex(of: "=") else {
                throw UsageError("Bad device override syntax, expecting <device>,<key>=<value>: \(entry)")
            }
            let device = String(entry[..<comma])
            devices[device, default: [:]][String(entry[entry.index(after: comma)..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return devices
    }
}

/// `lxc move NAME [NEW] --storage POOL` on one server: LXD's client asks the server to migrate
/// the instance to the pool (`instance_pool_move`), live when it runs.
enum PoolMove {
    static func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        let (server, name) = try ctx.resolve(args.positional[0])
        var newName = args.positional.count > 1 ? try ctx.resolve(args.positional[1]).name : ""
        if newName.isEmpty { newName = name }
        let instance = try server.getInstance(name)
        let live = !args.bool("stateless") && instance.statusCode == StatusCode.running.rawValue
        let operation = try server.moveInstance(
            name, to: newName, pool: args.string("storage"), instanceOnly: args.bool("instance-only"), live: live)
        do {
            try operation.wait()
        } catch let error as LXDError {
            // As LXD's client, which waits on the migration operation.
            throw LXDError(error.status, "Migration operation failure: \(error.message)")
        }
    }
}
