/// A background operation (LXD's `api.Operation`).
public struct Operation: Sendable, Codable {
    public var id: String = ""
    public var operationClass: String = "task"
    public var description: String = ""
    public var createdAt: Timestamp = .goZero
    public var updatedAt: Timestamp = .goZero
    public var status: String = ""
    public var statusCode: Int = 0
    public var resources: [String: [String]]? = nil
    public var metadata: JSONValue = .null
    public var mayCancel: Bool = false
    public var err: String = ""
    public var location: String = "none"

    public init() {}

    enum CodingKeys: String, CodingKey {
        case id, description, status, resources, metadata, err, location
        case operationClass = "class"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case statusCode = "status_code"
        case mayCancel = "may_cancel"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.lenient(.id, "")
        operationClass = try c.lenient(.operationClass, "")
        description = try c.lenient(.description, "")
        createdAt = try c.lenient(.createdAt, .goZero)
        updatedAt = try c.lenient(.updatedAt, .goZero)
        status = try c.lenient(.status, "")
        statusCode = try c.lenient(.statusCode, 0)
        resources = try c.decodeIfPresent([String: [String]].self, forKey: .resources)
        metadata = try c.lenient(.metadata, .null)
        mayCancel = try c.lenient(.mayCancel, false)
        err = try c.lenient(.err, "")
        location = try c.lenient(.location, "")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(operationClass, forKey: .operationClass)
        try c.encode(description, forKey: .description)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(status, forKey: .status)
        try c.encode(statusCode, forKey: .statusCode)
        try c.encode(resources, forKey: .resources)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(mayCancel, forKey: .mayCancel)
        try c.encode(err, forKey: .err)
        try c.encode(location, forKey: .location)
    }

    public var code: StatusCode { StatusCode(rawValue: statusCode) ?? .error }
}
