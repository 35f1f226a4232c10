import Foundation
import LXDAPI
import Testing

@testable import LXDDaemon

@Suite struct ServerConfigTests {
    @Test func validValuesBecomeChanges() throws {
        let changes = try ServerConfig.changes(
            ["core.https_address": .string("127.0.0.1:8443"), "images.auto_update_interval": .string("0"), "user.x": .string("y")],
            current: [:], replace: false)
        #expect(changes["core.https_address"] == .some("127.0.0.1:8443"))
        #expect(changes["images.auto_update_interval"] == .some("0"))
        #expect(changes["user.x"] == .some("y"))
    }

    @Test func defaultsAndEmptyValuesUnset() throws {
        let changes = try ServerConfig.changes(
            ["images.auto_update_interval": .string("6"), "core.https_address": .string(""), "core.proxy_http": .null], current: [:],
            replace: false)
        #expect(changes["images.auto_update_interval"] == .some(nil))
        #expect(changes["core.https_address"] == .some(nil))
        #expect(changes["core.proxy_http"] == .some(nil))
    }

    @Test func putUnsetsKeysItDoesNotName() throws {
        let changes = try ServerConfig.changes([:], current: ["core.https_address": ":8443"], replace: true)
        #expect(changes["core.https_address"] == .some(nil))
    }

    @Test func trustPasswordIsHashedAndKeptWhenSentBackAsTrue() throws {
        let changes = try ServerConfig.changes(["core.trust_password": .string("secret")], current: [:], replace: false)
        let hashed = try #require(changes["core.trust_password"] ?? nil)
        #expect(hashed.count == 192)
        #expect(TrustPassword.check("secret", against: hashed))
        #expect(!TrustPassword.check("other", against: hashed))
        #expect(!TrustPassword.check("secret", against: ""))
        #expect(!TrustPassword.check("secret", against: "zz"))
        let kept = try ServerConfig.changes(["core.trust_password": .bool(true)], current: ["core.trust_password": hashed], replace: true)
        #expect(kept["core.trust_password"] == nil)
        #expect(ServerConfig.rendered(["images.auto_update_interval": "6", "core.https_address": ":1"]) == ["core.https_address": ":1"])
    }

    @Test(arguments: [
        ("foo.bar", JSONValue.string("1"), "cannot set 'foo.bar' to '1': unknown key"),
        ("images.auto_update_interval", .string("abc"), "cannot set 'images.auto_update_interval' to 'abc': invalid integer"),
        ("images.auto_update_cached", .string("maybe"), "cannot set 'images.auto_update_cached' to 'maybe': invalid boolean"),
        ("core.https_address", .string("127.0.0.1:99999"), "cannot set 'core.https_address' to '127.0.0.1:99999': Invalid listen address"),
        ("core.remote_token_expiry", .string("5x"), "cannot set 'core.remote_token_expiry' to '5x': Invalid expiry expression"),
        (
            "images.compression_algorithm", .string("rar"),
            "cannot set 'images.compression_algorithm' to 'rar': Invalid compression algorithm"
        ),
    ])
    func badValuesGetLXDsMessages(_ key: String, _ value: JSONValue, _ message: String) {
        #expect(throws: LXDError.badRequest(message)) { try ServerConfig.changes([key: value], current: [:], replace: false) }
    }

    @Test func expiryExpressions() throws {
        let reference = Date(timeIntervalSince1970: 1_000_000)
        #expect(Expiry.parse("30S", from: reference) == reference.addingTimeInterval(30))
        #expect(Expiry.parse("1H 30M", from: reference) == reference.addingTimeInterval(5400))
        #expect(Expiry.parse("2w", from: reference) == reference.addingTimeInterval(14 * 86400))
        for bad in ["1", "H", "1H 2H", "-1H", "1h"] { #expect(Expiry.parse(bad, from: reference) == nil, "\(bad)") }
    }
}
