/// Device configurations by device name (`devices:` on the wire).
public typealias Devices = [String: [String: String]]

/// The editable part of an instance (LXD's `api.InstancePut`).
public struct InstancePut: Sendable, Codable, Equatable {
    public var architecture: String = ""
    public var config: [String: String] = [:]
    public var devices: Devices = [:]
    public var ephemeral: Bool = false
    public var profiles: [String]? = nil
    public var stateful: Bool = false
    public var description: String = ""
    /// `PUT /1.0/instances/NAME` with `restore: "c1/snap0"` restores a snapshot.
    public var restore: String? = nil

    public init() {}

    enum CodingKeys: String, CodingKey {
        case architecture, config, devices, ephemeral, profiles, stateful, description, restore
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.lenient(.architecture, "")
        config = try c.lenient(.config, [:])
        devices = try c.lenient(.devices, [:])
        ephemeral = try c.lenient(.ephemeral, false)
        profiles = try c.decodeIfPresent([String].self, forKey: .profiles)
        stateful = try c.lenient(.stateful, false)
        description = try c.lenient(.description, "")
        restore = try c.decodeIfPresent(String.self, forKey: .restore)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(config, forKey: .config)
        try c.encode(devices, forKey: .devices)
        try c.encode(ephemeral, forKey: .ephemeral)
        try c.encode(profiles, forKey: .profiles)  // nil stays null: the server then applies "default"
        try c.encode(stateful, forKey: .stateful)
        try c.encode(description, forKey: .description)
        if let restore { try c.encode(restore, forKey: .restore) }
    }
}

/// An instance as `GET /1.0/instances/NAME` returns it (LXD's `api.Instance`).
public struct Instance: Sendable, Codable {
    public var architecture: String = ""
    public var config: [String: String] = [:]
    public var devices: Devices = [:]
    public var ephemeral: Bool = false
    public var profiles: [String] = []
    public var stateful: Bool = false
    public var description: String = ""
    public var createdAt: Timestamp = .unixEpoch
    public var expandedConfig: [String: String] = [:]
    public var expandedDevices: Devices = [:]
    public var name: String = ""
    public var status: String = ""
    public var statusCode: Int = 0
    public var lastUsedAt: Timestamp = .unixEpoch
    public var location: String = "none"
    public var type: String = "container"
    public var project: String = "default"

    public init() {}

    /// The fields a PUT may change (LXD's `Writable()`).
    public var writable: InstancePut {
        var put = InstancePut()
        put.architecture = architecture
        put.config = config
        put.devices = devices
        put.ephemeral = ephemeral
        put.profiles = profiles
        put.stateful = stateful
        put.description = description
        return put
    }

    enum CodingKeys: String, CodingKey {
        case architecture, config, devices, ephemeral, profiles, stateful, description, name, status, location, type, project
        case createdAt = "created_at"
        case expandedConfig = "expanded_config"
        case expandedDevices = "expanded_devices"
        case statusCode = "status_code"
        case lastUsedAt = "last_used_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.lenient(.architecture, "")
        config = try c.lenient(.config, [:])
        devices = try c.lenient(.devices, [:])
        ephemeral = try c.lenient(.ephemeral, false)
        profiles = try c.lenient(.profiles, [])
        stateful = try c.lenient(.stateful, false)
        description = try c.lenient(.description, "")
        createdAt = try c.lenient(.createdAt, .unixEpoch)
        expandedConfig = try c.lenient(.expandedConfig, [:])
        expandedDevices = try c.lenient(.expandedDevices, [:])
        name = try c.lenient(.name, "")
        status = try c.lenient(.status, "")
        statusCode = try c.lenient(.statusCode, 0)
        lastUsedAt = try c.lenient(.lastUsedAt, .unixEpoch)
        location = try c.lenient(.location, "")
        type = try c.lenient(.type, "")
        project = try c.lenient(.project, "")
    }
}

/// An instance with its state, snapshots and backups (`?recursion=1` on one instance,
/// `?recursion=2` on the list; LXD's `api.InstanceFull`).
public struct InstanceFull: Sendable, Codable {
    public var instance: Instance
    public var state: InstanceState?
    public var snapshots: [InstanceSnapshot]?
    public var backups: [JSONValue]?

    public init(instance: Instance, state: InstanceState?, snapshots: [InstanceSnapshot]?, backups: [JSONValue]? = nil) {
        self.instance = instance
        self.state = state
        self.snapshots = snapshots
        self.backups = backups
    }

    enum CodingKeys: String, CodingKey { case state, snapshots, backups }

    public init(from decoder: Decoder) throws {
        instance = try Instance(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decodeIfPresent(InstanceState.self, forKey: .state)
        snapshots = try c.decodeIfPresent([InstanceSnapshot].self, forKey: .snapshots)
        backups = try c.decodeIfPresent([JSONValue].self, forKey: .backups)
    }

    public func encode(to encoder: Encoder) throws {
        try instance.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(snapshots, forKey: .snapshots)
        try c.encode(backups, forKey: .backups)
    }
}

/// `POST /1.0/instances` (LXD's `api.InstancesPost`).
public struct InstancesPost: Sendable, Codable {
    public var put: InstancePut = InstancePut()
    public var name: String = ""
    public var source: InstanceSource = InstanceSource()
    public var instanceType: String = ""
    public var type: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, source, type
        case instanceType = "instance_type"
    }

