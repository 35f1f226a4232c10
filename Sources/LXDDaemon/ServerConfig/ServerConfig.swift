import Foundation
import LXDAPI
import LXDHTTP

/// The server configuration keys (LXD 5.0.2's cluster and node keys that apply to a single
/// server), their types, defaults and checks, and how a `PUT`/`PATCH /1.0` becomes changes.
enum ServerConfig {
    enum Kind: Sendable {
        case string
        case bool
        case int64
    }

    struct Key: Sendable {
        var kind: Kind = .string
        var defaultValue = ""
        /// Shown as `true` and never sent back (the trust password).
        var isHidden = false
        /// Extra check of a non-empty value; the error text is LXD's reason.
        var validate: (@Sendable (String) -> String?)?
    }

    static let schema: [String: Key] = [
        "core.https_address": Key(validate: listenAddress),
        "core.debug_address": Key(validate: listenAddress),
        "core.metrics_address": Key(validate: listenAddress),
        "core.dns_address": Key(validate: listenAddress),
        "core.bgp_address": Key(validate: listenAddress),
        "core.bgp_routerid": Key(),
        "core.bgp_asn": Key(kind: .int64, defaultValue: "0"),
        "core.trust_password": Key(isHidden: true),
        "core.trust_ca_certificates": Key(kind: .bool),
        "core.remote_token_expiry": Key(validate: { Expiry.parse($0) == nil ? "Invalid expiry expression" : nil }),
        "core.https_allowed_headers": Key(),
        "core.https_allowed_methods": Key(),
        "core.https_allowed_origin": Key(),
        "core.https_allowed_credentials": Key(kind: .bool),
        "core.https_trusted_proxy": Key(),
        "core.metrics_authentication": Key(kind: .bool, defaultValue: "true"),
        "core.proxy_http": Key(),
        "core.proxy_https": Key(),
        "core.proxy_ignore_hosts": Key(),
        "core.shutdown_timeout": Key(kind: .int64, defaultValue: "5"),
        "images.auto_update_cached": Key(kind: .bool, defaultValue: "true"),
        "images.auto_update_interval": Key(kind: .int64, defaultValue: "6"),
        "images.compression_algorithm": Key(
            defaultValue: "gzip",
            validate: { ["bzip2", "gzip", "lzma", "xz", "none", "zstd", "squashfs"].contains($0) ? nil : "Invalid compression algorithm" }),
        "images.default_architecture": Key(),
        "images.remote_cache_expiry": Key(kind: .int64, defaultValue: "10"),
        "maas.api.key": Key(),
        "maas.api.url": Key(),
        "maas.machine": Key(),
        "storage.backups_volume": Key(),
        "storage.images_volume": Key(),
    ]

    /// The config as `GET /1.0` shows it: values equal to their default are left out.
    static func rendered(_ stored: [String: String]) -> [String: String] {
        stored.filter { key, value in schema[key].map { $0.defaultValue != value } ?? true }
    }

    /// The changes a request asks for: `replace` (PUT) unsets every key it does not name.
    /// Values are strings; a hidden key sent back as `true` keeps its value; null unsets.
    static func changes(_ requested: [String: JSONValue], current: [String: String], replace: Bool) throws -> [String: String?] {
        var changes: [String: String?] = [:]
        if replace {
            for key in current.keys where requested[key] == nil { changes[key] = .some(nil) }
        }
        for (key, raw) in requested.sorted(by: { $0.key < $1.key }) {
            let spec = schema[key]
            let value: String
            switch raw {
            case .null: value = ""
            case .string(let text): value = text
            case .bool(true) where spec?.isHidden == true:
                continue
            default:
                throw LXDError.badRequest("cannot set '\(key)' to '\(describe(raw))': invalid type")
            }
            if spec == nil && !key.hasPrefix("user.") {
                throw LXDError.badRequest("cannot set '\(key)' to '\(value)': unknown key")
            }
            if let spec, !value.isEmpty {
                if let reason = check(value, spec) {
                    throw LXDError.badRequest("cannot set '\(key)' to '\(value)': \(reason)")
                }
            }
            if let spec, spec.isHidden, !value.isEmpty {
                changes[key] = try TrustPassword.hash(value)
            } else if let spec, value == spec.defaultValue {
                changes[key] = .some(nil)
            } else {
                changes[key] = value.isEmpty ? .some(nil) : value
            }
        }
        return changes
    }

    private static func check(_ value: String, _ spec: Key) -> String? {
        switch spec.kind {
        case .bool:
            guard ["true", "false", "1", "0", "yes", "no", "on", "off"].contains(value.lowercased()) else { return "invalid boolean" }
        case .int64:
            guard Int64(value) != nil else { return "invalid integer" }
        case .string:
            break
        }
        return spec.validate?(value)
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .bool(let flag): return String(flag)
        case .number(let number): return String(number)
        default: return "\(value)"
        }
    }

    private static let listenAddress: @Sendable (String) -> String? = { value in
        TCPSocket.split(value) == nil ? "Invalid listen address" : nil
    }
}

/// LXD's expiry expressions ("30S", "1H 30M", "2d", "1w", "3m", "1y").
enum Expiry {
    /// The moment `expression` after `reference`; nil when it does not parse.
    static func parse(_ expression: String, from reference: Date = Date()) -> Date? {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return reference }
        var seen: Set<Character> = []
        var components = DateComponents()
        for field in trimmed.split(separator: " ", omittingEmptySubsequences: false) {
            guard let unit = field.last, "SMHdwmy".contains(unit), !seen.contains(unit), let count = Int(field.dropLast()),
                field.dropLast().allSatisfy(\.isNumber)
            else { return nil }
            seen.insert(unit)
            switch unit {
            case "S": components.second = count
            case "M": components.minute = count
            case "H": components.hour = count
            case "d": components.day = (components.day ?? 0) + count
            case "w": components.day = (components.day ?? 0) + 7 * count
            case "m": components.month = count
            default: components.year = count
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(byAdding: components, to: reference)
    }
}
