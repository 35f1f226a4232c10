import Foundation
import LXDCore

/// Formats a time with a Go reference layout (`2006-01-02 15:04:05`), as pongo2's `date` filter
/// and LXD's `snapshots.pattern` (`{{ creation_date|date:'2006-01-02_15-04-05' }}`) use it.
/// Times are rendered in UTC.
enum GoTimeLayout {
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// The layout's elements, longest first where one is a prefix of another.
    private static let elements = [
        "January", "Monday", "Z07:00", "-07:00", "-0700", "2006", "Jan", "Mon", "MST", "002", "_2", "01", "02", "03", "04", "05",
        "06", "15", "PM", "pm", "-07", "1", "2", "3", "4", "5",
    ]

    static func format(_ time: Timestamp, layout: String) -> String {
        var seconds = time_t(time.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon) + 1
        let day = Int(parts.tm_mday)
        let hour = Int(parts.tm_hour)
        let minute = Int(parts.tm_min)
        let second = Int(parts.tm_sec)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var out = ""
        var rest = Substring(layout)
        outer: while !rest.isEmpty {
            // Fractional seconds: ".000" (fixed) or ".999" (trailing zeros dropped).
            if rest.hasPrefix(".0") || rest.hasPrefix(".9"), let digit = rest.dropFirst().first {
                let run = rest.dropFirst().prefix { $0 == digit }.count
                let next = rest.dropFirst(1 + run).first
                if next == nil || !(next?.isNumber ?? false) {
                    var fraction = String(pad(Int(time.nanoseconds), 9).prefix(run))
                    if digit == "9" {
                        while fraction.hasSuffix("0") { fraction.removeLast() }
                        if !fraction.isEmpty { out += "." + fraction }
                    } else {
                        out += "." + fraction
                    }
                    rest = rest.dropFirst(1 + run)
                    continue
                }
            }
            for element in elements where rest.hasPrefix(element) {
                switch element {
                case "January": out += months[month - 1]
                case "Jan": out += String(months[month - 1].prefix(3))
                case "Monday": out += weekdays[Int(parts.tm_wday)]
                case "Mon": out += String(weekdays[Int(parts.tm_wday)].prefix(3))
                case "MST": out += "UTC"
                case "Z07:00": out += "Z"
                case "-07:00": out += "+00:00"
                case "-0700": out += "+0000"
                case "-07": out += "+00"
                case "2006": out += pad(year, 4)
                case "06": out += pad(year % 100, 2)
                case "01": out += pad(month, 2)
                case "1": out += String(month)
                case "02": out += pad(day, 2)
                case "_2": out += day < 10 ? " \(day)" : String(day)
                case "2": out += String(day)
                case "002": out += pad(Int(parts.tm_yday) + 1, 3)
                case "15": out += pad(hour, 2)
                case "03": out += pad(hour % 12 == 0 ? 12 : hour % 12, 2)
                case "3": out += String(hour % 12 == 0 ? 12 : hour % 12)
                case "04": out += pad(minute, 2)
                case "4": out += String(minute)
                case "05": out += pad(second, 2)
                case "5": out += String(second)
                case "PM": out += hour >= 12 ? "PM" : "AM"
                case "pm": out += hour >= 12 ? "pm" : "am"
                default: continue
                }
                rest = rest.dropFirst(element.count)
                continue outer
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}
