/// A storage pool (LXD's `api.StoragePool`).
public struct StoragePool: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    public var name: String = ""
    public var driver: String = ""
    public var usedBy: [String] = []
    public var status: String = "Created"
    public var locations: [String] = ["none"]

    public init(name: String, driver: String, config: [String: String], description: String = "", usedBy: [String] = []) {
        self.name = name
        self.driver = driver
        self.config = config
        self.description = description
        self.usedBy = usedBy
    }

    enum CodingKeys: String, CodingKey {
        case config, description, name, driver, status, locations
        case usedBy = "used_by"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        name = try c.lenient(.name, "")
        driver = try c.lenient(.driver, "")
        usedBy = try c.lenient(.usedBy, [])
        status = try c.lenient(.status, "")
        locations = try c.lenient(.locations, [])
    }

    /// LXD 5.0.2 sends `used_by: null` for a pool nothing uses.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(description, forKey: .description)
        try c.encode(name, forKey: .name)
        try c.encode(driver, forKey: .driver)
        try c.encode(usedBy.isEmpty ? nil : usedBy, forKey: .usedBy)
        try c.encode(status, forKey: .status)
        try c.encode(locations, forKey: .locations)
    }
}

/// `POST /1.0/storage-pools` (LXD's `api.StoragePoolsPost`).
public struct StoragePoolsPost: Sendable, Codable {
    public var name: String = ""
    public var driver: String = ""
    public var config: [String: String] = [:]
    public var description: String = ""

    public init(name: String, driver: String, config: [String: String] = [:], description: String = "") {
        self.name = name
        self.driver = driver
        self.config = config
        self.description = description
    }

    enum CodingKeys: String, CodingKey { case name, driver, config, description }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
        driver = try c.lenient(.driver, "")
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
    }
}

/// `PUT /1.0/storage-pools/NAME` (LXD's `api.StoragePoolPut`).
public struct StoragePoolPut: Sendable, Codable {
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

extension StoragePool {
    public var writable: StoragePoolPut { StoragePoolPut(config: config, description: description) }
}

/// `GET /1.0/storage-pools/NAME/resources` (LXD's `api.ResourcesStoragePool`).
public struct ResourcesStoragePool: Sendable, Codable {
    public struct Space: Sendable, Codable {
        public var used: UInt64
        public var total: UInt64
        public init(used: UInt64, total: UInt64) {
            self.used = used
            self.total = total
        }
    }
    public struct Inodes: Sendable, Codable {
        public var used: UInt64
        public var total: UInt64
        public init(used: UInt64, total: UInt64) {
            self.used = used
            self.total = total
        }
    }
    public var space: Space
    public var inodes: Inodes

    public init(space: Space, inodes: Inodes) {
        self.space = space
        self.inodes = inodes
    }
}
