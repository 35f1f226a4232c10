import Foundation

/// The envelope every LXD response has, always with all seven keys.
public struct ResponseRaw: Sendable, Codable {
    public var type: String
    public var status: String
    public var statusCode: Int
    public var operation: String
    public var errorCode: Int
    public var error: String
    public var metadata: JSONValue

    enum CodingKeys: String, CodingKey {
        case type, status, operation, error, metadata
        case statusCode = "status_code"
        case errorCode = "error_code"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.lenient(.type, "")
        status = try c.lenient(.status, "")
        statusCode = try c.lenient(.statusCode, 0)
        operation = try c.lenient(.operation, "")
        errorCode = try c.lenient(.errorCode, 0)
        error = try c.lenient(.error, "")
        metadata = try c.lenient(.metadata, .null)
    }
}

/// The envelope without its metadata: what a client checks before decoding the metadata
/// straight into its own type (`ResponseMetadata`), with no `JSONValue` in between.
public struct ResponseHead: Sendable, Decodable {
    public var type: String
    public var statusCode: Int
    public var errorCode: Int
    public var error: String

    enum CodingKeys: String, CodingKey {
        case type, error
        case statusCode = "status_code"
        case errorCode = "error_code"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.lenient(.type, "")
        statusCode = try c.lenient(.statusCode, 0)
        errorCode = try c.lenient(.errorCode, 0)
        error = try c.lenient(.error, "")
    }
}

/// Only an envelope's metadata, decoded as `Metadata`.
public struct ResponseMetadata<Metadata: Decodable>: Decodable {
    public var metadata: Metadata
}

/// Encodes an envelope around typed metadata without going through `JSONValue`.
public struct ResponseEnvelope<Metadata: Encodable>: Encodable {
    public let type: String
    public let status: String
    public let statusCode: Int
    public let operation: String
    public let errorCode: Int
    public let error: String
    public let metadata: Metadata?

    enum CodingKeys: String, CodingKey {
        case type, status, operation, error, metadata
        case statusCode = "status_code"
        case errorCode = "error_code"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(status, forKey: .status)
        try c.encode(statusCode, forKey: .statusCode)
        try c.encode(operation, forKey: .operation)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(error, forKey: .error)
        if let metadata {
            try c.encode(metadata, forKey: .metadata)
        } else {
            try c.encodeNil(forKey: .metadata)
        }
    }

    public static func sync(_ metadata: Metadata?) -> ResponseEnvelope {
        ResponseEnvelope(
            type: "sync", status: StatusCode.success.text, statusCode: 200, operation: "", errorCode: 0, error: "",
            metadata: metadata)
    }

    public static func async(operationURL: String, _ metadata: Metadata) -> ResponseEnvelope {
        ResponseEnvelope(
            type: "async", status: StatusCode.operationCreated.text, statusCode: 100, operation: operationURL, errorCode: 0,
            error: "", metadata: metadata)
    }
}

extension ResponseEnvelope where Metadata == JSONValue {
    public static func error(_ error: LXDError) -> ResponseEnvelope {
        ResponseEnvelope(
            type: "error", status: "", statusCode: 0, operation: "", errorCode: error.status.code, error: error.message,
            metadata: nil)
    }
}
