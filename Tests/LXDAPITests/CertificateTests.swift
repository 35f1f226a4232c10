import Foundation
import Testing

@testable import LXDAPI

@Suite struct CertificateTests {
    /// The token LXD 5.0.2 printed on this machine (`lxc config trust add`), decoded.
    @Test func decodesLXDsToken() throws {
        let text =
            "eyJjbGllbnRfbmFtZSI6InRvazEiLCJmaW5nZXJwcmludCI6Ijc0MzJiOTc3ZGVlMWUyNmQ0OWVhNmY1ZGI0Zjk0NWM2NDBlMWE2ZTkzNzEyMjMyZTQ0MmMxNWQ2NThiZDllNTMiLCJhZGRyZXNzZXMiOlsiMTI3LjAuMC4xOjE4NDQzIl0sInNlY3JldCI6ImI4Mjc3MWNkODBjMjY4ZjFhNjNhYzA1ODVjZGE5YTRiOGM0NzQxNmM3YjE1YzM0OTM5OTIxYzE4N2ViYjViZGEiLCJleHBpcmVzX2F0IjoiMDAwMS0wMS0wMVQwMDowMDowMFoifQ=="
        let token = try #require(CertificateAddToken.decode(text)).get()
        #expect(token.clientName == "tok1")
        #expect(token.addresses == ["127.0.0.1:18443"])
        #expect(token.fingerprint.hasPrefix("7432b977"))
        #expect(token.expiresAt == .goZero)
        // Re-encoding gives the same text: same keys, same order.
        #expect(token.encoded == text)
    }

    @Test func notATokenOrAnIncompleteOne() throws {
        #expect(CertificateAddToken.decode("127.0.0.1:8443") == nil)
        #expect(CertificateAddToken.decode("password") == nil)
        let missing = Data(#"{"client_name":"a","addresses":[],"secret":"s","fingerprint":"f"}"#.utf8).base64EncodedString()
        guard case .failure(let error)? = CertificateAddToken.decode(missing) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.message == "No server addresses in certificate add token")
    }

    @Test func postEncodesGoFields() throws {
        let post = CertificatesPost(put: CertificatePut(name: "n", type: "client"), password: "pw", token: false)
        let json = try #require(String(data: try JSONEncoder().encode(post), encoding: .utf8))
        for key in [
            "\"name\":\"n\"", "\"type\":\"client\"", "\"restricted\":false", "\"projects\":[]", "\"password\":\"pw\"", "\"token\":false",
        ] {
            #expect(json.contains(key), "\(key)")
        }
        let decoded = try JSONDecoder().decode(CertificatesPost.self, from: Data(#"{"password":"x","projects":null}"#.utf8))
        #expect(decoded.password == "x" && decoded.put.projects.isEmpty)
    }

    @Test func serverConfigShowsHiddenKeysAsTrue() throws {
        let server = Server(
            config: ["core.trust_password": "abcd", "core.https_address": ":8443"], apiExtensions: [], auth: "trusted",
            environment: ServerEnvironment())
        let json = try #require(String(data: try JSONEncoder().encode(server), encoding: .utf8))
        #expect(json.contains("\"core.trust_password\":true"))
        let back = try JSONDecoder().decode(Server.self, from: Data(json.utf8))
        #expect(back.config["core.trust_password"] == "true")
        #expect(back.config["core.https_address"] == ":8443")
        let untrusted = try #require(String(data: try JSONEncoder().encode(server.untrusted), encoding: .utf8))
        #expect(!untrusted.contains("environment") && untrusted.contains("\"auth\":\"untrusted\""))
    }
}
