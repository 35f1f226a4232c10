import LXDAPI
import LXDCommandLine
import LXDCore
import YAML

/// Reads YAML into LXD's API types as the Go client's `yaml.Unmarshal` (gopkg.in/yaml.v2) does:
/// unknown keys are ignored, any scalar reads as a string, `null` leaves the zero value, and every
/// type mismatch is collected into one "yaml: unmarshal errors:" error naming its line.
struct YAMLUnmarshaler {
    private var errors: [String] = []

    /// Parses `text` and reads it with `read`; a syntax error or any mismatch throws.
    static func decode<T>(_ text: String, _ read: (inout YAMLUnmarshaler, YAMLNode, YAMLLines) -> T) throws -> T {
        let (node, lines) = try YAML.parseWithLines(text)
        var reader = YAMLUnmarshaler()
        let value = read(&reader, node, lines)
        if !reader.errors.isEmpty {
            throw UsageError("yaml: unmarshal errors:\n  " + reader.errors.joined(separator: "\n  "))
        }
        return value
    }

    /// yaml.v2's `terror`: the short tag, the value (cut to 7 bytes past 10) and the Go type.
    mutating func mismatch(_ node: YAMLNode, _ lines: YAMLLines, _ goType: String) {
        var value = ""
        if case .scalar(let text, _) = node {
            let bytes = Array(text.utf8)
            value = bytes.count > 10 ? " `" + String(decoding: bytes.prefix(7), as: UTF8.self) + "...`" : " `" + text + "`"
        }
        errors.append("line \(lines.line): cannot unmarshal \(node.shortTag)\(value) into \(goType)")
    }

    mutating func string(_ node: YAMLNode, _ lines: YAMLLines) -> String {
        switch node {
        case .null: return ""
        case .scalar(let text, _): return text
        default:
            mismatch(node, lines, "string")
            return ""
        }
    }

    mutating func bool(_ node: YAMLNode, _ lines: YAMLLines) -> Bool {
        if node.isNull { return false }
        if let value = node.bool { return value }
        mismatch(node, lines, "bool")
        return false
    }

    mutating func strings(_ node: YAMLNode, _ lines: YAMLLines) -> [String]? {
        switch node {
        case .null: return nil
        case .sequence(let items): return items.enumerated().map { string($0.element, lines.child($0.offset)) }
        default:
            mismatch(node, lines, "[]string")
            return nil
        }
    }

    /// A mapping's pairs with their lines; anything else but null is a mismatch with `goType`.
    mutating func pairs(_ node: YAMLNode, _ lines: YAMLLines, _ goType: String) -> [(key: String, value: YAMLNode, lines: YAMLLines)] {
        switch node {
        case .null: return []
        case .mapping(let pairs): return pairs.enumerated().map { ($0.element.key, $0.element.value, lines.child($0.offset)) }
        default:
            mismatch(node, lines, goType)
            return []
        }
    }

    mutating func stringMap(_ node: YAMLNode, _ lines: YAMLLines) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value, valueLines) in pairs(node, lines, "map[string]string") { result[key] = string(value, valueLines) }
        return result
    }

    mutating func devices(_ node: YAMLNode, _ lines: YAMLLines) -> Devices {
        var result: Devices = [:]
        for (key, value, valueLines) in pairs(node, lines, "map[string]map[string]string") { result[key] = stringMap(value, valueLines) }
        return result
    }

    // MARK: LXD's writable types

    /// `api.ProfilePut` (`name` and `used_by` of a shown profile are ignored).
    static func profilePut(_ text: String) throws -> ProfilePut {
        try decode(text) { reader, node, lines in
            var put = ProfilePut()
            for (key, value, valueLines) in reader.pairs(node, lines, "api.ProfilePut") {
                switch key {
                case "config": put.config = reader.stringMap(value, valueLines)
                case "description": put.description = reader.string(value, valueLines)
                case "devices": put.devices = reader.devices(value, valueLines)
                default: continue
                }
            }
            return put
        }
    }

    /// `api.InstancePut` (the read-only fields of a shown instance are ignored).
    static func instancePut(_ text: String) throws -> InstancePut {
        try decode(text) { reader, node, lines in
            var put = InstancePut()
            put.profiles = nil
            for (key, value, valueLines) in reader.pairs(node, lines, "api.InstancePut") {
                switch key {
                case "architecture": put.architecture = reader.string(value, valueLines)
                case "config": put.config = reader.stringMap(value, valueLines)
                case "devices": put.devices = reader.devices(value, valueLines)
                case "ephemeral": put.ephemeral = reader.bool(value, valueLines)
                case "profiles": put.profiles = reader.strings(value, valueLines)
                case "stateful": put.stateful = reader.bool(value, valueLines)
                case "description": put.description = reader.string(value, valueLines)
                default: continue
                }
            }
            return put
        }
    }

    /// `api.ServerPut`: its `config` (a Go `map[string]interface{}`; scalars are kept as text).
    static func serverConfig(_ text: String) throws -> [String: String] {
        try decode(text) { reader, node, lines in
            var config: [String: String] = [:]
            for (key, value, valueLines) in reader.pairs(node, lines, "api.ServerPut") where key == "config" {
                for (name, setting, settingLines) in reader.pairs(value, valueLines, "map[string]interface {}") {
                    config[name] = reader.string(setting, settingLines)
                }
            }
            return config
        }
    }

    /// `api.InstanceSnapshotPut`: only `expires_at` (an RFC 3339 time, or null).
    static func snapshotExpiry(_ text: String) throws -> Timestamp? {
        let expiry = try decode(text) { reader, node, lines in
            var text = ""
            for (key, value, valueLines) in reader.pairs(node, lines, "api.InstanceSnapshotPut") where key == "expires_at" {
                text = reader.string(value, valueLines)
            }
            return text
        }
        if expiry.isEmpty { return nil }
        guard let parsed = GoTime.parse(expiry) else {
            // Go's time.Parse error, as it reads for a text that is not a time at all.
            throw UsageError(
                "parsing time \(goQuoted(expiry)) as \"2006-01-02T15:04:05Z07:00\": cannot parse \(goQuoted(expiry)) as \"2006\"")
        }
        return parsed
    }
}
