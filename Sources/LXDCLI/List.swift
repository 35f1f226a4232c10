import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore

/// `lxc list` (LXD's list.go).
struct ListCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "list", aliases: ["ls"], usage: "[<remote>:] [<filter>...]", short: "List instances", long: ListCommand.long,
            example: """
                lxc list -c nFs46,volatile.eth0.hwaddr:MAC,config:image.os,devices:eth0.parent:ETHP
                  Show instances using the "NAME", "BASE IMAGE", "STATE", "IPV4", "IPV6" and "MAC" columns.
                  "BASE IMAGE", "MAC" and "IMAGE OS" are custom columns generated from instance configuration keys.
                  "ETHP" is a custom column generated from a device key.

                lxc list -c ns,user.comment:comment
                  List instances with their running state and user comment.
                """,
            flags: [
                Flag("all-projects", usage: "Display instances from all projects"),
                Flag("columns", short: "c", .string, usage: "Columns (default \"ns46tSL\")"),
                Flag("fast", usage: "Fast mode (same as --columns=nsacPt)"),
                Flag("format", short: "f", .string, usage: "Format (csv|json|table|yaml|compact) (default \"table\")"),
            ])
    }

    struct Column {
        let header: String
        let value: (InstanceFull) -> String
    }

    static func isActive(_ full: InstanceFull) -> Bool {
        full.instance.statusCode != StatusCode.stopped.rawValue && full.instance.statusCode != StatusCode.error.rawValue
    }

    static func addresses(_ full: InstanceFull, family: String) -> String {
        guard isActive(full), let network = full.state?.network else { return "" }
        var found: [String] = []
        for (name, net) in network where net.type != "loopback" {
            for address in net.addresses where address.family == family && address.scope != "link" && address.scope != "local" {
                found.append("\(address.address) (\(name))")
            }
        }
        return found.sorted(by: >).joined(separator: "\n")
    }

    static func date(_ time: Timestamp) -> String { time.seconds > 0 ? LocalTime.shortDate(time) : "" }

    static func shorthand(_ character: Character) -> Column? {
        switch character {
        case "n": return Column(header: "NAME") { $0.instance.name }
        case "s": return Column(header: "STATE") { $0.instance.status.uppercased() }
        case "4": return Column(header: "IPV4") { addresses($0, family: "inet") }
        case "6": return Column(header: "IPV6") { addresses($0, family: "inet6") }
        case "t":
            return Column(header: "TYPE") {
                let type = $0.instance.type.isEmpty ? "CONTAINER" : $0.instance.type.uppercased()
                return $0.instance.ephemeral ? type + " (EPHEMERAL)" : type
            }
        case "S": return Column(header: "SNAPSHOTS") { "\($0.snapshots?.count ?? 0)" }
        case "p": return Column(header: "PID") { isActive($0) && $0.state != nil ? "\($0.state?.pid ?? 0)" : "" }
        case "l": return Column(header: "LAST USED AT") { date($0.instance.lastUsedAt) }
        case "c": return Column(header: "CREATED AT") { date($0.instance.createdAt) }
        case "a": return Column(header: "ARCHITECTURE") { $0.instance.architecture }
        case "P": return Column(header: "PROFILES") { $0.instance.profiles.joined(separator: "\n") }
        case "d": return Column(header: "DESCRIPTION") { $0.instance.description }
        case "b":
            return Column(header: "STORAGE POOL") { full in
                full.instance.expandedDevices.values.first { $0["type"] == "disk" && $0["path"] == "/" }?["pool"] ?? ""
            }
        case "e": return Column(header: "PROJECT") { $0.instance.project }
        case "N": return Column(header: "PROCESSES") { isActive($0) && $0.state != nil ? "\($0.state?.processes ?? 0)" : "" }
        case "m":
            return Column(header: "MEMORY USAGE") { full in
                guard isActive(full), let state = full.state, state.memory.usage > 0 else { return "" }
                return Units.byteSizeIEC(state.memory.usage)
            }
        case "M":
            return Column(header: "MEMORY USAGE%") { full in
                guard isActive(full), let state = full.state, state.memory.usage > 0,
                    let limit = full.instance.expandedConfig["limits.memory"], !limit.isEmpty, !limit.contains("%"),
                    let bytes = ByteSize.parse(limit), bytes > 0
                else { return "" }
                return String(format: "%.1f%%", Double(state.memory.usage) / Double(bytes) * 100)
            }
        case "u":
            return Column(header: "CPU USAGE") { full in
                guard isActive(full), let state = full.state, state.cpu.usage > 0 else { return "" }
                return "\(state.cpu.usage / 1_000_000_000)s"
            }
        case "D":
            return Column(header: "DISK USAGE") { full in
                guard isActive(full), let usage = full.state?.disk["root"]?.usage, usage > 0 else { return "" }
                return Units.byteSizeIEC(usage)
            }
        case "f": return Column(header: "BASE IMAGE") { String(($0.instance.config["volatile.base_image"] ?? "").prefix(12)) }
        case "F": return Column(header: "BASE IMAGE") { $0.instance.config["volatile.base_image"] ?? "" }
        case "L": return Column(header: "LOCATION") { $0.instance.location }
        default: return nil
        }
    }

    static func columns(_ text: String) throws -> [Column] {
        var columns: [Column] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if entry.isEmpty { throw UsageError("Empty column entry (redundant, leading or trailing command) in '\(text)'") }
            if !entry.contains(".") {
                for character in entry {
                    guard let column = shorthand(character) else {
                        throw UsageError("Unknown column shorthand char '\(character)' in '\(entry)'")
                    }
                    columns.append(column)
                }
                continue
            }
            // [config:|devices:]key[:name][:maxWidth]
            var parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            var isDevice = false
            if parts.first == "config" || parts.first == "devices" {
                isDevice = parts.first == "devices"
                parts.removeFirst()
            }
            guard let key = parts.first, !key.isEmpty else {
                throw UsageError("Invalid config key column format (too many fields): '\(entry)'")
            }
            let name = parts.count > 1 && !parts[1].isEmpty ? parts[1] : key
            var maxWidth = -1
            if parts.count > 2 {
                guard let width = Int(parts[2]), width >= -1 else {
                    throw UsageError("Invalid max width (must -1, 0 or a positive integer) '\(parts[2])' in '\(entry)'")
                }
                maxWidth = width == 0 ? name.count : width
            }
            columns.append(
                Column(header: name) { full in
                    var value: String
                    if isDevice {
                        let pieces = key.split(separator: ".", maxSplits: 1).map(String.init)
                        value = pieces.count == 2 ? full.instance.expandedDevices[pieces[0]]?[pieces[1]] ?? "" : ""
                    } else {
                        value = full.instance.expandedConfig[key] ?? full.instance.config[key] ?? ""
                    }
                    if maxWidth > 0 && value.count > maxWidth { value = String(value.prefix(maxWidth)) }
                    return value
                })
        }
        return columns
    }

    /// The fields of an instance (InstanceFull's JSON names) the server filters on.
    static let serverFilterFields: Set<String> = [
        "architecture", "config", "devices", "ephemeral", "profiles", "stateful", "description", "created_at", "expanded_config",
        "expanded_devices", "name", "status", "status_code", "last_used_at", "location", "type", "project", "backups", "state",
        "snapshots",
    ]

    /// LXD's `getServerSupportedFilters`: "key=value" on a field of the listed object, with no
    /// "," in the value and no "." in the key, goes to the server; everything else is ours.
    static func splitFilters(_ filters: [String]) -> (server: [String], client: [String]) {
        var server: [String] = []
        var client: [String] = []
        for filter in filters {
            let parts = filter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2, serverFilterFields.contains(parts[0]), !parts[1].contains(","), !parts[0].contains(".") {
                server.append(filter)
            } else {
                client.append(filter)
            }
        }
        return (server, client)
    }

    static func shouldShow(_ full: InstanceFull, _ filters: [String]) -> Bool {
        for filter in filters {
            if let equals = filter.firstIndex(of: "=") {
                let key = String(filter[..<equals]).lowercased()
                let value = String(filter[filter.index(after: equals)...])
                let values = value.split(separator: ",").map { $0.lowercased() }
                switch key {
                case "type": if !values.contains(full.instance.type.lowercased()) { return false }
                case "status": if !values.contains(full.instance.status.lowercased()) { return false }
                case "architecture": if !values.contains(full.instance.architecture.lowercased()) { return false }
                case "location": if !values.contains(full.instance.location.lowercased()) { return false }
                default:
                    let actual = full.instance.expandedConfig[String(filter[..<equals])]
                    if actual != value { return false }
                }
            } else {
                let name = full.instance.name
                var pattern = filter
                if !(filter.contains("^") || filter.contains("$")) { pattern = "^" + filter + "$" }
                if let regex = try? NSRegularExpression(pattern: pattern) {
                    let matches = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
                    if !matches && !name.hasPrefix(filter) { return false }
                } else if !name.hasPrefix(filter) {
                    return false
                }
            }
        }
        return true
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        let format = try ctx.parseFormat(args)
        let server = try ctx.listServer(args.positional)
        var columnText = args.bool("fast") ? "nsacPt" : args.string("columns", default: "ns46tSL")
        if !args.isSet("columns") && !args.bool("fast") && !server.server.environment.serverClustered { columnText = "ns46tS" }
        let columns = try ListCommand.columns(columnText)
        let filters = args.positional.filter { !$0.hasSuffix(":") }
        let (serverFilters, clientFilters) = ListCommand.splitFilters(filters)
        let (instances, raw) = try server.getInstancesFull(filters: serverFilters)
        let rawItems = (OrderedJSON.parseOrNull(raw).array ?? []).map(GoSchema.instanceFull.apply)
        var rows: [[String]] = []
        var shown: [OrderedJSON] = []
        for (index, full) in instances.enumerated() where ListCommand.shouldShow(full, clientFilters) {
            rows.append(columns.map { $0.value(full) })
            if index < rawItems.count { shown.append(rawItems[index]) }
        }
        ctx.renderList(format, header: columns.map(\.header), rows: sortRowsNaturally(rows), raw: .array(shown))
    }

    static let long = """
        List instances

        Default column layout: ns46tS
        Fast column layout: nsacPt

        A single keyword like "web" which will list any instance with a name starting by "web".
        A regular expression on the instance name. (e.g. .*web.*01$).
        A key/value pair referring to a configuration item. For those, the
        namespace can be abbreviated to the smallest unambiguous identifier.
        A key/value pair where the key is a shorthand. Multiple values must be delimited by ','. Available shorthands:
          - type={instance type}
          - status={instance current lifecycle status}
          - architecture={instance architecture}
          - location={location name}
          - ipv4={ip or CIDR}
          - ipv6={ip or CIDR}

        Examples:
          - "user.blah=abc" will list all instances with the "blah" user property set to "abc".
          - "u.blah=abc" will do the same
          - "security.privileged=true" will list all privileged instances
          - "s.privileged=true" will do the same
          - "type=container" will list all container instances
          - "type=container status=running" will list all running container instances

        A regular expression matching a configuration item or its value. (e.g. volatile.eth0.hwaddr=00:16:3e:.*).

        When multiple filters are passed, they are added one on top of the other,
        selecting instances which satisfy them all.

        == Columns ==
        The -c option takes a comma separated list of arguments that control
        which instance attributes to output when displaying in table or csv
        format.

        Column arguments are either pre-defined shorthand chars (see below),
        or (extended) config keys.

        Commas between consecutive shorthand chars are optional.

        Pre-defined column shorthand chars:
          4 - IPv4 address
          6 - IPv6 address
          a - Architecture
          b - Storage pool
          c - Creation date
          d - Description
          D - disk usage
          e - Project name
          l - Last used date
          m - Memory usage
          M - Memory usage (%)
          n - Name
          N - Number of Processes
          p - PID of the instance's init process
          P - Profiles
          s - State
          S - Number of snapshots
          t - Type (persistent or ephemeral)
          u - CPU usage (in seconds)
          L - Location of the instance (e.g. its cluster member)
          f - Base Image Fingerprint (short)
          F - Base Image Fingerprint (long)

        Custom columns are defined with "[config:|devices:]key[:name][:maxWidth]":
          KEY: The (extended) config or devices key to display. If [config:|devices:] is omitted then it defaults to config key.
          NAME: Name to display in the column header.
          Defaults to the key if not specified or empty.

          MAXWIDTH: Max width of the column (longer results are truncated).
          Defaults to -1 (unlimited). Use 0 to limit to the column header size.
        """
}
