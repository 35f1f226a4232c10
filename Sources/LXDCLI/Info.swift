import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import YAML

/// `lxc info` (LXD's info.go): the server as YAML, or an instance in LXD's layout.
struct InfoCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "info", usage: "[<remote>:][<instance>]", short: "Show instance or server information",
            example: """
                lxc info [<remote>:]<instance> [--show-log]
                    For instance information.

                lxc info [<remote>:] [--resources]
                    For LXD server information.
                """,
            flags: [
                Flag("resources", usage: "Show the resources available to the server"),
                Flag("show-log", usage: "Show the instance's last 100 log lines?"),
                Flag("target", .string, usage: "Cluster member name"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let (server, name) = try args.positional.first.map { try ctx.resolve($0) } ?? (try ctx.server(), "")
        if name.isEmpty {
            var raw = GoSchema.server.apply(OrderedJSON.parseOrNull(server.serverRaw))
            raw = InfoCommand.lowercasingDriverKeys(raw)
            ctx.stdout.write(YAML.emit(raw.yamlNode))
            return
        }
        let full = try server.getInstanceFull(name)
        ctx.stdout.write(InfoCommand.render(full, clustered: server.server.environment.serverClustered))
        if args.bool("show-log") {
            let file = full.instance.type == "virtual-machine" ? "qemu.log" : "lxc.log"
            let log = try server.rawGet("/1.0/instances/\(LXDServer.escape(name))/logs/\(file)")
            ctx.stdout.write("\nLog:\n\n" + String(decoding: log, as: UTF8.self) + "\n")
        }
    }

    /// yaml.v2 names untagged Go fields in lower case: `storage_supported_drivers` shows
    /// `name`/`version`/`remote`.
    static func lowercasingDriverKeys(_ raw: OrderedJSON) -> OrderedJSON {
        guard case .object(var pairs) = raw, let envIndex = pairs.firstIndex(where: { $0.key == "environment" }),
            case .object(var environment) = pairs[envIndex].value,
            let driversIndex = environment.firstIndex(where: { $0.key == "storage_supported_drivers" }),
            case .array(let drivers) = environment[driversIndex].value
        else { return raw }
        environment[driversIndex].value = .array(
            drivers.map { driver in
                guard case .object(let fields) = driver else { return driver }
                return .object(fields.map { (key: $0.key.lowercased(), value: $0.value) })
            })
        pairs[envIndex].value = .object(environment)
        return .object(pairs)
    }

    static func render(_ full: InstanceFull, clustered: Bool) -> String {
        let instance = full.instance
        var out = ""
        out += "Name: \(instance.name)\n"
        out += "Status: \(instance.status.uppercased())\n"
        let type = instance.type.isEmpty ? "container" : instance.type
        out += instance.ephemeral ? "Type: \(type) (ephemeral)\n" : "Type: \(type)\n"
        out += "Architecture: \(instance.architecture)\n"
        if clustered && !instance.location.isEmpty { out += "Location: \(instance.location)\n" }
        let state = full.state
        if let pid = state?.pid, pid != 0 { out += "PID: \(pid)\n" }
        if instance.createdAt.seconds > 0 { out += "Created: \(LocalTime.shortDate(instance.createdAt))\n" }
        if instance.lastUsedAt.seconds > 0 { out += "Last Used: \(LocalTime.shortDate(instance.lastUsedAt))\n" }
        if let state, state.pid != 0 {
            out += "\nResources:\n"
            out += "  Processes: \(state.processes)\n"
            var disk = ""
            for (entry, usage) in state.disk.sorted(by: { $0.key < $1.key }) where usage.usage != 0 {
                disk += "    \(entry): \(Units.byteSizeIEC(usage.usage))\n"
            }
            if !disk.isEmpty { out += "  Disk usage:\n" + disk }
            if state.cpu.usage != 0 { out += "  CPU usage:\n    CPU usage (in seconds): \(state.cpu.usage / 1_000_000_000)\n" }
            var memory = ""
            if state.memory.usage != 0 { memory += "    Memory (current): \(Units.byteSizeIEC(state.memory.usage))\n" }
            if state.memory.usagePeak != 0 { memory += "    Memory (peak): \(Units.byteSizeIEC(state.memory.usagePeak))\n" }
            if state.memory.swapUsage != 0 { memory += "    Swap (current): \(Units.byteSizeIEC(state.memory.swapUsage))\n" }
            if state.memory.swapUsagePeak != 0 { memory += "    Swap (peak): \(Units.byteSizeIEC(state.memory.swapUsagePeak))\n" }
            if !memory.isEmpty { out += "  Memory usage:\n" + memory }
            var network = ""
            for (name, net) in (state.network ?? [:]).sorted(by: { $0.key < $1.key }) {
                network += "    \(name):\n"
                network += "      Type: \(net.type)\n"
                network += "      State: \(net.state.uppercased())\n"
                if !net.hostName.isEmpty { network += "      Host interface: \(net.hostName)\n" }
                if !net.hwaddr.isEmpty { network += "      MAC address: \(net.hwaddr)\n" }
                if net.mtu != 0 { network += "      MTU: \(net.mtu)\n" }
                network += "      Bytes received: \(Units.byteSize(net.counters.bytesReceived))\n"
                network += "      Bytes sent: \(Units.byteSize(net.counters.bytesSent))\n"
                network += "      Packets received: \(net.counters.packetsReceived)\n"
                network += "      Packets sent: \(net.counters.packetsSent)\n"
                network += "      IP addresses:\n"
                for address in net.addresses {
                    let separator = address.family == "inet" ? ":  " : ": "
                    network += "        \(address.family)\(separator)\(address.address)/\(address.netmask) (\(address.scope))\n"
                }
            }
            if !network.isEmpty { out += "  Network usage:\n" + network }
        }
        if let snapshots = full.snapshots, !snapshots.isEmpty {
            let rows = snapshots.map { snapshot -> [String] in
                [
                    snapshot.name, snapshot.createdAt.seconds > 0 ? LocalTime.shortDate(snapshot.createdAt) : "",
                    snapshot.expiresAt.seconds > 0 ? LocalTime.shortDate(snapshot.expiresAt) : "", snapshot.stateful ? "YES" : "NO",
                ]
            }
            out += "\nSnapshots:\n" + TableRenderer.render(.table, header: ["Name", "Taken at", "Expires at", "Stateful"], rows: rows)
        }
        return out
    }
}

