import Glibc
import LXDCore
import Testing

@testable import LXDDaemon

@Suite struct SnapshotScheduleTests {
    /// 2026-12-04 07:03:09 UTC, a Friday.
    static let friday = Timestamp(seconds: 1_796_367_789)

    static func at(_ text: String) -> Timestamp {
        // "YYYY-MM-DD HH:MM" in UTC.
        var parts = tm()
        let fields = text.split(whereSeparator: { "- :".contains($0) }).compactMap { Int32($0) }
        parts.tm_year = fields[0] - 1900
        parts.tm_mon = fields[1] - 1
        parts.tm_mday = fields[2]
        parts.tm_hour = fields[3]
        parts.tm_min = fields[4]
        return Timestamp(seconds: Int64(timegm(&parts)))
    }

    @Test(arguments: [
        ("* * * * *", "2026-12-04 07:03", true),
        ("3 7 * * *", "2026-12-04 07:03", true),
        ("4 7 * * *", "2026-12-04 07:03", false),
        ("*/5 * * * *", "2026-12-04 07:05", true),
        ("*/5 * * * *", "2026-12-04 07:03", false),
        ("0-10/3 * * * *", "2026-12-04 07:09", true),
        ("1,3,5 * * * *", "2026-12-04 07:03", true),
        ("0 0 * * fri", "2026-12-04 00:00", true),
        ("0 0 * * 5", "2026-12-04 00:00", true),
        ("0 0 * * 0", "2026-12-06 00:00", true),
        ("0 0 * * 7", "2026-12-06 00:00", true),
        ("0 0 * dec *", "2026-12-04 00:00", true),
        ("0 0 * JAN-MAR *", "2026-12-04 00:00", false),
        // Both day fields restricted: either matches (cron's rule).
        ("0 0 1 * fri", "2026-12-04 00:00", true),
        ("0 0 1 * mon", "2026-12-04 00:00", false),
        ("0 0 4 * mon", "2026-12-04 00:00", true),
        ("@hourly", "2026-12-04 07:00", true),
        ("@hourly", "2026-12-04 07:03", false),
        ("@daily", "2026-12-04 00:00", true),
        ("@midnight", "2026-12-04 00:00", true),
        ("@weekly", "2026-12-06 00:00", true),
        ("@monthly", "2026-12-01 00:00", true),
        ("@yearly", "2027-01-01 00:00", true),
        ("@annually", "2026-12-01 00:00", false),
        ("@hourly, 3 7 * * *", "2026-12-04 07:03", true),
        ("@never", "2026-12-04 07:03", false),
        ("@startup", "2026-12-04 07:03", false),
    ])
    func matching(schedule: String, time: String, expected: Bool) throws {
        let parsed = try #require(try SnapshotSchedule.parse(schedule))
        #expect(parsed.matches(Self.at(time)) == expected)
    }

    @Test func emptyScheduleIsNever() throws {
        #expect(try SnapshotSchedule.parse("") == nil)
        #expect(try SnapshotSchedule.parse("@startup")?.atStartup == true)
    }

    @Test(arguments: [
        "bad", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "*/0 * * * *", "5-1 * * * *",
        "@sometimes", "x * * * *", "1,,2 * * * *", "* * * * 8",
    ])
    func invalidSchedules(schedule: String) {
        #expect(throws: (any Error).self) { try SnapshotSchedule.parse(schedule) }
    }

    @Test(arguments: [
        ("1d", "2026-12-05 07:03"),
        ("1M 2H", "2026-12-04 09:04"),
        ("2w", "2026-12-18 07:03"),
        ("1m", "2027-01-04 07:03"),
        ("1y", "2027-12-04 07:03"),
        ("30d 1y", "2028-01-03 07:03"),
    ])
    func expiry(expression: String, expected: String) throws {
        let rule = try #require(try SnapshotExpiry.parse(expression))
        let start = Self.at("2026-12-04 07:03")
        #expect(rule.expiry(from: start) == Self.at(expected))
    }

    @Test func expiryMonthsOverflowAsGo() throws {
        let rule = try #require(try SnapshotExpiry.parse("1m"))
        #expect(rule.expiry(from: Self.at("2027-01-31 00:00")) == Self.at("2027-03-03 00:00"))
        #expect(try SnapshotExpiry.parse("30S")?.expiry(from: Self.friday) == Timestamp(seconds: Self.friday.seconds + 30))
        #expect(try SnapshotExpiry.parse("  ") == nil)
    }

    @Test(arguments: ["1x", "d", "-1d", "1.5d", "1 d", "abc"])
    func invalidExpiry(expression: String) {
        #expect(throws: (any Error).self) { try SnapshotExpiry.parse(expression) }
    }

    @Test func indexedNames() {
        #expect(InstanceManager.nextIndexedName("snap%d", taken: []) == "snap0")
        #expect(InstanceManager.nextIndexedName("snap%d", taken: ["snap1", "snap7", "other", "snapx", "snap"]) == "snap8")
        #expect(InstanceManager.nextIndexedName("b-%d-x", taken: ["b-2-x", "b-3-y"]) == "b-3-x")
        #expect(InstanceManager.nextIndexedName("fixed-%d", taken: ["fixed"]) == "fixed-0")
    }
}
