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
