import Foundation

/// Byte counts as LXD prints them (`units.GetByteSizeString`): decimal units, two decimals.
public enum ByteSize {
    public static func string(_ bytes: Int64, precision: Int = 2) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        guard bytes >= 1000 else { return "\(bytes)B" }
        var value = Double(bytes)
        var index = 0
        while value >= 1000, index < units.count - 1 {
            value /= 1000
            index += 1
        }
        return format(value, precision) + units[index]
    }

    /// Parses LXD's byte sizes (`units.ParseByteSizeString`): decimal kB..EB, binary KiB..EiB,
    /// `B` or a plain number of bytes. Nil for anything else, including negative numbers.
    public static func parse(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("EiB", 0x1p60), ("PiB", 0x1p50), ("TiB", 0x1p40), ("GiB", 0x1p30), ("MiB", 0x1p20), ("KiB", 0x1p10),
            ("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3), ("B", 1),
        ]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let bytes = Int64(trimmed) { return bytes >= 0 ? bytes : nil }
        for (suffix, multiplier) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let amount = Double(number), amount >= 0, amount.isFinite else { return nil }
            let bytes = amount * multiplier
            guard bytes < 0x1p63 else { return nil }
            return Int64(bytes)
        }
        return nil
    }

    private static func format(_ value: Double, _ precision: Int) -> String {
        var scale = 1.0
        for _ in 0..<precision { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        text = String(parts[0]) + (precision > 0 ? "." + (fraction + String(repeating: "0", count: precision)).prefix(precision) : "")
        return text
    }
}

extension Duration {
    /// The duration in seconds, as a Double (for rates).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
