import Foundation
import LXDCore

/// LXD's `shared/units` and the date layouts its client prints.
public enum Units {
    /// `units.GetByteSizeString`: 1024-based steps, labelled kB, MB, GB, ...
    public static func byteSize(_ input: Int64, precision: Int = 2) -> String {
        if input < 1024 { return "\(input)B" }
        var value = Double(input)
        for unit in ["kB", "MB", "GB", "TB", "PB", "EB"] {
            value /= 1024
            if value < 1024 || unit == "EB" { return String(format: "%.\(precision)f", value) + unit }
        }
        return String(format: "%.\(precision)f", value) + "EB"
    }

    /// `units.GetByteSizeStringIEC`: KiB, MiB, ...
    public static func byteSizeIEC(_ input: Int64, precision: Int = 2) -> String {
        if input < 1024 { return "\(input)B" }
        var value = Double(input)
        for unit in ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] {
            value /= 1024
            if value < 1024 || unit == "EiB" { return String(format: "%.\(precision)f", value) + unit }
        }
        return String(format: "%.\(precision)f", value) + "EiB"
    }
}

/// Local wall-clock times in Go's layouts (the client formats in the local time zone).
public enum LocalTime {
    public struct Parts: Sendable, Equatable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        public var zone: String
        public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, zone: String) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.zone = zone
        }
    }

    public static func parts(_ time: Timestamp) -> Parts {
        var seconds = time_t(time.seconds)
        var result = tm()
        localtime_r(&seconds, &result)
        let zone = result.tm_zone.map { String(cString: $0) } ?? "UTC"
        return Parts(
            year: Int(result.tm_year) + 1900, month: Int(result.tm_mon) + 1, day: Int(result.tm_mday), hour: Int(result.tm_hour),
            minute: Int(result.tm_min), second: Int(result.tm_sec), zone: zone)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `Jan 2, 2006 at 3:04pm (MST)` (image lists).
    public static func imageDate(_ p: Parts) -> String {
        let hour12 = p.hour % 12 == 0 ? 12 : p.hour % 12
        let suffix = p.hour < 12 ? "am" : "pm"
        return "\(months[p.month - 1]) \(p.day), \(p.year) at \(hour12):\(two(p.minute))\(suffix) (\(p.zone))"
    }

    /// `2006/01/02 15:04 MST` (instance lists and info).
    public static func shortDate(_ p: Parts) -> String {
        "\(p.year)/\(two(p.month))/\(two(p.day)) \(two(p.hour)):\(two(p.minute)) \(p.zone)"
    }

    public static func imageDate(_ time: Timestamp) -> String { imageDate(parts(time)) }
    public static func shortDate(_ time: Timestamp) -> String { shortDate(parts(time)) }
}
