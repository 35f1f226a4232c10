/// LXD's byte sizes: an integer followed by nothing, `B`, ` bytes`, a decimal unit (kB, MB, GB,
/// TB, PB, EB) or a binary one (KiB ... EiB). No fractions, no sign.
enum ByteSizeParser {
    static let multipliers: [String: Int64] = [
        "": 1, "B": 1, " bytes": 1,
        "kB": 1000, "MB": 1_000_000, "GB": 1_000_000_000, "TB": 1_000_000_000_000, "PB": 1_000_000_000_000_000,
        "EB": 1_000_000_000_000_000_000,
        "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50, "EiB": 1 << 60,
    ]

    /// Bytes; 0 for an empty string.
    static func parse(_ input: String) throws(ConfigValueError) -> Int64 {
        guard !input.isEmpty else { return 0 }
        let digits = input.prefix { $0.isASCIIDigit }
        let suffix = String(input.dropFirst(digits.count))
        guard !digits.isEmpty else { throw ConfigValueError("Invalid value: \(input)") }
        guard let number = Int64(digits) else { throw ConfigValueError("Invalid integer: \(input)") }
        guard let multiplier = multipliers[suffix] else { throw ConfigValueError("Invalid value: \(input)") }
        let (result, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ConfigValueError("Overflow multiplying \(number) with \(multiplier)") }
        return result
    }
}
