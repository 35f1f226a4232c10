import Foundation
import YAML

/// Why a config or device value was refused; the message is LXD 5.0.2's wording (callers add
/// the context prefix: "Invalid config: ", "Device validation failed for ...").
struct ConfigValueError: Error, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// One syntactic check of a config value. An empty value means "unset" for every check built
/// with `optional`, as in LXD (unsetting a key never fails).
struct ConfigValueCheck: Sendable {
    let check: @Sendable (String) throws(ConfigValueError) -> Void

    func callAsFunction(_ value: String) throws(ConfigValueError) { try check(value) }

    /// Accepts anything (raw.*, user.*, environment.*, paths).
    static let any = ConfigValueCheck { _ in }

    /// Skips the check for an empty value.
    static func optional(_ inner: ConfigValueCheck) -> ConfigValueCheck {
        ConfigValueCheck { value throws(ConfigValueError) in
            if !value.isEmpty { try inner(value) }
        }
    }

    static let bool = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            guard ConfigBool.isTrue(value) || ConfigBool.isFalse(value) else {
                throw ConfigValueError("Invalid value for a boolean \(GoSyntax.quote(value))")
            }
        })

    static let int64 = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            guard Int64(value) != nil else { throw ConfigValueError("Invalid value for an integer \(GoSyntax.quote(value))") }
        })

    static let uint32 = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            if let error = GoSyntax.parseUnsignedError(value, bits: 32) {
                throw ConfigValueError("Invalid value for uint32 \(GoSyntax.quote(value)): \(error)")
            }
        })

    /// 0 to 10 (`limits.cpu.priority`, `limits.disk.priority`, ...).
    static let priority = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            guard let number = Int64(value) else { throw ConfigValueError("Invalid value for an integer \(GoSyntax.quote(value))") }
            guard (0...10).contains(number) else {
                throw ConfigValueError("Invalid value for a limit \(GoSyntax.quote(value)). Must be between 0 and 10")
            }
        })

    /// A byte size with LXD's units.
    static let size = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            _ = try ByteSizeParser.parse(value)
        })

    static func oneOf(_ allowed: [String]) -> ConfigValueCheck {
        optional(
            ConfigValueCheck { value throws(ConfigValueError) in
                guard allowed.contains(value) else {
                    throw ConfigValueError("Invalid value \(GoSyntax.quote(value)) (not one of [\(allowed.joined(separator: " "))])")
                }
            })
    }

    static let uuid = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            guard UUID(uuidString: value) != nil else { throw ConfigValueError("Invalid UUID") }
        })

    /// Valid YAML (any document).
    static let yaml = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            do {
                _ = try YAML.parse(value)
            } catch {
                throw ConfigValueError("yaml: \(error)")
            }
        })

    /// cloud-init user/vendor data: a `#cloud-config` document must be YAML; other formats pass.
    static let cloudInitUserData = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            guard value == "#cloud-config" || value.hasPrefix("#cloud-config\n") else { return }
            try yaml(String(value.dropFirst("#cloud-config".count)))
        })

    /// `limits.memory`: a byte size or a percentage of the host's memory, never 0.
    static let memoryLimit = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            if value.hasSuffix("%") {
                let number = String(value.dropLast())
                guard let percent = Int64(number) else { throw ConfigValueError(GoSyntax.parseIntError(number, function: "ParseInt")) }
                if percent == 0 { throw ConfigValueError("Memory limit can't be 0%") }
                return
            }
            if try ByteSizeParser.parse(value) == 0 { throw ConfigValueError("Memory limit can't be 0") }
        })

    /// `limits.cpu`: a count or a set of CPUs ("0-3", "0,2", "1,3-5"); no CPU twice.
    static let cpuSet = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            _ = try CPUSet.parse(value)
        })

    /// `limits.cpu.allowance`: "50%" or "25ms/100ms".
    static let cpuAllowance = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            _ = try CPUAllowance.parse(value)
        })

    /// `snapshots.expiry`: "1d 2w", each unit (S M H d w m y) at most once.
    static let snapshotExpiry = ConfigValueCheck { value throws(ConfigValueError) in
        let expression = value.trimmingCharacters(in: .whitespaces)
        guard !expression.isEmpty else { return }
        var seen: Set<Character> = []
        for part in expression.split(separator: " ", omittingEmptySubsequences: false) {
            guard let unit = part.last, "SMHdwmy".contains(unit), part.count > 1, part.dropLast().allSatisfy(\.isASCIIDigit),
                !seen.contains(unit)
            else {
                throw ConfigValueError("Invalid expiry expression")
            }
            seen.insert(unit)
        }
    }

    /// `snapshots.schedule`: aliases or five cron fields, several joined by ", ".
    static let cronSchedule = optional(
        ConfigValueCheck { value throws(ConfigValueError) in
            let aliases = ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@annually", "@yearly", "@startup", "@never"]
            for trigger in value.lowercased().components(separatedBy: ", ") where !aliases.contains(trigger) {
                let fields = trigger.split(separator: " ", omittingEmptySubsequences: false)
                guard fields.count == 5 else {
                    throw ConfigValueError("Schedule must be of the form: <minute> <hour> <day-of-month> <month> <day-of-week>")
                }
                let allowed = Set("0123456789*/,-abcdefghijklmnopqrstuvwxyz?")
                for field in fields where field.isEmpty || !field.allSatisfy({ allowed.contains($0) }) {
                    throw ConfigValueError("Error parsing schedule: failed to parse \(GoSyntax.quote(String(field)))")
                }
            }
        })
}

/// LXD's boolean spellings (case-insensitive).
enum ConfigBool {
    static func isTrue(_ value: String) -> Bool { ["true", "1", "yes", "on"].contains(value.lowercased()) }
    static func isFalse(_ value: String) -> Bool { ["false", "0", "no", "off"].contains(value.lowercased()) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Go's text forms that appear inside LXD's messages (`%q`, strconv errors).
enum GoSyntax {
    /// Go's `%q` of a string: double quotes, backslash escapes for quotes, backslashes and
    /// control characters.
    static func quote(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `strconv.ParseInt: parsing "x": invalid syntax` (or `value out of range`).
    static func parseIntError(_ value: String, function: String) -> String {
        let digits = value.hasPrefix("-") || value.hasPrefix("+") ? value.dropFirst() : Substring(value)
        let reason = !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit) ? "value out of range" : "invalid syntax"
        return "strconv.\(function): parsing \(quote(value)): \(reason)"
    }

    /// nil when `value` parses as an unsigned integer of `bits` bits, else Go's error text.
    static func parseUnsignedError(_ value: String, bits: Int) -> String? {
        guard !value.isEmpty, value.allSatisfy(\.isASCIIDigit) else {
            return "strconv.ParseUint: parsing \(quote(value)): invalid syntax"
        }
        guard let number = UInt64(value), bits >= 64 || number < (UInt64(1) << UInt64(bits)) else {
            return "strconv.ParseUint: parsing \(quote(value)): value out of range"
        }
        return nil
    }
}
