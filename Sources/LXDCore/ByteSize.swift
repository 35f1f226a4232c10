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
