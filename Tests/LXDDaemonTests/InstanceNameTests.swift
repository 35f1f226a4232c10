import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct InstanceNameTests {
    @Test(arguments: [
        "c1", "a", "Z", "my-container", "A1b2C3", "a-b-c", "x--y", String(repeating: "a", count: 63),
        "c" + String(repeating: "1", count: 62),
    ])
    func validNames(name: String) throws {
        try InstanceName.validate(name)
    }

    @Test(arguments: [
        ("", "Name is required"),
        (String(repeating: "a", count: 64), "1-63 characters"),
        (String(repeating: "a", count: 100), "1-63 characters"),
        ("c_1", "alphanumeric and hyphen"),
        ("c.1", "alphanumeric and hyphen"),
        ("c 1", "alphanumeric and hyphen"),
        ("c/1", "alphanumeric and hyphen"),
        ("c1\n", "alphanumeric and hyphen"),
        ("café", "alphanumeric and hyphen"),
        ("c١", "alphanumeric and hyphen"),
        ("1abc", "number"),
        ("9", "number"),
        ("-abc", "hyphen"),
        ("-", "hyphen"),
        ("abc-", "hyphen"),
    ])
    func invalidNames(name: String, reason: String) throws {
        do {
            try InstanceName.validate(name)
            Issue.record("\"\(name)\" should be rejected")
        } catch let error as LXDError {
            #expect(error.status == .badRequest)
            #expect(error.message.hasPrefix("Invalid instance name: "))
            #expect(error.message.contains(reason))
        }
    }

    @Test func lengthCountsBytes() {
        // 32 two-byte characters are 64 bytes: too long before the character check.
        #expect(throws: LXDError.self) { try InstanceName.validate(String(repeating: "é", count: 32)) }
    }
}
