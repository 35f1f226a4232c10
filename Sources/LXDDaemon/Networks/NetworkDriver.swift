import LXDAPI

/// What one network type does on the host. The `NetworkManager` owns the rows and the order of
/// things; a driver validates config and brings its network up and down (idempotently: `start`
/// also repairs a half-present network after a daemon restart).
protocol NetworkDriver: Sendable {
    /// The `type` of the network (`bridge`, `macvlan`).
    var type: String { get }
    /// Checks every key and value (LXD's wording) of a network called `name`.
    func validate(name: String, config: [String: String]) throws
    /// The config a new network is stored with: defaults added, `auto` values resolved.
    /// `taken` are the subnets already used here (other networks, host interfaces, routes).
    func fillDefaults(name: String, config: [String: String], taken: [IPNetwork]) throws -> [String: String]
    /// The subnets a network's config occupies (for overlap checks).
    func subnets(config: [String: String]) -> [IPNetwork]
    /// Brings the network up with `hosts` as its static DHCP hosts.
    func start(_ network: NetworkRecord, hosts: [Dnsmasq.Host], paths: DaemonPaths) async throws
    /// Takes everything `start` made down again (no error: what is gone is gone).
    func stop(_ network: NetworkRecord, paths: DaemonPaths) async
    /// Writes the static DHCP hosts of a running network and tells its DHCP server.
    func refreshHosts(_ network: NetworkRecord, hosts: [Dnsmasq.Host], paths: DaemonPaths)
    /// The runtime state (`GET /1.0/networks/NAME/state`).
    func state(_ network: NetworkRecord) async throws -> NetworkState
    /// The host interface a NIC on this network hangs off (the bridge, the macvlan parent).
    func parent(_ network: NetworkRecord) -> String
}

/// The drivers by type (LXD's `network.LoadByType`).
enum NetworkDrivers {
    static func driver(for type: String, firewall: (any Firewall)?) -> (any NetworkDriver)? {
        switch type {
        case "bridge": return BridgeNetwork(firewall: firewall)
        case "macvlan": return MacvlanNetwork()
        default: return nil
        }
    }

    /// Types LXD 5.0.2 knows that are not built here (refused as not implemented, not unknown).
    static let unbuilt: Set<String> = ["sriov", "ovn", "physical"]
}

extension DaemonPaths {
    /// `$LXD_DIR/networks`, one folder per managed network (dnsmasq's files).
    var networks: String { root + "/networks" }
    func network(_ name: String) -> String { networks + "/" + name }
}
