import Foundation
import Testing

@testable import LXDCore

@Suite struct GoTimeTests {
    @Test(arguments: [
        (Timestamp(seconds: 0), "1970-01-01T00:00:00Z"),
        (Timestamp(seconds: 0, nanoseconds: 500_000_000), "1970-01-01T00:00:00.5Z"),
        (Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789), "2023-11-14T22:13:20.123456789Z"),
        (Timestamp(seconds: 1_700_000_000, nanoseconds: 120_000_000), "2023-11-14T22:13:20.12Z"),
        (Timestamp(seconds: 1_700_000_000, nanoseconds: 1), "2023-11-14T22:13:20.000000001Z"),
        (Timestamp(seconds: 951_782_400), "2000-02-29T00:00:00Z"),
        (Timestamp(seconds: -1, nanoseconds: 500_000_000), "1969-12-31T23:59:59.5Z"),
        (Timestamp.goZero, "0001-01-01T00:00:00Z"),
    ])
    func formatsLikeGo(time: Timestamp, text: String) {
        #expect(GoTime.format(time) == text)
        #expect(time.description == text)
    }

    @Test(arguments: [
        "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.5Z", "2023-11-14T22:13:20.123456789Z", "2023-11-14T22:13:20.000000001Z",
        "0001-01-01T00:00:00Z", "2000-02-29T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
    ])
    func formatThenParseRoundTrips(text: String) throws {
        let parsed = try #require(GoTime.parse(text))
        #expect(GoTime.format(parsed) == text)
    }

    @Test func goZeroTimeParses() throws {
        let parsed = try #require(GoTime.parse("0001-01-01T00:00:00Z"))
        #expect(parsed == .goZero)
        #expect(parsed.isGoZero)
        #expect(!Timestamp.unixEpoch.isGoZero)
    }

    @Test func keepsNanoseconds() throws {
        let parsed = try #require(GoTime.parse("2023-11-14T22:13:20.123456789Z"))
        #expect(parsed == Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789))
    }

    @Test func shortFractionsAreScaled() throws {
        #expect(GoTime.parse("2023-11-14T22:13:20.1Z") == Timestamp(seconds: 1_700_000_000, nanoseconds: 100_000_000))
        #expect(GoTime.parse("2023-11-14T22:13:20.000123Z") == Timestamp(seconds: 1_700_000_000, nanoseconds: 123_000))
    }

    @Test(arguments: [
        ("2023-11-15T00:13:20+02:00", Timestamp(seconds: 1_700_000_000)),
        ("2023-11-14T17:13:20-05:00", Timestamp(seconds: 1_700_000_000)),
        ("2023-11-14T22:43:20.25+00:30", Timestamp(seconds: 1_700_000_000, nanoseconds: 250_000_000)),
        ("2023-11-14T22:13:20+00:00", Timestamp(seconds: 1_700_000_000)),
    ])
    func offsetsAreNormalisedToUTC(text: String, expected: Timestamp) {
        #expect(GoTime.parse(text) == expected)
    }

    @Test func offsetTimesFormatInUTC() throws {
        let parsed = try #require(GoTime.parse("2023-11-15T00:13:20.5+02:00"))
        #expect(GoTime.format(parsed) == "2023-11-14T22:13:20.5Z")
    }

    @Test(arguments: [
        "", "garbage", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20ZZ",
        "2023-13-01T00:00:00Z", "2023-00-01T00:00:00Z", "2023-01-00T00:00:00Z", "2023-01-32T00:00:00Z",
        "2023-01-01T24:00:00Z", "2023-01-01T00:60:00Z", "2023-01-01T00:00:00+0200", "2023-01-01T00:00:00+02",
        "2023/01/01T00:00:00Z", "2023-01-01T00:00:00.123X", "2023-01-01T0a:00:00Z", " 2023-01-01T00:00:00Z",
    ])
    func invalidInputIsNil(text: String) {
        #expect(GoTime.parse(text) == nil)
    }

    /// Go's `time.Parse` checks the day against the month ("day out of range") and rejects
    /// second 60; `GoTime.parse` only range-checks each field, so it accepts these and
    /// normalises 2023-02-31 to 2023-03-03.
    @Test(
        .disabled("bug: GoTime.parse accepts days past the month's end and second 60, Go rejects both"),
        arguments: ["2023-02-31T00:00:00Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z", "2023-01-01T00:00:60Z"])
    func impossibleDatesAreNil(text: String) {
        #expect(GoTime.parse(text) == nil)
    }

    @Test func spaceSeparatorIsAccepted() {
        #expect(GoTime.parse("2023-11-14 22:13:20Z") == Timestamp(seconds: 1_700_000_000))
    }

    @Test func timestampOrdersBySecondsThenNanoseconds() {
        #expect(Timestamp(seconds: 1, nanoseconds: 5) < Timestamp(seconds: 1, nanoseconds: 6))
        #expect(Timestamp(seconds: 1, nanoseconds: 999_999_999) < Timestamp(seconds: 2))
        #expect(Timestamp.goZero < Timestamp.unixEpoch)
    }

    @Test func timestampCodesAsGoString() throws {
        let time = Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)
        let data = try JSONEncoder().encode([time])
        #expect(String(decoding: data, as: UTF8.self) == #"["2023-11-14T22:13:20.123456789Z"]"#)
        #expect(try JSONDecoder().decode([Timestamp].self, from: data) == [time])
    }

    @Test func invalidTimestampFailsDecoding() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Timestamp].self, from: Data(#"["yesterday"]"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Timestamp].self, from: Data("[12]".utf8))
        }
    }

    @Test func formatsWholeSecondDates() {
        #expect(GoTime.format(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
        #expect(GoTime.format(Date(timeIntervalSince1970: 1_700_000_000.5), fractionDigits: 0) == "2023-11-14T22:13:20Z")
    }

    @Test func dateOfTimestamp() {
        #expect(Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000).date.timeIntervalSince1970 == 1_700_000_000.5)
    }
}
