import Foundation
import YAML

/// A JSON value that keeps object keys in the order they arrived, so that output can follow the
/// server's (Go struct) order the way LXD's client re-encodes typed values. Numbers keep their text.
public indirect enum OrderedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([OrderedJSON])
    case object([(key: String, value: OrderedJSON)])

    public static func == (lhs: OrderedJSON, rhs: OrderedJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public subscript(key: String) -> OrderedJSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.last { $0.key == key }?.value
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var array: [OrderedJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Only the named keys, in the given order (absent keys are skipped).
    public func picking(_ keys: [String]) -> OrderedJSON {
        guard case .object(let pairs) = self else { return self }
        return .object(keys.compactMap { key in pairs.last { $0.key == key }.map { (key: key, value: $0.value) } })
    }

    // MARK: Parsing

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ data: Data) throws -> OrderedJSON {
        var parser = Parser(bytes: [UInt8](data))
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw ParseError(description: "trailing data in JSON") }
        return value
    }

    public static func parse(_ text: String) throws -> OrderedJSON { try parse(Data(text.utf8)) }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func literal(_ text: String, _ value: OrderedJSON) throws -> OrderedJSON {
            let utf8 = Array(text.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
                throw ParseError(description: "invalid JSON literal")
            }
            index += utf8.count
            return value
        }

        mutating func value() throws -> OrderedJSON {
            guard index < bytes.count else { throw ParseError(description: "unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                index += 1
                var items: [OrderedJSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                while true {
                    skipSpace()
                    items.append(try value())
                    skipSpace()
                    guard index < bytes.count else { throw ParseError(description: "unexpected end of JSON") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { throw ParseError(description: "expected ]") }
                    index += 1
                    return .array(items)
                }
            case UInt8(ascii: "{"):
                index += 1
                var pairs: [(key: String, value: OrderedJSON)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(pairs)
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw ParseError(description: "expected key") }
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw ParseError(description: "expected :") }
                    index += 1
                    skipSpace()
                    pairs.append((key: key, value: try value()))
                    skipSpace()
                    guard index < bytes.count else { throw ParseError(description: "unexpected end of JSON") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { throw ParseError(description: "expected }") }
                    index += 1
                    return .object(pairs)
                }
            default:
                let start = index
                while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
                guard index > start else { throw ParseError(description: "invalid character in JSON") }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw ParseError(description: "invalid \\u escape") }
            index += 4
            return value
        }

        mutating func string() throws -> String {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    continue
                }
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(escape)
                }
            }
            throw ParseError(description: "unterminated string in JSON")
        }
    }

    // MARK: Writing

    /// Go's `json.Encoder.Encode` output without the trailing newline: compact, `<`, `>`, `&`
    /// escaped as `\u003c`-style sequences.
    public var goJSON: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): OrderedJSON.writeString(text, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out += "," }
                OrderedJSON.writeString(pair.key, into: &out)
                out += ":"
                pair.value.write(into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string as Go writes it; `escapeHTML: false` is `SetEscapeHTML(false)` (U+2028 and
    /// U+2029 are escaped either way).
    public static func writeString(_ text: String, escapeHTML: Bool = true, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&":
                if escapeHTML { out += "\\u" + hex(scalar.value) } else { out.unicodeScalars.append(scalar) }
            case "\u{2028}", "\u{2029}":
                out += "\\u" + hex(scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + hex(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func hex(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    // MARK: YAML

    /// Keys whose Go type is a slice (nil → `[]` in yaml.v2) or a map (nil → `{}`); anything
    /// else that is null stays `null` (a nil pointer).
    static let sliceKeys: Set<String> = [
        "backups", "snapshots", "profiles", "aliases", "used_by", "addresses", "api_extensions", "auth_methods",
        "architectures", "locations", "command", "storage_supported_drivers",
    ]
    static let mapKeys: Set<String> = [
        "network", "resources", "config", "devices", "expanded_config", "expanded_devices", "properties", "disk",
        "environment", "context", "fds", "kernel_features", "lxc_features",
    ]

    static let timeKeys: Set<String> = ["created_at", "updated_at", "expires_at", "last_used_at", "uploaded_at", "timestamp"]

    /// The value as gopkg.in/yaml.v2 marshals the equivalent Go value.
    public var yamlNode: YAMLNode { yamlNode(key: nil) }

    private func yamlNode(key: String?) -> YAMLNode {
        switch self {
        case .null:
            if let key, OrderedJSON.sliceKeys.contains(key) { return .sequence([]) }
            if let key, OrderedJSON.mapKeys.contains(key) { return .mapping([]) }
            return .null
        case .bool(let value): return .scalar(value ? "true" : "false", quoted: false)
        case .number(let text): return .scalar(text, quoted: false)
        case .string(let text):
            // time.Time fields marshal as bare RFC 3339 text.
            if let key, OrderedJSON.timeKeys.contains(key) { return .scalar(text, quoted: false) }
            return .string(text)
        case .array(let items): return .sequence(items.map { $0.yamlNode(key: nil) })
        case .object(let pairs): return .mapping(pairs.map { (key: $0.key, value: $0.value.yamlNode(key: $0.key)) })
        }
    }

    /// The value as yaml.v2 marshals a generic `map[string]interface{}` decoded from it: keys
    /// sorted at every level, every string a string, null as `null`.
    public var genericYAMLNode: YAMLNode {
        switch self {
        case .null: return .null
        case .bool(let value): return .scalar(value ? "true" : "false", quoted: false)
        case .number(let text): return .scalar(text, quoted: false)
        case .string(let text): return .string(text)
        case .array(let items): return .sequence(items.map(\.genericYAMLNode))
        case .object(let pairs):
            return .mapping(pairs.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value.genericYAMLNode) })
        }
    }

    /// The same value with object keys sorted at every level (a Go `map[string]interface{}`).
    public var sortedKeys: OrderedJSON {
        switch self {
        case .array(let items): return .array(items.map(\.sortedKeys))
        case .object(let pairs): return .object(pairs.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value.sortedKeys) })
        default: return self
        }
    }

    /// Converts any Encodable through JSON (keys sorted).
    public static func from(_ value: some Encodable) throws -> OrderedJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try parse(encoder.encode(value))
    }
}
