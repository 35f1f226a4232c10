import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc network`: managed networks and NICs attached to them (LXD's lxc/network.go).
struct NetworkCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "network", short: "Manage and attach instances to networks") }

    var subcommands: [any LXCCommand] {
        [
            UnimplementedCommand("acl", "Manage network ACLs"),
            NetworkAttachCommand(profile: false), NetworkAttachCommand(profile: true), NetworkCreateCommand(), NetworkDeleteCommand(),
            NetworkDetachCommand(profile: false), NetworkDetachCommand(profile: true), NetworkEditCommand(),
            UnimplementedCommand("forward", "Manage network forwards"), NetworkGetCommand(), NetworkInfoCommand(), NetworkListCommand(),
            NetworkListLeasesCommand(), UnimplementedCommand("peer", "Manage network peerings"), NetworkRenameCommand(),
            NetworkSetCommand(), NetworkShowCommand(), NetworkUnsetCommand(), UnimplementedCommand("zone", "Manage network zones"),
        ]
    }
}

/// Network fields in Go's struct order, as LXD's client prints them.
let networkSchema = GoSchema.network
let targetFlag = Flag("target", .string, usage: "Cluster member name")

extension LXDServer {
    func network(_ name: String) throws -> (network: Network, raw: Data) {
        let (value, raw) = try query("GET", "/1.0/networks/" + LXDServer.escape(name))
        return (try value.decode(Network.self), raw)
    }

    func updateNetwork(_ name: String, _ put: NetworkPut) throws {
        _ = try query("PUT", "/1.0/networks/" + LXDServer.escape(name), body: try LXDServer.encode(put))
    }
}

struct NetworkListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:]", short: "List available networks",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        let format = try ctx.parseFormat(args)
        let (server, _) = try ctx.resolve(args.positional.first ?? "")
        let (value, raw) = try server.query("GET", "/1.0/networks?recursion=1")
        let networks = try value.decode([Network].self)
        var rows: [[String]] = []
        for network in networks where network.type != "loopback" && network.type != "unknown" {
            let ipv4 = network.managed ? network.config["ipv4.address"] ?? "" : ""
            let ipv6 = network.managed ? network.config["ipv6.address"] ?? "" : ""
            rows.append([
                network.name, network.type, network.managed ? "YES" : "NO", ipv4, ipv6, network.description,
                String(network.usedBy?.count ?? 0), network.status.uppercased(),
            ])
        }
        let items = (OrderedJSON.parseOrNull(raw).array ?? []).map(networkSchema.apply)
        ctx.renderList(
            format, header: ["NAME", "TYPE", "MANAGED", "IPV4", "IPV6", "DESCRIPTION", "USED BY", "STATE"],
            rows: sortRowsNaturally(rows), raw: .array(items))
    }
}

struct NetworkShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "show", usage: "[<remote>:]<network>", short: "Show network configurations", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (_, raw) = try server.network(name)
        var shown = networkSchema.apply(OrderedJSON.parseOrNull(raw))
        // The client sorts used_by (LXD's `sort.Strings(network.UsedBy)`).
        if case .object(var pairs) = shown, let index = pairs.firstIndex(where: { $0.key == "used_by" }),
            let users = pairs[index].value.array
        {
            pairs[index].value = .array(users.sorted { ($0.string ?? "") < ($1.string ?? "") })
            shown = .object(pairs)
        }
        ctx.stdout.write(YAML.emit(shown.yamlNode))
    }
}

struct NetworkCreateCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "create", usage: "[<remote>:]<network> [key=value...]", short: "Create new networks",
            flags: [targetFlag, Flag("type", short: "t", .string, usage: "Network type")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: -1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        var put = NetworkPut()
        for pair in args.positional.dropFirst() {
            guard let equals = pair.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: \(pair)") }
            put.config[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        let post = NetworksPost(name: name, type: args.string("type"), put: put)
        _ = try server.query("POST", "/1.0/networks", body: try LXDServer.encode(post))
        if !ctx.isQuiet { ctx.print("Network \(name) created") }
    }
}

struct NetworkDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "delete", aliases: ["rm"], usage: "[<remote>:]<network>", short: "Delete networks")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        _ = try server.query("DELETE", "/1.0/networks/" + LXDServer.escape(name))
        if !ctx.isQuiet { ctx.print("Network \(name) deleted") }
    }
}

struct NetworkRenameCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "rename", aliases: ["mv"], usage: "[<remote>:]<network> <new-name>", short: "Rename networks")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let newName = args.positional[1]
        _ = try server.query("POST", "/1.0/networks/" + LXDServer.escape(name), body: try LXDServer.encode(NetworkPost(name: newName)))
        if !ctx.isQuiet { ctx.print("Network \(name) renamed to \(newName)") }
    }
}

struct NetworkGetCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "get", usage: "[<remote>:]<network> <key>", short: "Get values for network configuration keys", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (network, _) = try server.network(name)
        if let value = network.config[args.positional[1]] { ctx.print(value) }
    }
}

struct NetworkSetCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "set", usage: "[<remote>:]<network> <key>=<value>...", short: "Set network configuration keys",
            long: """
                Set network configuration keys

                For backward compatibility, a single configuration key may still be set with:
                    lxc network set [<remote>:]<network> <key> <value>
                """, flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: -1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        var changes: [String: String] = [:]
        let rest = Array(args.positional.dropFirst())
        if rest.count == 2, !rest[0].contains("=") {
            changes[rest[0]] = rest[1]
        } else {
            for pair in rest {
                guard let equals = pair.firstIndex(of: "=") else { throw UsageError("Bad key=value pair: \(pair)") }
                changes[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
        }
        try NetworkSetCommand.apply(server, name, changes)
    }

    static func apply(_ server: LXDServer, _ name: String, _ changes: [String: String]) throws {
        let (network, _) = try server.network(name)
        guard network.managed else { throw LXDError(.badRequest, "Only managed networks can be modified") }
        var put = network.writable
        for (key, value) in changes { put.config[key] = value }
        try server.updateNetwork(name, put)
    }
}

struct NetworkUnsetCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "unset", usage: "[<remote>:]<network> <key>", short: "Unset network configuration keys", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        try NetworkSetCommand.apply(server, name, [args.positional[1]: ""])
    }
}

struct NetworkEditCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "edit", usage: "[<remote>:]<network>", short: "Edit network configurations as YAML", flags: [targetFlag])
    }

    /// The commented header LXD's client puts above a network in the editor.
    static let header = """
        ### This is a YAML representation of the network.
        ### Any line starting with a '# will be ignored.
        ###
        ### A network consists of a set of configuration items.
        ###
        ### An example would look like:
        ### name: lxdbr0
        ### config:
        ###   ipv4.address: 10.62.42.1/24
        ###   ipv4.nat: true
        ###   ipv6.address: fd00:56ad:9f7a:9800::1/64
        ###   ipv6.nat: true
        ### managed: true
        ### type: bridge
        ###
        ### Note that only the configuration can be changed.
        """

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        guard !name.isEmpty else { throw UsageError("Missing network name") }
        let path = "/1.0/networks/" + LXDServer.escape(name)
        try YAMLEditor(ctx: ctx).run(header: Self.header) {
            let (raw, etag) = try server.getRawWithETag(path)
            let shown = networkSchema.apply(OrderedJSON.parseOrNull(raw))
            guard shown["managed"] == .bool(true) else { throw UsageError("Only managed networks can be modified") }
            return (YAML.emit(shown.yamlNode), etag)
        } apply: { text, etag in
            _ = try server.query("PUT", path, body: try LXDServer.encode(try YAMLUnmarshaler.networkPut(text)), etag: etag)
        }
    }
}

struct NetworkInfoCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(name: "info", usage: "[<remote>:]<network>", short: "Get runtime information on networks", flags: [targetFlag])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let state = try server.get("/1.0/networks/\(LXDServer.escape(name))/state", as: NetworkState.self)
        var out = "Name: \(name)\n"
        if !state.hwaddr.isEmpty { out += "MAC address: \(state.hwaddr)\n" }
        out += "MTU: \(state.mtu)\nState: \(state.state)\nType: \(state.type)\n"
        if !state.addresses.isEmpty {
            out += "\nIP addresses:\n"
            for address in state.addresses { out += "  \(address.family)\t\(address.address)/\(address.netmask) (\(address.scope))\n" }
        }
        out += "\nNetwork usage:\n"
        out += "  Bytes received: \(Units.byteSize(state.counters.bytesReceived))\n"
        out += "  Bytes sent: \(Units.byteSize(state.counters.bytesSent))\n"
        out += "  Packets received: \(state.counters.packetsReceived)\n"
        out += "  Packets sent: \(state.counters.packetsSent)\n"
        if let bridge = state.bridge {
            out += "\nBridge:\n  ID: \(bridge.id)\n  STP: \(bridge.stp)\n  Forward delay: \(bridge.forwardDelay)\n"
            out += "  Default VLAN ID: \(bridge.vlanDefault)\n  VLAN filtering: \(bridge.vlanFiltering)\n"
            out += "  Upper devices: \(bridge.upperDevices.joined(separator: ", "))\n"
        }
        ctx.stdout.write(out)
    }
}

struct NetworkListLeasesCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list-leases", usage: "[<remote>:]<network>", short: "List DHCP leases",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let (server, name) = try ctx.resolve(args.positional[0])
        let (value, raw) = try server.query("GET", "/1.0/networks/\(LXDServer.escape(name))/leases")
        let leases = try value.decode([NetworkLease].self)
        let rows = leases.map { [$0.hostname, $0.hwaddr, $0.address, $0.type.uppercased()] }
        let items = (OrderedJSON.parseOrNull(raw).array ?? []).map(GoSchema.networkLease.apply)
        ctx.renderList(
            format, header: ["HOSTNAME", "MAC ADDRESS", "IP ADDRESS", "TYPE"], rows: sortRowsNaturally(rows), raw: .array(items))
    }
}

/// `attach` / `attach-profile`: a NIC on the network added to an instance or a profile.
struct NetworkAttachCommand: LXCCommand {
    let profile: Bool

    var spec: CommandSpec {
        profile
            ? CommandSpec(
                name: "attach-profile", usage: "[<remote>:]<network> <profile> [<device name>] [<interface name>]",
                short: "Attach network interfaces to profiles")
            : CommandSpec(
                name: "attach", usage: "[<remote>:]<network> <instance> [<device name>] [<interface name>]",
                short: "Attach network interfaces to instances", long: "Attach new network interfaces to instances")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 4) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (network, _) = try server.network(name)
        let deviceName = args.positional.count > 2 ? args.positional[2] : name
        var device: [String: String] = ["type": "nic"]
        if network.managed {
            device["network"] = network.name
        } else {
            device["nictype"] = network.type == "bridge" ? "bridged" : "macvlan"
            device["parent"] = network.name
        }
        if args.positional.count > 3 { device["name"] = args.positional[3] }
        try LocalDevices.change(server, profile: profile, target: args.positional[1]) { devices in
            guard devices[deviceName] == nil else { throw LXDError(.badRequest, "The device already exists") }
            devices[deviceName] = device
        }
    }
}

/// `detach` / `detach-profile`: removes the NIC on the network (named, or the only one).
struct NetworkDetachCommand: LXCCommand {
    let profile: Bool

    var spec: CommandSpec {
        profile
            ? CommandSpec(
                name: "detach-profile", usage: "[<remote>:]<network> <profile> [<device name>]",
                short: "Detach network interfaces from profiles")
            : CommandSpec(
                name: "detach", usage: "[<remote>:]<network> <instance> [<device name>]",
                short: "Detach network interfaces from instances")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 2, max: 3) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let wanted = args.positional.count > 2 ? args.positional[2] : nil
        try LocalDevices.change(server, profile: profile, target: args.positional[1]) { devices in
            let matches = devices.filter { $0.value["type"] == "nic" && ($0.value["network"] == name || $0.value["parent"] == name) }
            let chosen: String
            if let wanted {
                guard let device = devices[wanted] else { throw LXDError(.badRequest, "The specified device doesn't exist") }
                guard device["type"] == "nic", device["network"] == name || device["parent"] == name else {
                    throw LXDError(.badRequest, "The specified device doesn't match the network")
                }
                chosen = wanted
            } else {
                guard !matches.isEmpty else { throw LXDError(.badRequest, "No device found for this network") }
                guard matches.count == 1 else { throw LXDError(.badRequest, "More than one device matches, specify the device name") }
                chosen = matches.keys.first ?? ""
            }
            devices[chosen] = nil
        }
    }
}
