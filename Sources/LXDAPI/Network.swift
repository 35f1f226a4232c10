/// The editable part of a network (LXD's `api.NetworkPut`).
public struct NetworkPut: Sendable, Codable, Equatable {
    public var config: [String: String] = [:]
    public var description: String = ""

    public init(config: [String: String] = [:], description: String = "") {
        self.config = config
        self.description = description
    }

    enum CodingKeys: String, CodingKey { case config, description }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
    }
}

/// A network (LXD's `api.Network`): a managed one (`managed: true`, status "Created") or a host
/// interface LXD merely reports (no config, empty status, `locations: null`).
public struct Network: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    public var name: String = ""
    public var type: String = ""
    public var usedBy: [String]? = []
    public var managed: Bool = false
    public var status: String = ""
    public var locations: [String]? = nil

    public init(
        name: String, type: String, config: [String: String] = [:], description: String = "", usedBy: [String]? = [],
        managed: Bool = false, status: String = "", locations: [String]? = nil
    ) {
        self.name = name
        self.type = type
        self.config = config
        self.description = description
        self.usedBy = usedBy
        self.managed = managed
        self.status = status
        self.locations = locations
    }

    public var writable: NetworkPut { NetworkPut(config: config, description: description) }

    enum CodingKeys: String, CodingKey {
        case config, description, name, type, managed, status, locations
        case usedBy = "used_by"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
        usedBy = try c.decodeIfPresent([String].self, forKey: .usedBy)
        managed = try c.lenient(.managed, false)
        status = try c.lenient(.status, "")
        locations = try c.decodeIfPresent([String].self, forKey: .locations)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(description, forKey: .description)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
        try c.encode(usedBy, forKey: .usedBy)
        try c.encode(managed, forKey: .managed)
        try c.encode(status, forKey: .status)
        try c.encode(locations, forKey: .locations)
    }
}

/// `POST /1.0/networks` (LXD's `api.NetworksPost`); an empty type means `bridge`.
public struct NetworksPost: Sendable, Codable {
    public var put: NetworkPut = NetworkPut()
    public var name: String = ""
    public var type: String = ""

    public init(name: String, type: String = "", put: NetworkPut = NetworkPut()) {
        self.name = name
        self.type = type
        self.put = put
    }

    enum CodingKeys: String, CodingKey { case name, type }

    public init(from decoder: Decoder) throws {
        put = try NetworkPut(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
    }

    public func encode(to encoder: Encoder) throws {
        try put.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(type, forKey: .type)
    }
}

/// `POST /1.0/networks/NAME`: a rename (LXD's `api.NetworkPost`).
public struct NetworkPost: Sendable, Codable {
    public var name: String = ""

    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey { case name }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
    }
}

/// `GET /1.0/networks/NAME/state` (LXD's `api.NetworkState`).
public struct NetworkState: Sendable, Codable {
    public var addresses: [NetworkStateAddress] = []
    public var counters: NetworkStateCounters = NetworkStateCounters()
    public var hwaddr: String = ""
    public var mtu: Int = 0
    public var state: String = ""
    public var type: String = ""
    public var bridge: NetworkStateBridge? = nil

    public init() {}

    enum CodingKeys: String, CodingKey { case addresses, counters, hwaddr, mtu, state, type, bond, bridge, vlan, ovn }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addresses = try c.lenient(.addresses, [])
        counters = try c.lenient(.counters, NetworkStateCounters())
        hwaddr = try c.lenient(.hwaddr, "")
        mtu = try c.lenient(.mtu, 0)
        state = try c.lenient(.state, "")
        type = try c.lenient(.type, "")
        bridge = try c.decodeIfPresent(NetworkStateBridge.self, forKey: .bridge)
    }

    /// `bond`, `vlan` and `ovn` are always null here (no such network types yet).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(addresses, forKey: .addresses)
        try c.encode(counters, forKey: .counters)
        try c.encode(hwaddr, forKey: .hwaddr)
        try c.encode(mtu, forKey: .mtu)
        try c.encode(state, forKey: .state)
        try c.encode(type, forKey: .type)
        try c.encodeNil(forKey: .bond)
        try c.encode(bridge, forKey: .bridge)
        try c.encodeNil(forKey: .vlan)
        try c.encodeNil(forKey: .ovn)
    }
}

public struct NetworkStateAddress: Sendable, Codable, Equatable {
    public var family: String
    public var address: String
    public var netmask: String
    public var scope: String

    public init(family: String, address: String, netmask: String, scope: String) {
        self.family = family
        self.address = address
        self.netmask = netmask
        self.scope = scope
    }
}

/// A network's traffic counters (LXD's `api.NetworkStateCounters`: no error/drop fields here).
public struct NetworkStateCounters: Sendable, Codable, Equatable {
    public var bytesReceived: Int64 = 0
    public var bytesSent: Int64 = 0
    public var packetsReceived: Int64 = 0
    public var packetsSent: Int64 = 0

    public init(bytesReceived: Int64 = 0, bytesSent: Int64 = 0, packetsReceived: Int64 = 0, packetsSent: Int64 = 0) {
        self.bytesReceived = bytesReceived
        self.bytesSent = bytesSent
        self.packetsReceived = packetsReceived
        self.packetsSent = packetsSent
    }

    enum CodingKeys: String, CodingKey {
        case bytesReceived = "bytes_received"
        case bytesSent = "bytes_sent"
        case packetsReceived = "packets_received"
        case packetsSent = "packets_sent"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bytesReceived = try c.lenient(.bytesReceived, 0)
        bytesSent = try c.lenient(.bytesSent, 0)
        packetsReceived = try c.lenient(.packetsReceived, 0)
        packetsSent = try c.lenient(.packetsSent, 0)
    }
}

/// Bridge details of a network's state (LXD's `api.NetworkStateBridge`).
public struct NetworkStateBridge: Sendable, Codable, Equatable {
    public var id: String = ""
    public var stp: Bool = false
    public var forwardDelay: Int64 = 0
    public var vlanDefault: Int64 = 0
    public var vlanFiltering: Bool = false
    public var upperDevices: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case id, stp
        case forwardDelay = "forward_delay"
        case vlanDefault = "vlan_default"
        case vlanFiltering = "vlan_filtering"
        case upperDevices = "upper_devices"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.lenient(.id, "")
        stp = try c.lenient(.stp, false)
        forwardDelay = try c.lenient(.forwardDelay, 0)
        vlanDefault = try c.lenient(.vlanDefault, 0)
        vlanFiltering = try c.lenient(.vlanFiltering, false)
        upperDevices = try c.lenient(.upperDevices, [])
    }
}

/// One entry of `GET /1.0/networks/NAME/leases` (LXD's `api.NetworkLease`).
public struct NetworkLease: Sendable, Codable, Equatable {
    public var hostname: String
    public var hwaddr: String
    public var address: String
    /// "gateway", "static" or "dynamic".
    public var type: String
    public var location: String

    public init(hostname: String, hwaddr: String, address: String, type: String, location: String) {
        self.hostname = hostname
        self.hwaddr = hwaddr
        self.address = address
        self.type = type
        self.location = location
    }

    enum CodingKeys: String, CodingKey { case hostname, hwaddr, address, type, location }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hostname = try c.lenient(.hostname, "")
        hwaddr = try c.lenient(.hwaddr, "")
        address = try c.lenient(.address, "")
        type = try c.lenient(.type, "")
        location = try c.lenient(.location, "")
    }
}
