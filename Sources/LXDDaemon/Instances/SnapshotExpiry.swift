import Foundation
import LXDAPI
import LXDCore

/// `snapshots.expiry` (`1S 1M 2H 3d 4w 5m 6y`: seconds, minutes, hours, days, weeks, months, years), added
/// to a snapshot's creation time as Go's `AddDate` does (31 January + 1m = 3 March).
struct SnapshotExpiry: Sendable, Equatable {
    var seconds = 0
    var minutes = 0
    var hours = 0
    var days = 0
    var months = 0
    var years = 0

    static let invalid = LXDError.badRequest("Invalid expiry expression")

    /// Parses an expression; an empty one means "never" (nil).
    static func parse(_ expression: String) throws -> SnapshotExpiry? {
        let fields = expression.split(whereSeparator: \.isWhitespace)
        guard !fields.isEmpty else { return nil }
        var expiry = SnapshotExpiry()
        for field in fields {
            guard let unit = field.last, let value = Int(field.dropLast()), value >= 0, field.count > 1 else { throw invalid }
            switch unit {
            case "S": expiry.seconds += value
            case "M": expiry.minutes += value
            case "H": expiry.hours += value
            case "d": expiry.days += value
            case "w": expiry.days += value * 7
            case "m": expiry.months += value
            case "y": expiry.years += value
            default: throw invalid
            }
        }
        return expiry
    }

    /// The expiry time of a snapshot taken at `created` (UTC calendar arithmetic).
    func expiry(from created: Timestamp) -> Timestamp {
        var start = time_t(created.seconds)
        var parts = tm()
        gmtime_r(&start, &parts)
        parts.tm_year += Int32(clamping: years)
        parts.tm_mon += Int32(clamping: months)
        parts.tm_mday += Int32(clamping: days)
        parts.tm_hour += Int32(clamping: hours)
        parts.tm_min += Int32(clamping: minutes)
        parts.tm_sec += Int32(clamping: seconds)
        return Timestamp(seconds: Int64(timegm(&parts)), nanoseconds: created.nanoseconds)
    }
}
