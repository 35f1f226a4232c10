/// The field order of LXD's Go API structs. LXD's client decodes into typed structs and
/// re-encodes them, so its JSON and YAML follow struct order while maps stay sorted; a server may
/// send keys in any order, so the client puts them back.
public indirect enum GoSchema: Sendable {
    case any
    case map(GoSchema)
    case array(GoSchema)
    case object([(String, GoSchema)])

    public func apply(_ value: OrderedJSON) -> OrderedJSON {
        switch (self, value) {
        case (.map(let inner), .object(let pairs)):
            return .object(pairs.map { (key: $0.key, value: inner.apply($0.value)) })
        case (.array(let inner), .array(let items)):
            return .array(items.map { inner.apply($0) })
        case (.object(let fields), .object(let pairs)):
            var out: [(key: String, value: OrderedJSON)] = []
            for (name, schema) in fields {
                if let pair = pairs.last(where: { $0.key == name }) { out.append((key: name, value: schema.apply(pair.value))) }
            }
            let known = Set(fields.map(\.0))
            out.append(contentsOf: pairs.filter { !known.contains($0.key) })
            return .object(out)
        default:
            return value
        }
    }

    static func plain(_ names: [String]) -> GoSchema { .object(names.map { ($0, .any) }) }

    public static let instanceStateNetwork: GoSchema = .object([
        ("addresses", .array(plain(["family", "address", "netmask", "scope"]))),
        (
            "counters",
            plain([
                "bytes_received", "bytes_sent", "packets_received", "packets_sent", "errors_received", "errors_sent",
                "packets_dropped_outbound", "packets_dropped_inbound",
            ])
        ),
        ("hwaddr", .any), ("host_name", .any), ("mtu", .any), ("state", .any), ("type", .any),
    ])

    public static let instanceState: GoSchema = .object([
        ("status", .any), ("status_code", .any), ("disk", .any),
        ("memory", plain(["usage", "usage_peak", "swap_usage", "swap_usage_peak"])),
        ("network", .map(instanceStateNetwork)), ("pid", .any), ("processes", .any), ("cpu", plain(["usage"])),
    ])

    public static let instanceSnapshot: GoSchema = plain([
        "expires_at", "architecture", "config", "created_at", "devices", "ephemeral", "expanded_config", "expanded_devices",
        "last_used_at", "name", "profiles", "stateful", "size",
    ])

    static let instanceFields: [(String, GoSchema)] = [
        "architecture", "config", "devices", "ephemeral", "profiles", "stateful", "description", "created_at", "expanded_config",
        "expanded_devices", "name", "status", "status_code", "last_used_at", "location", "type", "project",
    ].map { ($0, GoSchema.any) }

    public static let instance: GoSchema = .object(instanceFields)
    public static let instanceFull: GoSchema = .object(
        instanceFields + [("backups", .any), ("state", instanceState), ("snapshots", .array(instanceSnapshot))])

    public static let image: GoSchema = .object([
        ("auto_update", .any), ("properties", .any), ("public", .any), ("expires_at", .any), ("profiles", .any),
        ("aliases", .array(plain(["name", "description"]))), ("architecture", .any), ("cached", .any), ("filename", .any),
        ("fingerprint", .any), ("size", .any), ("update_source", .any), ("type", .any), ("created_at", .any),
        ("last_used_at", .any), ("uploaded_at", .any),
    ])

    public static let network: GoSchema = plain(["config", "description", "name", "type", "used_by", "managed", "status", "locations"])
    public static let networkLease: GoSchema = plain(["hostname", "hwaddr", "address", "type", "location"])

    public static let imageAlias: GoSchema = plain(["description", "target", "name", "type"])

    public static let operation: GoSchema = plain([
        "id", "class", "description", "created_at", "updated_at", "status", "status_code", "resources", "metadata", "may_cancel",
        "err", "location",
    ])

    public static let event: GoSchema = plain(["type", "timestamp", "metadata", "location", "project"])

    public static let server: GoSchema = .object([
        ("config", .any), ("api_extensions", .any), ("api_status", .any), ("api_version", .any), ("auth", .any), ("public", .any),
        ("auth_methods", .any),
        (
            "environment",
            .object(
                [
                    "addresses", "architectures", "certificate", "certificate_fingerprint", "driver", "driver_version", "firewall",
                    "kernel", "kernel_architecture", "kernel_features", "kernel_version", "lxc_features", "os_name", "os_version",
                    "project", "server", "server_clustered", "server_event_mode", "server_name", "server_pid", "server_version",
                    "storage", "storage_version",
                ].map { ($0, GoSchema.any) } + [("storage_supported_drivers", .array(plain(["Name", "Version", "Remote"])))])
        ),
    ])
}
