/// The editable part of a profile (LXD's `api.ProfilePut`).
public struct ProfilePut: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    public var devices: Devices = [:]

    public init(config: [String: String] = [:], description: String = "", devices: Devices = [:]) {
        self.config = config
        self.description = description
        self.devices = devices
    }

    enum CodingKeys: String, CodingKey { case config, description, devices }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        devices = try c.lenient(.devices, [:])
    }
}

/// A profile (LXD's `api.Profile`).
public struct Profile: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    public var devices: Devices = [:]
    public var name: String = ""
    public var usedBy: [String] = []

    public init(name: String, put: ProfilePut, usedBy: [String]) {
        self.name = name
        self.config = put.config
        self.description = put.description
        self.devices = put.devices
        self.usedBy = usedBy
    }

    public var writable: ProfilePut { ProfilePut(config: config, description: description, devices: devices) }

    enum CodingKeys: String, CodingKey {
        case config, description, devices, name
        case usedBy = "used_by"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        devices = try c.lenient(.devices, [:])
        name = try c.lenient(.name, "")
        usedBy = try c.lenient(.usedBy, [])
    }
}

/// `POST /1.0/profiles` (LXD's `api.ProfilesPost`).
public struct ProfilesPost: Sendable, Codable {
    public var put: ProfilePut = ProfilePut()
    public var name: String = ""

    public init(name: String, put: ProfilePut = ProfilePut()) {
        self.name = name
        self.put = put
    }

    enum CodingKeys: String, CodingKey { case name }

    public init(from decoder: Decoder) throws {
        put = try ProfilePut(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.lenient(.name, "")
    }

    public func encode(to encoder: Encoder) throws {
        try put.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
    }
}
