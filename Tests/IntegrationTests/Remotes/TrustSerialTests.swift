import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import TLS
import Testing

/// The HTTPS API and its trust store, through Debian's lxc and ours, each client with its own
/// configuration folder; raw HTTPS where the wire matters.
@Suite(.serialized, .enabled(if: containersAvailable))
struct TrustSerialTests {
    static let clients = [TestEnvironment.debianLXC, TestEnvironment.ourLXC]

    /// A raw HTTPS client with a certificate of its own (trusted or not).
    static func rawClient(_ address: String, certificate: (certificatePEM: String, keyPEM: String)? = nil) throws -> HTTPClient {
        let pair = try certificate ?? X509Certificate.generate(purpose: .client, commonName: "raw@test", altNames: nil)
        let context = try TLSContext(role: .client, certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)
        let (host, port) = try #require(TCPSocket.split(address))
        return HTTPClient(transport: .tls(host: host, port: port, context: context, verifyPeer: { _ in }))
    }

    static func envelope(_ response: HTTPResponse) throws -> ResponseRaw {
        try LXDJSON.decode(ResponseRaw.self, from: response.body)
    }

    @Test(arguments: clients)
    func trustByPassword(_ client: String) async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let address = try f.listenHTTPS(password: "s3cret")
            let home = try ClientHome(client: client)
            defer { home.remove() }
            let wrong = try home.lxc(["remote", "add", "h1", address, "--accept-certificate", "--password", "nope"])
            #expect(wrong.status != 0)
            #expect(wrong.stderr.contains("Error: not authorized"))
            try home.lxc(["remote", "remove", "h1"])  // LXD's client keeps nothing of a failed add; ours neither
            let added = try home.lxc(["remote", "add", "h1", address, "--accept-certificate", "--password", "s3cret"]).check()
            #expect(added.stdout.contains("Client certificate now trusted by server: h1"))
            #expect(FileManager.default.fileExists(atPath: home.configDirectory + "/client.crt"))
            #expect(FileManager.default.fileExists(atPath: home.configDirectory + "/servercerts/h1.crt"))
            #expect(home.configText.contains("addr: https://\(address)"))
            // The pinned certificate is the daemon's own server.crt.
            let pinned = try X509Certificate(pem: try String(contentsOfFile: home.configDirectory + "/servercerts/h1.crt", encoding: .utf8))
            let served = try X509Certificate(pem: try String(contentsOfFile: f.directory + "/server.crt", encoding: .utf8))
            #expect(pinned == served)
            let list = try home.lxc(["list", "h1:", "--format", "csv"]).check()
            #expect(list.stdout.isEmpty)
            let trust = try f.lxc(["config", "trust", "list", "--format", "csv"], client: TestEnvironment.debianLXC).check()
            #expect(trust.stdout.split(separator: "\n").count == 1)
            #expect(try home.lxc(["remote", "list", "--format", "csv"]).check().stdout.contains("h1,https://\(address),lxd,tls,NO,NO,NO"))
        }
    }

    @Test(arguments: clients)
    func trustByToken(_ client: String) async throws {
        try await DaemonFixture.with(withImage: false) { f in
            try f.listenHTTPS()
            let issued = try f.lxc(["config", "trust", "add", "--name", "joiner", "-q"], client: client).check()
            let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            // The token is LXD's: base64 JSON naming the client, the server's fingerprint and address.
            let decoded = try #require(CertificateAddToken.decode(token).flatMap { try? $0.get() })
            #expect(decoded.clientName == "joiner")
            #expect(
                decoded.fingerprint
                    == (try X509Certificate(pem: try String(contentsOfFile: f.directory + "/server.crt", encoding: .utf8))).fingerprint)
            #expect(
                try f.lxc(["config", "trust", "list-tokens", "--format", "csv"], client: client).check().stdout.contains("joiner,\(token)"))
            let first = try ClientHome(client: client)
            defer { first.remove() }
            try first.lxc(["remote", "add", "h1", token]).check()
            #expect(try first.lxc(["list", "h1:", "--format", "csv"]).check().status == 0)
            let names = try f.lxc(["config", "trust", "list", "--format", "csv"], client: client).check().stdout
            #expect(names.contains("client,joiner,"))
            // One use only.
            let second = try ClientHome(client: client)
            defer { second.remove() }
            let reused = try second.lxc(["remote", "add", "h1", token])
            #expect(reused.status != 0)
            #expect(reused.stderr.contains("Failed to create certificate: No matching certificate add operation found"))
            #expect(try f.lxc(["config", "trust", "list-tokens", "--format", "csv"], client: client).check().stdout.isEmpty)
        }
    }

    @Test func expiredAndRevokedTokensAreRefused() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            try f.listenHTTPS()
            try f.lxc(["config", "set", "core.remote_token_expiry", "1S"]).check()
            let token = try f.lxc(["config", "trust", "add", "--name", "late", "-q"]).check().stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            sleep(2)
            let home = try ClientHome()
            defer { home.remove() }
            let late = try home.lxc(["remote", "add", "h1", token])
            #expect(late.stderr.contains("Failed to create certificate: Token has expired"))
            try f.lxc(["config", "unset", "core.remote_token_expiry"]).check()
            let revoked = try f.lxc(["config", "trust", "add", "--name", "gone", "-q"], client: f.ourLXC).check().stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(
                try f.lxc(["config", "trust", "revoke-token", "gone"], client: f.ourLXC).check().stdout
                    == "Certificate add token for gone deleted\n")
            let refused = try home.lxc(["remote", "add", "h2", revoked], client: f.ourLXC)
            #expect(refused.stderr.contains("No matching certificate add operation found"))
            #expect(try f.lxc(["config", "trust", "list", "--format", "csv"]).check().stdout.isEmpty)
        }
    }

    /// An untrusted certificate sees `GET /1.0` as untrusted and public images; every other
    /// endpoint family answers LXD's 403.
    @Test func untrustedClientIsForbiddenEverywhereElse() async throws {
        try await DaemonFixture.with { f in
            let address = try f.listenHTTPS()
            let raw = try Self.rawClient(address)
            let server = try Self.envelope(try raw.request("GET", "/1.0"))
            #expect(server.metadata["auth"]?.stringValue == "untrusted")
            #expect(server.metadata["public"] == .bool(false))
            #expect(server.metadata["environment"] == nil)
            #expect(server.metadata["config"] == nil)
            for (method, path) in [
                ("GET", "/1.0/instances"), ("POST", "/1.0/instances"), ("GET", "/1.0/instances/x"), ("GET", "/1.0/containers"),
                ("GET", "/1.0/profiles"), ("GET", "/1.0/profiles/default"), ("GET", "/1.0/storage-pools"), ("GET", "/1.0/operations"),
                ("GET", "/1.0/events"), ("GET", "/1.0/certificates"), ("GET", "/1.0/projects"), ("PUT", "/1.0"), ("PATCH", "/1.0"),
                ("POST", "/1.0/images/aliases"), ("DELETE", "/1.0/images/x"), ("PUT", "/internal/shutdown"),
            ] {
                let response = try raw.request(method, path, body: method == "GET" ? nil : Data("{}".utf8))
                #expect(response.status == 403, "\(method) \(path)")
                #expect(try Self.envelope(response).error == "not authorized", "\(method) \(path)")
            }
            // The private test image is invisible; once public it is listed, shown and exported.
            #expect(try Self.envelope(try raw.request("GET", "/1.0/images")).metadata == .array([]))
            #expect(try raw.request("GET", "/1.0/images/aliases/\(f.imageAlias)").status == 404)
            try f.lxc(["image", "edit", f.imageAlias], stdin: Data("public: true\n".utf8)).check()
            let images = try Self.envelope(try raw.request("GET", "/1.0/images")).metadata
            guard case .array(let listed) = images else { throw TestFailure("images: \(images)") }
            #expect(listed.count == 1)
            let alias = try Self.envelope(try raw.request("GET", "/1.0/images/aliases/\(f.imageAlias)")).metadata
            let target = try #require(alias["target"]?.stringValue)
            #expect(try raw.request("GET", "/1.0/images/\(target)/export").status == 200)
            // The unix socket stays fully trusted, and the trusted client sees everything.
            #expect(try f.http.request("GET", "/1.0/instances").status == 200)
        }
    }

    @Test func badCertificatesAndServerConfigAreRefused() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let address = try f.listenHTTPS(password: "Pl41nT3xtP4ssw0rd")
            let bad = f.directory + "/bad.crt"
            try Data("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n".utf8).write(
                to: URL(fileURLWithPath: bad))
            for client in Self.clients {
                let refused = try f.lxc(["config", "trust", "add", bad], client: client)
                #expect(refused.status != 0, "\(client)")
            }
            // Malformed certificate material in the API: 400 with LXD's text, nothing stored.
            let raw = try f.http.request(
                "POST", "/1.0/certificates", body: Data(#"{"type":"client","certificate":"bm90IGEgY2VydA=="}"#.utf8))
            #expect(raw.status == 400)
            #expect(try Self.envelope(raw).error.hasPrefix("Invalid certificate material"))
            #expect(try f.lxc(["config", "trust", "list", "--format", "csv"]).check().stdout.isEmpty)
            // Server keys: LXD's validation messages (the daemon's side; our `lxc config` comes
            // with the instance-config work).
            #expect(try f.lxc(["config", "set", "foo.bar", "1"]).stderr.contains("cannot set 'foo.bar' to '1': unknown key"))
            #expect(
                try f.lxc(["config", "set", "images.auto_update_interval", "abc"]).stderr.contains(
                    "cannot set 'images.auto_update_interval' to 'abc': invalid integer"))
            #expect(try f.lxc(["config", "set", "core.https_address", "127.0.0.1:99999"]).status != 0)
            // The trust password is stored hashed and shown as `true`.
            #expect(try f.lxc(["config", "get", "core.trust_password"]).check().stdout == "true\n")
            for file in ["swiftlxd.db", "swiftlxd.db-wal"] {
                let bytes = FileManager.default.contents(atPath: f.directory + "/database/" + file) ?? Data()
                #expect(bytes.range(of: Data("Pl41nT3xtP4ssw0rd".utf8)) == nil, "\(file) holds the password in clear")
            }
            // The listener moves live.
            let moved = "127.0.0.1:\(try freeLoopbackPort())"
            try f.lxc(["config", "set", "core.https_address", moved]).check()
            #expect(throws: (any Error).self) { try Self.rawClient(address).request("GET", "/1.0") }
            #expect(try Self.rawClient(moved).request("GET", "/1.0").status == 200)
            let info = try f.get("/1.0", as: Server.self)
            #expect(info.environment.addresses == [moved])
            #expect(info.environment.certificateFingerprint.count == 64)
            try f.lxc(["config", "unset", "core.https_address"]).check()
            #expect(throws: (any Error).self) { try Self.rawClient(moved).request("GET", "/1.0") }
        }
    }

    @Test(arguments: clients)
    func unreachableRemoteAndNameClash(_ client: String) async throws {
        let home = try ClientHome(client: client)
        defer { home.remove() }
        let port = try freeLoopbackPort()
        let unreachable = try home.lxc(["remote", "add", "gone", "127.0.0.1:\(port)", "--accept-certificate", "--password", "x"])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("connection refused"))
        #expect(try home.lxc(["remote", "add", "a:b", "127.0.0.1"]).stderr.contains("Error: Remote names may not contain colons"))
        #expect(try home.lxc(["list", "nosuch:"]).stderr.contains("Error: The remote \"nosuch\" doesn't exist"))
        #expect(try home.lxc(["remote", "remove", "local"]).stderr.contains("Error: Remote local is static and cannot be modified"))
    }

    /// A restricted certificate (`--restricted` with projects other than default) sees no instances.
    @Test func restrictedCertificateIsLimitedToItsProjects() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let address = try f.listenHTTPS()
            let pair = try X509Certificate.generate(purpose: .client, commonName: "restricted@test", altNames: nil)
            let file = f.directory + "/restricted.crt"
            try Data(pair.certificatePEM.utf8).write(to: URL(fileURLWithPath: file))
            try f.lxc(["config", "trust", "add", file, "--restricted", "--projects", "other"]).check()
            let shown = try f.lxc(["config", "trust", "show", String(try X509Certificate(pem: pair.certificatePEM).fingerprint.prefix(12))])
                .check().stdout
            #expect(shown.contains("restricted: true"))
            let raw = try Self.rawClient(address, certificate: pair)
            #expect(try Self.envelope(try raw.request("GET", "/1.0")).metadata["auth"]?.stringValue == "trusted")
            #expect(try raw.request("GET", "/1.0/instances").status == 403)
            #expect(try raw.request("PUT", "/1.0", body: Data("{}".utf8)).status == 403)
            #expect(try Self.envelope(try raw.request("GET", "/1.0/projects")).metadata == .array([]))
        }
    }

    /// Our lxc prints what Debian's prints, from the same configuration and the same daemon.
    @Test func bothClientsPrintTheSame() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let address = try f.listenHTTPS(password: "pw")
            let home = try ClientHome()
            defer { home.remove() }
            try home.lxc(["remote", "add", "h1", address, "--accept-certificate", "--password", "pw"]).check()
            try home.lxc(["remote", "add", "h1b", "https://\(address)", "--accept-certificate"], client: f.ourLXC).check()
            try home.lxc(["remote", "switch", "h1"], client: f.ourLXC).check()
            try f.lxc(["config", "trust", "add", "--name", "pending", "-q"]).check()
            let fingerprint = try #require(
                try f.lxc(["config", "trust", "list", "--format", "csv"]).check().stdout.split(separator: ",").dropFirst(3).first)
            for arguments in [
                ["remote", "list"], ["remote", "list", "--format", "csv"], ["remote", "list", "--format", "json"],
                ["remote", "list", "--format", "yaml"], ["remote", "get-default"], ["config", "trust", "list"],
                ["config", "trust", "list", "--format", "csv"], ["config", "trust", "list-tokens", "--format", "csv"],
                ["config", "trust", "show", "h1:\(fingerprint)"], ["list", "h1:"], ["remote", "add", "--help"], ["copy", "--help"],
            ] {
                let theirs = try home.lxc(arguments, client: TestEnvironment.debianLXC)
                let ours = try home.lxc(arguments, client: f.ourLXC)
                #expect(ours.stdout == theirs.stdout, "\(arguments)")
                #expect(ours.status == theirs.status, "\(arguments)")
            }
            // The file our client wrote is still Debian's format (both added a remote to it).
            #expect(home.configText.hasPrefix("default-remote: h1\nremotes:\n  h1:\n    addr: https://\(address)\n    auth_type: tls\n"))
        }
    }
}
