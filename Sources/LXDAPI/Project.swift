/// A project (LXD's `api.Project`). This daemon has one, `default`, with every feature on.
public struct Project: Sendable, Codable {
    public var config: [String: String] = [:]
    public var description: String = ""
    public var name: String = ""
    public var usedBy: [String] = []

    public init(name: String, description: String, config: [String: String], usedBy: [String]) {
        self.name = name
        self.description = description
        self.config = config
        self.usedBy = usedBy
    }

    enum CodingKeys: String, CodingKey {
        case config, description, name
        case usedBy = "used_by"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.lenient(.config, [:])
        description = try c.lenient(.description, "")
        name = try c.lenient(.name, "")
        usedBy = try c.lenient(.usedBy, [])
    }
}
