import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc storage`: pools (this file) and volumes (`StorageVolume.swift`).
struct StorageCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "storage", short: "Manage storage pools and volumes") }

    var subcommands: [any LXCCommand] {
        [
            StorageCreateCommand(), StorageDeleteCommand(), StorageEditCommand(), StorageConfigCommand(verb: .get), StorageInfoCommand(),
            StorageListCommand(), StorageConfigCommand(verb: .set), StorageShowCommand(), StorageConfigCommand(verb: .unset),
            StorageVolumeCommand(),
        ]
    }
}

extension GoSchema {
    static let storagePool: GoSchema = .object(
        ["config", "description", "name", "driver", "used_by", "status", "locations"].map { ($0, GoSchema.any) })
    static let storageVolume: GoSchema = .object(
        ["config", "description", "name", "type", "used_by", "location", "content_type", "project", "created_at"].map { ($0, GoSchema.any) }
    )
    static let storageVolumeSnapshot: GoSchema = .object(
        ["description", "expires_at", "name", "config", "content_type", "created_at"].map { ($0, GoSchema.any) })
}

/// The pool as the server sent it, and its URL-safe path.
func poolPath(_ name: String) -> String { "/1.0/storage-pools/\(LXDServer.escape(name))" }

func fetchPool(_ server: LXDServer, _ name: String) throws -> (pool: StoragePool, raw: Data) {
    let (value, raw) = try server.query("GET", poolPath(name))
    return (try value.decode(StoragePool.self), raw)
}

/// `key=value...`, or (LXD's backward-compatible form) a single `key value`.
func parseKeyValues(_ arguments: [String], allowPair: Bool) throws -> [String: String] {
    if allowPair, arguments.count == 2, !arguments[0].contains("=") { return [arguments[0]: arguments[1]] }
    var values: [String: String] = [:]
    for argument in arguments {
        guard let equals = argument.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: \(argument)") }
        values[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
    }
    return values
}

struct StorageListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:]", short: "List available storage pools",
            flags: [
                Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")", default: "table")
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let server = try ctx.resolve(args.positional.first ?? "").server
        let (value, raw) = try server.query("GET", "/1.0/storage-pools?recursion=1")
        let pools = try value.decode([StoragePool].self)
        let rows = pools.sorted { $0.name < $1.name }.map { pool in
            [pool.name, pool.driver, pool.config["source"] ?? "", pool.description, String(pool.usedBy.count), pool.status.uppercased()]
        }
        ctx.renderList(
            format, header: ["NAME", "DRIVER", "SOURCE", "DESCRIPTION", "USED BY", "STATE"], rows: rows,
            raw: GoSchema.array(.storagePool).apply(OrderedJSON.parseOrNull(raw)))
    }
}

struct StorageShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "show", usage: "[<remote>:]<pool>", short: "Show storage pool configurations and resources",
            flags: [
                Flag("resources", usage: "Show the resources available to the storage pool"),
                Flag("target", .string, usage: "Cluster member name"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing pool name") }
        if args.bool("resources") {
            let resources = try server.get(poolPath(name) + "/resources", as: ResourcesStoragePool.self)
            let node = YAMLNode.mapping([
                (
                    key: "space",
                    value: .mapping([
                        (key: "used", value: .scalar(String(resources.space.used), quoted: false)),
                        (key: "total", value: .scalar(String(resources.space.total), quoted: false)),
                    ])
                )
            ])
            ctx.stdout.write(YAML.emit(node))
            return
        }
        let (_, raw) = try fetchPool(server, name)
        ctx.stdout.write(YAML.emit(GoSchema.storagePool.apply(OrderedJSON.parseOrNull(raw)).yamlNode))
    }
}

struct StorageCreateCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "create", usage: "[<remote>:]<pool> <driver> [key=value...]", short: "Create storage pools",
            flags: [Flag("target", .string, usage: "Cluster member name")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let config = try parseKeyValues(Array(args.positional.dropFirst(2)), allowPair: false)
        let post = StoragePoolsPost(name: name, driver: args.positional[1], config: config)
        _ = try server.query("POST", "/1.0/storage-pools", body: try LXDServer.encode(post))
        if !ctx.isQuiet { ctx.print("Storage pool \(name) created") }
    }
}

struct StorageDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<pool>", short: "Delete storage pools")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        _ = try server.query("DELETE", poolPath(name))
        if !ctx.isQuiet { ctx.print("Storage pool \(name) deleted") }
    }
}

struct StorageEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "edit", usage: "[<remote>:]<pool>", short: "Edit storage pool configurations as YAML",
            example: "lxc storage edit [<remote>:]<pool> < pool.yaml\n    Update a storage pool using the content of pool.yaml.")
    }

    /// The commented header LXD's client puts above a storage pool in the editor.
    static let header = """
        ### This is a YAML representation of a storage pool.
        ### Any line starting with a '#' will be ignored.
        ###
        ### A storage pool consists of a set of configuration items.
        ###
        ### An example would look like:
        ### name: default
        ### driver: zfs
        ### used_by: []
        ### config:
        ###   size: "61203283968"
        ###   source: /home/chb/mnt/lxd_test/default.img
        ###   zfs.pool_name: default
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing pool name") }
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let (raw, etag) = try server.getRawWithETag(poolPath(name))
            return (YAML.emit(GoSchema.storagePool.apply(OrderedJSON.parseOrNull(raw)).yamlNode), etag)
        } apply: { text, etag in
            _ = try server.query("PUT", poolPath(name), body: try LXDServer.encode(try YAMLUnmarshaler.storagePoolPut(text)), etag: etag)
        }
    }
}

/// `get`, `set` and `unset` of pool config keys.
struct StorageConfigCommand: LXCCommand {
    enum Verb { case get, set, unset }
    let verb: Verb

    var spec: CommandSpec {
        let target = [Flag("target", .string, usage: "Cluster member name")]
        switch verb {
        case .get:
            return CommandSpec(
                name: "get", usage: "[<remote>:]<pool> <key>", short: "Get values for storage pool configuration keys", flags: target)
        case .set:
            return CommandSpec(
                name: "set", usage: "[<remote>:]<pool> <key> <value>", short: "Set storage pool configuration keys",
                long: """
                    Set storage pool configuration keys

                    For backward compatibility, a single configuration key may still be set with:
                        lxc storage set [<remote>:]<pool> <key> <value>
                    """, flags: target)
        case .unset:
            return CommandSpec(
                name: "unset", usage: "[<remote>:]<pool> <key>", short: "Unset storage pool configuration keys", flags: target)
        }
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        switch verb {
        case .get: guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        case .set: guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        case .unset: guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        }
        let (server, name) = try ctx.resolve(args.positional[0])
        var (pool, _) = try fetchPool(server, name)
        switch verb {
        case .get:
            if let value = pool.config[args.positional[1]] { ctx.print(value) }
            return
        case .set:
            for (key, value) in try parseKeyValues(Array(args.positional.dropFirst()), allowPair: true) { pool.config[key] = value }
        case .unset:
            pool.config[args.positional[1]] = ""
        }
        _ = try server.query("PUT", poolPath(name), body: try LXDServer.encode(pool.writable))
    }
}

struct StorageInfoCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "info", usage: "[<remote>:]<pool>", short: "Show useful information about storage pools",
            flags: [
                Flag("bytes", usage: "Show the used and free space in bytes"),
                Flag("target", .string, usage: "Cluster member name"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (pool, _) = try fetchPool(server, name)
        let resources = try server.get(poolPath(name) + "/resources", as: ResourcesStoragePool.self)
        func size(_ bytes: UInt64) -> YAMLNode {
            args.bool("bytes") ? .string(String(bytes)) : .scalar(Units.byteSizeIEC(Int64(clamping: bytes)), quoted: false)
        }
        let info: YAMLNode = .mapping([
            (key: "description", value: .string(pool.description)),
            (key: "driver", value: .string(pool.driver)),
            (key: "name", value: .string(pool.name)),
            (key: "space used", value: size(resources.space.used)),
            (key: "total space", value: size(resources.space.total)),
        ])
        // `used_by` URLs grouped by kind (`/1.0/<kind>/.../<name>`), custom volumes as "volumes".
        var groups: [String: [String]] = [:]
        for url in pool.usedBy {
            let parts = url.split(separator: "/").map(String.init)
            guard parts.count >= 3 else { continue }
            let kind = parts[1] == "storage-pools" ? "volumes" : parts[1]
            groups[kind, default: []].append(parts[parts.count - 1])
        }
        let usedBy: YAMLNode = .mapping(
            groups.keys.sorted().map { key in (key: key, value: .sequence((groups[key] ?? []).map { YAMLNode.string($0) })) })
        ctx.stdout.write(YAML.emit(.mapping([(key: "info", value: info), (key: "used by", value: usedBy)])))
    }
}
