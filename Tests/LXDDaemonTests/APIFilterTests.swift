import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct APIFilterTests {
    static let instance: JSONValue = .object([
        "name": .string("c1"), "status": .string("Running"), "type": .string("container"), "ephemeral": .bool(false),
        "status_code": .number(103), "config": .object(["image.os": .string("Funtoo"), "limits.cpu": .string("2")]),
        "state": .object(["status": .string("Running")]),
    ])

    /// What LXD 5.0.2 answers for the same filters (checked against the real daemon): strings
    /// match case-insensitively as whole-value regular expressions, a string map takes the rest
    /// of the path as its key, and non-string fields never equal the (string) value.
    @Test(arguments: [
        ("name eq c1", true), ("name eq C1", true), ("name eq c", false), ("name eq c.*", true), ("name eq ^c", true),
        ("status eq running", true), ("status ne running", false), ("not status eq running", false),
        ("status eq stopped or name eq c1", true), ("status eq stopped and name eq c1", false),
        ("name eq c1 and type eq container", true), ("config.image.os eq funtoo", true), ("config.limits.cpu eq 2", true),
        ("config.nosuch eq x", false), ("nosuch eq x", false), ("nosuch ne x", true), ("state.status eq RUNNING", true),
        ("ephemeral eq false", false), ("status_code eq 103", false), ("name eq (", false),
        ("name EQ c1", true),
    ])
    func matches(_ text: String, _ expected: Bool) throws {
        #expect(try APIFilter.parse(text).matches(Self.instance) == expected, "\(text)")
    }

    @Test func quotedValuesMaySpanSpaces() throws {
        let object: JSONValue = .object(["description": .string("my box here")])
        #expect(try APIFilter.parse("description eq \"my box here\"").matches(object))
        #expect(try !APIFilter.parse("description eq \"my box\"").matches(object))
    }

    @Test(arguments: [
        ("foo", "clause has no operator"), ("name eq", "clause has no value"), ("not", "incomplete not clause"),
        ("name eq c1 xor a eq b", "invalid clause composition"), ("name eq \"c1", "unterminated quote"),
        ("name eq c1 and", "unterminated compound clause"),
        // A one-word quoted value: LXD looks for the closing quote in the next word.
        ("name eq \"c1\"", "unterminated quote"),
    ])
    func invalid(_ text: String, _ reason: String) {
        #expect(throws: LXDError.internalError("Invalid filter: \(reason)")) { try APIFilter.parse(text) }
    }

    @Test func anEmptyFilterMatchesEverything() throws {
        #expect(try APIFilter.parse("").matches(Self.instance))
        #expect(try APIFilter.parse("  ").matches(.object([:])))
    }
}
