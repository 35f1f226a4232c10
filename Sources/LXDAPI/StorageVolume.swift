/// A storage volume (LXD's `api.StorageVolume`).
public struct StorageVolume: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    public var name: String = ""
    public var type: String = ""
    public var usedBy: [String] = []
    public var location: String = "none"
    public var contentType: String = "filesystem"
    public var project: String = "default"
    public var createdAt: Timestamp = .goZero

    public init(name: String = "", type: String = "", config: [String: String] = [:], description: String = "") {
        self.name = name
        self.type = type
        self.config = config
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case config, description, name, type, location, project
        case usedBy = "used_by"
        case contentType = "content_type"
        case createdAt = "created_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
        usedBy = try c.lenient(.usedBy, [])
        location = try c.lenient(.location, "")
        contentType = try c.lenient(.contentType, "")
        project = try c.lenient(.project, "")
        createdAt = try c.lenient(.createdAt, .goZero)
    }

    public var writable: StorageVolumePut { StorageVolumePut(config: config, description: description) }
}

/// `PUT /1.0/storage-pools/POOL/volumes/TYPE/NAME` (LXD's `api.StorageVolumePut`).
public struct StorageVolumePut: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    /// The snapshot to restore (`lxc storage volume restore`).
    public var restore: String = ""

    public init(config: [String: String] = [:], description: String = "", restore: String = "") {
        self.config = config
        self.description = description
        self.restore = restore
    }

    enum CodingKeys: String, CodingKey { case config, description, restore }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        restore = try c.lenient(.restore, "")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(description, forKey: .description)
        if !restore.isEmpty { try c.encode(restore, forKey: .restore) }
    }
}

/// Where a new volume's content comes from (LXD's `api.StorageVolumeSource`).
public struct StorageVolumeSource: Sendable, Codable {
    public var name: String = ""
    public var type: String = ""
    public var pool: String = ""
    public var volumeOnly: Bool = false

    public init(name: String = "", type: String = "", pool: String = "", volumeOnly: Bool = false) {
        self.name = name
        self.type = type
        self.pool = pool
        self.volumeOnly = volumeOnly
    }

    enum CodingKeys: String, CodingKey {
        case name, type, pool
        case volumeOnly = "volume_only"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
        pool = try c.lenient(.pool, "")
        volumeOnly = try c.lenient(.volumeOnly, false)
    }
}

/// `POST /1.0/storage-pools/POOL/volumes[/TYPE]` (LXD's `api.StorageVolumesPost`).
public struct StorageVolumesPost: Sendable, Codable {
    public var name: String = ""
    public var type: String = ""
    public var config: [String: String] = [:]
    public var description: String = ""
    public var contentType: String = ""
    public var source: StorageVolumeSource = StorageVolumeSource()

    public init(name: String, type: String = "custom", config: [String: String] = [:], description: String = "", contentType: String = "") {
        self.name = name
        self.type = type
        self.config = config
        self.description = description
        self.contentType = contentType
    }

    enum CodingKeys: String, CodingKey {
        case name, type, config, description, source
        case contentType = "content_type"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        type = try c.lenient(.type, "")
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        contentType = try c.lenient(.contentType, "")
        source = try c.lenient(.source, StorageVolumeSource())
    }
}

/// `POST /1.0/storage-pools/POOL/volumes/TYPE/NAME`: rename or move (LXD's `api.StorageVolumePost`).
public struct StorageVolumePost: Sendable, Codable {
    public var name: String = ""
    public var pool: String = ""
    public var migration: Bool = false
    public var volumeOnly: Bool = false

    public init(name: String, pool: String = "") {
        self.name = name
        self.pool = pool
    }

    enum CodingKeys: String, CodingKey {
        case name, pool, migration
        case volumeOnly = "volume_only"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        pool = try c.lenient(.pool, "")
        migration = try c.lenient(.migration, false)
        volumeOnly = try c.lenient(.volumeOnly, false)
    }
}

/// A snapshot of a custom volume (LXD's `api.StorageVolumeSnapshot`).
public struct StorageVolumeSnapshot: Sendable, Codable {
    public var description: String = ""
    public var expiresAt: Timestamp? = nil
    public var name: String = ""
    public var config: [String: String] = [:]
    public var contentType: String = ""
    public var createdAt: Timestamp = .goZero

    public init(name: String = "", description: String = "", config: [String: String] = [:]) {
        self.name = name
        self.description = description
        self.config = config
    }

    enum CodingKeys: String, CodingKey {
        case description, name, config
        case expiresAt = "expires_at"
        case contentType = "content_type"
        case createdAt = "created_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.lenient(.description, "")
        expiresAt = try c.decodeIfPresent(Timestamp.self, forKey: .expiresAt)
        name = try c.lenient(.name, "")
        config = try c.lenient(.config, [:])
        contentType = try c.lenient(.contentType, "")
        createdAt = try c.lenient(.createdAt, .goZero)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(description, forKey: .description)
        try c.encode(expiresAt, forKey: .expiresAt)  // nil stays null, as LXD sends it
        try c.encode(name, forKey: .name)
        try c.encode(config, forKey: .config)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// `POST .../volumes/custom/NAME/snapshots` (LXD's `api.StorageVolumeSnapshotsPost`).
public struct StorageVolumeSnapshotsPost: Sendable, Codable {
    public var name: String = ""
    public var expiresAt: Timestamp? = nil

    public init(name: String = "", expiresAt: Timestamp? = nil) {
        self.name = name
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case name
        case expiresAt = "expires_at"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        expiresAt = try? c.decodeIfPresent(Timestamp.self, forKey: .expiresAt)
    }
}

/// `GET .../volumes/TYPE/NAME/state` (LXD's `api.StorageVolumeState`).
public struct StorageVolumeState: Sendable, Codable {
    public struct Usage: Sendable, Codable {
        public var used: UInt64
        public var total: Int64
        public init(used: UInt64, total: Int64) {
            self.used = used
            self.total = total
        }
    }
    public var usage: Usage?

    public init(usage: Usage?) { self.usage = usage }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(usage, forKey: .usage)
    }

    enum CodingKeys: String, CodingKey { case usage }
}
