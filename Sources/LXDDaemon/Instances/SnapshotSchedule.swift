import Foundation
import LXDAPI
import LXDCore

/// `snapshots.schedule`: cron expressions (`<minute> <hour> <day-of-month> <month>
/// <day-of-week>`) and the aliases `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`,
/// `@annually`, `@yearly`, several of them separated by ", "; `@startup` (at each start) and
/// `@never`. Times are the host's UTC.
struct SnapshotSchedule: Sendable, Equatable {
    /// One cron line: the allowed values of each field.
    struct Spec: Sendable, Equatable {
        var minutes: Set<Int>
        var hours: Set<Int>
        var daysOfMonth: Set<Int>
        var months: Set<Int>
        var daysOfWeek: Set<Int>
        /// Cron's rule: when both day fields are restricted, either may match.
        var isDayOfMonthRestricted: Bool
        var isDayOfWeekRestricted: Bool
    }

    var specs: [Spec]
    var atStartup = false

    static let formError = LXDError.badRequest(
        "Schedule must be of the form: <minute> <hour> <day-of-month> <month> <day-of-week>")

    private static let aliases = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@annually": "0 0 1 1 *", "@yearly": "0 0 1 1 *",
    ]
    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses a schedule; an empty one means "never" (nil).
    static func parse(_ text: String) throws -> SnapshotSchedule? {
        let entries = text.components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { return nil }
        var schedule = SnapshotSchedule(specs: [])
        for entry in entries {
            switch entry.lowercased() {
            case "@never": continue
            case "@startup": schedule.atStartup = true
            default: schedule.specs.append(try parseSpec(entry))
            }
        }
        return schedule
    }

    private static func parseSpec(_ entry: String) throws -> Spec {
        let line = aliases[entry.lowercased()] ?? entry
        if line.hasPrefix("@") { throw formError }
        let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else { throw formError }
        return Spec(
            minutes: try field(fields[0], 0...59, names: []), hours: try field(fields[1], 0...23, names: []),
            daysOfMonth: try field(fields[2], 1...31, names: []), months: try field(fields[3], 1...12, names: monthNames, nameBase: 1),
            daysOfWeek: Set(try field(fields[4], 0...7, names: dayNames).map { $0 % 7 }),
            isDayOfMonthRestricted: !fields[2].hasPrefix("*"), isDayOfWeekRestricted: !fields[4].hasPrefix("*"))
    }

    /// One field: `*`, `N`, `A-B`, `*/S`, `A-B/S`, `A/S`, lists of those; names for months and days.
    private static func field(_ text: String, _ range: ClosedRange<Int>, names: [String], nameBase: Int = 0) throws -> Set<Int> {
        func value(_ word: Substring) throws -> Int {
            if let number = Int(word) { return number }
            if let index = names.firstIndex(of: word.lowercased()) { return index + nameBase }
            throw formError
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else { throw formError }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw formError }
                step = parsed
            }
            var low: Int
            var high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            guard range.contains(low), range.contains(high), low <= high else { throw formError }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    /// Whether the schedule fires in the minute that contains `time`.
    func matches(_ time: Timestamp) -> Bool {
        var seconds = time_t(time.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return specs.contains { spec in
            guard spec.minutes.contains(Int(parts.tm_min)), spec.hours.contains(Int(parts.tm_hour)),
                spec.months.contains(Int(parts.tm_mon) + 1)
            else { return false }
            let dayOfMonth = spec.daysOfMonth.contains(Int(parts.tm_mday))
            let dayOfWeek = spec.daysOfWeek.contains(Int(parts.tm_wday))
            if spec.isDayOfMonthRestricted && spec.isDayOfWeekRestricted { return dayOfMonth || dayOfWeek }
            return dayOfMonth && dayOfWeek
        }
    }
}