    public init(from decoder: Decoder) throws {
        put = try InstancePut(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        source = try c.lenient(.source, InstanceSource())
        instanceType = try c.lenient(.instanceType, "")
        type = try c.lenient(.type, "")
    }

    public func encode(to encoder: Encoder) throws {
        var put = self.put
        put.restore = nil
        try put.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(source, forKey: .source)
        try c.encode(instanceType, forKey: .instanceType)
        try c.encode(type, forKey: .type)
    }
}

/// Where a new instance comes from (LXD's `api.InstanceSource`).
public struct InstanceSource: Sendable, Codable, Equatable {
    public var type: String = ""
    public var certificate: String = ""
    public var alias: String = ""
    public var fingerprint: String = ""
    public var properties: [String: String] = [:]
    public var server: String = ""
    public var secret: String = ""
    public var `protocol`: String = ""
    public var baseImage: String = ""
    public var mode: String = ""
    public var operation: String = ""
    public var source: String = ""
    public var live: Bool = false
    public var instanceOnly: Bool = false
    public var project: String = ""
    public var allowInconsistent: Bool = false
    /// Migration: the websocket secrets of the other side's operation.
    public var websockets: [String: String]? = nil
    public var containerOnly: Bool = false
    /// `lxc copy --refresh`: bring an existing copy up to date.
    public var refresh: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case type, certificate, alias, fingerprint, properties, server, secret, `protocol`, mode, operation, source, live, project, refresh
        case websockets = "secrets"
        case containerOnly = "container_only"
        case baseImage = "base-image"
        case instanceOnly = "instance_only"
        case allowInconsistent = "allow_inconsistent"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.lenient(.type, "")
        certificate = try c.lenient(.certificate, "")
        alias = try c.lenient(.alias, "")
        fingerprint = try c.lenient(.fingerprint, "")
        properties = try c.lenient(.properties, [:])
        server = try c.lenient(.server, "")
        secret = try c.lenient(.secret, "")
        `protocol` = try c.lenient(.protocol, "")
        baseImage = try c.lenient(.baseImage, "")
        mode = try c.lenient(.mode, "")
        operation = try c.lenient(.operation, "")
        source = try c.lenient(.source, "")
        live = try c.lenient(.live, false)
        instanceOnly = try c.lenient(.instanceOnly, false)
        project = try c.lenient(.project, "")
        allowInconsistent = try c.lenient(.allowInconsistent, false)
        refresh = try c.lenient(.refresh, false)
        websockets = try c.decodeIfPresent([String: String].self, forKey: .websockets)
        containerOnly = try c.lenient(.containerOnly, false)
    }
}

/// Where a migration source pushes to (LXD's `api.InstancePostTarget`).
public struct InstancePostTarget: Sendable, Codable, Equatable {
    public var certificate: String = ""
    public var operation: String = ""
    public var websockets: [String: String] = [:]

    public init(certificate: String = "", operation: String = "", websockets: [String: String] = [:]) {
        self.certificate = certificate
        self.operation = operation
        self.websockets = websockets
    }

    enum CodingKeys: String, CodingKey {
        case certificate, operation
        case websockets = "secrets"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        certificate = try c.lenient(.certificate, "")
        operation = try c.lenient(.operation, "")
        websockets = try c.lenient(.websockets, [:])
    }
}

/// `POST /1.0/instances/NAME`: rename or migrate (LXD's `api.InstancePost`).
public struct InstancePost: Sendable, Codable {
    public var name: String = ""
    public var migration: Bool = false
    public var live: Bool = false
    public var instanceOnly: Bool = false
    public var pool: String = ""
    public var project: String = ""
    /// Push mode: the target's operation to connect to.
    public var target: InstancePostTarget? = nil
    public var containerOnly: Bool = false
    public var allowInconsistent: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case name, migration, live, pool, project, target
        case instanceOnly = "instance_only"
        case containerOnly = "container_only"
        case allowInconsistent = "allow_inconsistent"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        migration = try c.lenient(.migration, false)
        live = try c.lenient(.live, false)
        instanceOnly = try c.lenient(.instanceOnly, false)
        pool = try c.lenient(.pool, "")
        project = try c.lenient(.project, "")
        target = try? c.decodeIfPresent(InstancePostTarget.self, forKey: .target)
        containerOnly = try c.lenient(.containerOnly, false)
        allowInconsistent = try c.lenient(.allowInconsistent, false)
    }
}

/// A snapshot entry (LXD's `api.InstanceSnapshot`); snapshots themselves come with the
/// snapshots issue, the type is here because full instances carry the list.
public struct InstanceSnapshot: Sendable, Codable {
    public var architecture: String = ""
    public var config: [String: String] = [:]
    public var createdAt: Timestamp = .goZero
    public var devices: Devices = [:]
    public var ephemeral: Bool = false
    public var expandedConfig: [String: String] = [:]
    public var expandedDevices: Devices = [:]
    public var expiresAt: Timestamp = .goZero
    public var lastUsedAt: Timestamp = .goZero
    public var name: String = ""
    public var profiles: [String] = []
    public var stateful: Bool = false
    public var size: Int64 = -1

    public init() {}

    enum CodingKeys: String, CodingKey {
        case architecture, config, devices, ephemeral, name, profiles, stateful, size
        case createdAt = "created_at"
        case expandedConfig = "expanded_config"
        case expandedDevices = "expanded_devices"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
    }
}

/// `POST /1.0/instances/NAME/snapshots` (LXD's `api.InstanceSnapshotsPost`); an empty name
/// lets the server pick `snapN`.
public struct InstanceSnapshotsPost: Sendable, Codable {
    public var name: String = ""
    public var stateful: Bool = false
    public var expiresAt: Timestamp? = nil

    public init(name: String = "", stateful: Bool = false, expiresAt: Timestamp? = nil) {
        self.name = name
        self.stateful = stateful
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case name, stateful
        case expiresAt = "expires_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        stateful = try c.lenient(.stateful, false)
        expiresAt = try c.decodeIfPresent(Timestamp.self, forKey: .expiresAt)
    }
}
