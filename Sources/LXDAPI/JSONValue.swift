import Foundation

/// Any JSON value, for the wire's free-form fields (operation and event metadata, response
/// metadata a client has not typed yet).
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A decoder's `userInfo` key: true when a value decodes as exactly one type, as in JSON
    /// (`LXDJSON.decoder`). Other decoders may offer one scalar as several (a YAML `true` is
    /// also a string), and there booleans and numbers are tried before strings.
    public static let exactTypes: CodingUserInfoKey = {
        guard let key = CodingUserInfoKey(rawValue: "lxd.jsonValue.exactTypes") else { preconditionFailure("a constant key") }
        return key
    }()

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if decoder.userInfo[JSONValue.exactTypes] as? Bool == true {
            // Each failed attempt throws (a costly DecodingError), so the likeliest go first:
            // strings (most leaves), then objects and arrays.
            if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([String: JSONValue].self) {
                self = .object(value)
            } else if let value = try? container.decode([JSONValue].self) {
                self = .array(value)
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else {
                self = .number(try container.decode(Double.self))
            }
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .number(let value) = self { return Int(exactly: value.rounded()) }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Converts any Encodable into a JSONValue (through the JSON encoder).
    public static func from(_ value: some Encodable) throws -> JSONValue {
        let data = try LXDJSON.encoder.encode(value)
        return try LXDJSON.decoder.decode(JSONValue.self, from: data)
    }

    /// Decodes this value as a typed value.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let data = try LXDJSON.encoder.encode(self)
        return try LXDJSON.decoder.decode(type, from: data)
    }
}

/// The JSON coders every component uses, configured like Go's encoding/json output.
public enum LXDJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[JSONValue.exactTypes] = true
        return decoder
    }

    public static func encode(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }
}

extension KeyedDecodingContainer {
    /// Go's decoder leaves absent and `null` fields at their zero value; so do we.
    public func lenient<T: Decodable>(_ key: Key, _ defaultValue: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue()
    }
}
