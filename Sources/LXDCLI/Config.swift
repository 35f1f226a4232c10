import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc config`: instance and server configuration (LXD's lxc/config.go). `config trust` belongs
/// to the remotes work; `metadata` and `template` to the files work.
struct ConfigCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "config", short: "Manage instance and server configuration options") }

    var subcommands: [any LXCCommand] {
        [
            DeviceCommand(target: .instance), ConfigEditCommand(), ConfigGetCommand(),
            ConfigMetadataCommand(), ConfigSetCommand(isUnset: false), ConfigShowCommand(),
            ConfigTemplateCommand(), ConfigTrustCommand(),
            ConfigSetCommand(isUnset: true),
        ]
    }

    static let targetFlag = Flag("target", .string, usage: "Cluster member name")

    /// `--target` works only against a cluster, and never with an instance.
    static func checkTarget(_ args: ParsedArguments, instance: Bool) throws {
        guard !args.string("target").isEmpty else { return }
        if instance { throw UsageError("--target cannot be used with instances") }
        throw UsageError("To use --target, the destination remote must be a cluster")
    }
}

extension OrderedJSON {
    /// An object with the value of `key` replaced (appended if missing).
    func setting(_ key: String, to value: OrderedJSON) -> OrderedJSON {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append((key: key, value: value))
        }
        return .object(pairs)
    }

    /// An object without `keys`.
    func removing(_ keys: Set<String>) -> OrderedJSON {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { !keys.contains($0.key) })
    }

    /// The value of `key` in an object.
    subscript(key: String) -> OrderedJSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.last { $0.key == key }?.value
    }
}

/// An instance name, or `instance/snapshot`.
struct InstanceReference {
    let instance: String
    let snapshot: String?

    init(_ name: String) {
        if let slash = name.firstIndex(of: "/") {
            instance = String(name[..<slash])
            snapshot = String(name[name.index(after: slash)...])
        } else {
            instance = name
            snapshot = nil
        }
    }
}

struct ConfigShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "show", usage: "[<remote>:][<instance>[/<snapshot>]]", short: "Show instance or server configurations",
            flags: [Flag("expanded", short: "e", usage: "Show the expanded configuration"), ConfigCommand.targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional.first ?? "")
        let expanded = args.bool("expanded")
        let shown: OrderedJSON
        if name.isEmpty {
            if expanded { throw UsageError("--expanded cannot be used with a server") }
            try ConfigCommand.checkTarget(args, instance: false)
            let (_, _, raw) = try server.getServerWithETag()
            shown = OrderedJSON.parseOrNull(raw).picking(["config"])
        } else {
            try ConfigCommand.checkTarget(args, instance: true)
            let reference = InstanceReference(name)
            if let snapshot = reference.snapshot {
                let (raw, _) = try server.getInstanceSnapshotRaw(reference.instance, snapshot)
                shown = Self.withExpanded(GoSchema.instanceSnapshot.apply(OrderedJSON.parseOrNull(raw)), expanded)
            } else {
                let (_, _, raw) = try server.getInstanceWithETag(name)
                let full = OrderedJSON.parseOrNull(raw)
                shown = Self.withExpanded(full, expanded).picking(GoSchema.instancePutFields)
            }
        }
        ctx.stdout.write(YAML.emit(shown.yamlNode))
    }

    /// With `--expanded`, `config` and `devices` show the expanded values.
    static func withExpanded(_ object: OrderedJSON, _ expanded: Bool) -> OrderedJSON {
        guard expanded else { return object }
        return object.setting("config", to: object["expanded_config"] ?? .null).setting(
            "devices", to: object["expanded_devices"] ?? .null)
    }
}

extension GoSchema {
    /// `api.InstancePut`'s fields in order (what `lxc config show` prints).
    static let instancePutFields = ["architecture", "config", "devices", "ephemeral", "profiles", "stateful", "description"]
}

struct ConfigGetCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "get", usage: "[<remote>:][<instance>] <key>", short: "Get values for instance or server configuration keys",
            flags: [Flag("expanded", short: "e", usage: "Access the expanded configuration"), ConfigCommand.targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional.count > 1 ? args.positional[0] : "")
        let key = args.positional[args.positional.count - 1]
        if name.isEmpty {
            if args.bool("expanded") { throw UsageError("--expanded cannot be used with a server") }
            try ConfigCommand.checkTarget(args, instance: false)
            let (serverInfo, _, _) = try server.getServerWithETag()
            ctx.print(serverInfo.config[key] ?? "")
        } else {
            try ConfigCommand.checkTarget(args, instance: true)
            let (instance, _, _) = try server.getInstanceWithETag(name)
            ctx.print((args.bool("expanded") ? instance.expandedConfig : instance.config)[key] ?? "")
        }
    }
}

/// `lxc config set` and `unset`, for an instance or (without one) the server. As LXD: the
/// arguments name the server when they are all `key=value`, when the first is a dotted key, or
/// when there are two without `=` (`<key> <value>`).
struct ConfigSetCommand: LXCCommand {
    let isUnset: Bool

    var spec: CommandSpec {
        if isUnset {
            return CommandSpec(
                name: "unset", usage: "[<remote>:][<instance>] <key>", short: "Unset instance or server configuration keys",
                flags: [ConfigCommand.targetFlag])
        }
        return CommandSpec(
            name: "set", usage: "[<remote>:][<instance>] <key>=<value>...", short: "Set instance or server configuration keys",
            long: """
                Set instance or server configuration keys

                For backward compatibility, a single configuration key may still be set with:
                    lxc config set [<remote>:][<instance>] <key> <value>
                """,
            example: """
                lxc config set [<remote>:]<instance> limits.cpu=2
                    Will set a CPU limit of "2" for the instance.

                lxc config set core.https_address=[::]:8443
                    Will have LXD listen on IPv4 and IPv6 port 8443.

                lxc config set core.trust_password=blah
                    Will set the server's trust password to blah.
                """,
            flags: [ConfigCommand.targetFlag])
    }

    /// Whether `arguments` address the server rather than an instance.
    static func addressesServer(_ arguments: [String]) -> Bool {
        let allKeyValues = arguments.allSatisfy { $0.contains("=") }
        let firstIsKey = (arguments.first?.split(separator: ":", maxSplits: 1).last ?? "").contains(".")
        let anyKeyValue = arguments.contains { $0.contains("=") }
        return allKeyValues || firstIsKey || (arguments.count == 2 && !anyKeyValue)
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard let arguments = try ctx.setArguments(args, isUnset: isUnset, min: 1, unsetMax: 2) else { return }
        let isServer = Self.addressesServer(arguments)
        let (server, name) = try ctx.resolve(isServer ? "" : arguments[0])
        if !name.isEmpty {
            try ConfigCommand.checkTarget(args, instance: true)
            let keys = try KeyValueArguments.parse(Array(arguments.dropFirst()))
            let (instance, etag, _) = try server.getInstanceWithETag(name)
            var put = instance.writable
            for (key, value) in keys {
                if isUnset {
                    guard put.config[key] != nil else { throw UsageError("Can't unset key '\(key)', it's not currently set") }
                    put.config[key] = nil
                } else {
                    put.config[key] = value
                }
            }
            _ = try server.updateInstance(name, put, etag: etag).wait()
            return
        }
        try ConfigCommand.checkTarget(args, instance: false)
        let (current, etag, _) = try server.getServerWithETag()
        let keys = try KeyValueArguments.parse(isServer ? arguments : Array(arguments.dropFirst()))
        var config = current.config
        for (key, value) in keys { config[key] = value }
        try server.updateServer(config: config, etag: etag)
    }
}

struct ConfigEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "edit", usage: "[<remote>:][<instance>[/<snapshot>]]", short: "Edit instance or server configurations as YAML",
            example: "lxc config edit <instance> < instance.yaml\n    Update the instance configuration from config.yaml.",
            flags: [ConfigCommand.targetFlag])
    }

    /// The commented header LXD's client puts above an instance in the editor.
    static let header = """
        ### This is a YAML representation of the configuration.
        ### Any line starting with a '# will be ignored.
        ###
        ### A sample configuration looks like:
        ### name: instance1
        ### profiles:
        ### - default
        ### config:
        ###   volatile.eth0.hwaddr: 00:16:3e:e9:f8:7f
        ### devices:
        ###   homedir:
        ###     path: /extra
        ###     source: /home/user
        ###     type: disk
        ### ephemeral: false
        ###
        ### Note that the name is shown but cannot be changed
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional.first ?? "")
        let editor = YAMLEditor(ctx: ctx)
        guard !name.isEmpty else {
            try ConfigCommand.checkTarget(args, instance: false)
            try editor.run(header: nil) {
                let (_, etag, raw) = try server.getServerWithETag()
                return (YAML.emit(OrderedJSON.parseOrNull(raw).picking(["config"]).yamlNode), etag)
            } apply: { text, etag in
                try server.updateServer(config: try YAMLUnmarshaler.serverConfig(text), etag: etag)
            }
            return
        }
        try ConfigCommand.checkTarget(args, instance: true)
        let reference = InstanceReference(name)
        if let snapshot = reference.snapshot {
            try editor.run(header: Self.header) {
                let (raw, etag) = try server.getInstanceSnapshotRaw(reference.instance, snapshot)
                let shown = GoSchema.instanceSnapshot.apply(OrderedJSON.parseOrNull(raw)).removing(["expanded_config", "expanded_devices"])
                return (YAML.emit(shown.yamlNode), etag)
            } apply: { text, etag in
                let expiry = try YAMLUnmarshaler.snapshotExpiry(text)
                _ = try server.updateInstanceSnapshot(reference.instance, snapshot, expiresAt: expiry, etag: etag).wait()
            }
            return
        }
        try editor.run(header: Self.header) {
            let (_, etag, raw) = try server.getInstanceWithETag(name)
            let shown = GoSchema.instance.apply(OrderedJSON.parseOrNull(raw)).removing(["expanded_config", "expanded_devices"])
            return (YAML.emit(shown.yamlNode), etag)
        } apply: { text, etag in
            _ = try server.updateInstance(name, try YAMLUnmarshaler.instancePut(text), etag: etag).wait()
        }
    }
}