/// `lxc operation` (LXD's operation.go).
struct OperationCommand: LXCCommand {
    var spec: CommandSpec { CommandSpec(name: "operation", short: "List, show and delete background operations") }

    var subcommands: [any LXCCommand] { [OperationDeleteCommand(), OperationListCommand(), OperationShowCommand()] }
}

struct OperationListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:]", short: "List background operations",
            flags: [Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let format = try ctx.parseFormat(args)
        let server = try ctx.listServer(args.positional)
        let (groups, raw) = try server.getOperations()
        let clustered = server.server.environment.serverClustered
        var rows: [[String]] = []
        var shown: [OrderedJSON] = []
        let rawGroups = OrderedJSON.parseOrNull(raw)
        if case .object(let pairs) = rawGroups {
            for pair in pairs { shown.append(contentsOf: (pair.value.array ?? []).map(GoSchema.operation.apply)) }
        }
        for operations in groups.values {
            for operation in operations {
                var row = [
                    operation.id, operation.operationClass.uppercased(), operation.description, operation.status.uppercased(),
                    operation.mayCancel ? "YES" : "NO", LocalTime.shortDate(operation.createdAt),
                ]
                if clustered { row.append(operation.location) }
                rows.append(row)
            }
        }
        var header = ["ID", "TYPE", "DESCRIPTION", "STATUS", "CANCELABLE", "CREATED"]
        if clustered { header.append("LOCATION") }
        ctx.renderList(format, header: header, rows: sortRowsNaturally(rows), raw: .array(shown))
    }
}

struct OperationShowCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "show", usage: "[<remote>:]<operation>", short: "Show details on a background operation",
            example: "lxc operation show 344a79e4-d88a-45bf-9c39-c72c26f6ab8a\n    Show details on that operation UUID")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, id) = try ctx.resolve(args.positional[0])
        let (_, raw) = try server.getOperation(id)
        ctx.stdout.write(YAML.emit(GoSchema.operation.apply(OrderedJSON.parseOrNull(raw)).yamlNode))
    }
}

struct OperationDeleteCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "delete", aliases: ["cancel", "rm"], usage: "[<remote>:]<operation>",
            short: "Delete a background operation (will attempt to cancel)")
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 1) else { return }
        let (server, id) = try ctx.resolve(args.positional[0])
        try server.deleteOperation(id)
    }
}

/// `lxc monitor` (LXD's monitor.go): every event as YAML (or JSON), until interrupted.
struct MonitorCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "monitor", usage: "[<remote>:]", short: "Monitor a local or remote LXD server",
            long: "Monitor a local or remote LXD server\n\nBy default the monitor will listen to all message types.",
            example: """
                lxc monitor --type=logging
                    Only show log messages.

                lxc monitor --pretty --type=logging --loglevel=info
                    Show a pretty log of messages with info level or higher.

                lxc monitor --type=lifecycle
                    Only show lifecycle events.
                """,
            flags: [
                Flag("all-projects", usage: "Show events from all projects"),
                Flag("format", short: "f", .string, usage: "Format (json|pretty|yaml) (default \"yaml\")"),
                Flag("loglevel", .string, usage: "Minimum level for log messages (only available when using pretty format)"),
                Flag("pretty", usage: "Pretty rendering (short for --format=pretty)"),
                Flag("type", .stringArray, usage: "Event type to listen for"),
            ])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 0, max: 1) else { return }
        let format = args.bool("pretty") ? "pretty" : args.string("format", default: "yaml")
        guard ["json", "pretty", "yaml"].contains(format) else { throw UsageError("Invalid format: \(format)") }
        let listener = try ctx.listServer(args.positional).events(types: args.strings("type"))
        defer { listener.close() }
        while let text = try listener.nextText() {
            guard let parsed = try? OrderedJSON.parse(text) else { continue }
            let event = GoSchema.event.apply(parsed)
            switch format {
            case "json": ctx.stdout.write(parsed.sortedKeys.goJSON + "\n\n")
            case "pretty":
                let type = event["type"]?.string ?? ""
                ctx.stdout.write("\(type): \(event["metadata"]?.goJSON ?? "")\n")
            default: ctx.stdout.write(YAML.emit(parsed.genericYAMLNode) + "\n\n")
            }
        }
    }
}
