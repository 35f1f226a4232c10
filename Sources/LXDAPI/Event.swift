/// One message on `GET /1.0/events` (LXD's `api.Event`).
public struct Event: Sendable, Codable {
    public var type: String
    public var timestamp: Timestamp
    public var metadata: JSONValue
    public var location: String
    public var project: String?

    public init(type: String, timestamp: Timestamp = .now(), metadata: JSONValue, location: String = "none", project: String?) {
        self.type = type
        self.timestamp = timestamp
        self.metadata = metadata
        self.location = location
        self.project = project
    }

    enum CodingKeys: String, CodingKey { case type, timestamp, metadata, location, project }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.lenient(.type, "")
        timestamp = try c.lenient(.timestamp, .goZero)
        metadata = try c.lenient(.metadata, .null)
        location = try c.lenient(.location, "")
        project = try c.decodeIfPresent(String.self, forKey: .project)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(location, forKey: .location)
        if let project { try c.encode(project, forKey: .project) }
    }
}

/// The metadata of a `lifecycle` event (LXD's `api.EventLifecycle`).
public struct EventLifecycle: Sendable, Codable {
    public var action: String
    public var source: String
    public var context: [String: JSONValue]?
    public var requestor: EventLifecycleRequestor?

    public init(action: String, source: String, context: [String: JSONValue]? = nil, requestor: EventLifecycleRequestor?) {
        self.action = action
        self.source = source
        self.context = context
        self.requestor = requestor
    }

    enum CodingKeys: String, CodingKey { case action, source, context, requestor }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action, forKey: .action)
        try c.encode(source, forKey: .source)
        if let context { try c.encode(context, forKey: .context) }
        if let requestor { try c.encode(requestor, forKey: .requestor) }
    }
}

public struct EventLifecycleRequestor: Sendable, Codable {
    public var username: String
    public var `protocol`: String
    public var address: String

    public init(username: String, protocol: String, address: String) {
        self.username = username
        self.protocol = `protocol`
        self.address = address
    }
}
