import Foundation
import LXDAPI
import LXDHTTP
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct ServerInfoSerialTests {
    @Test func debianClientSeesLXD502() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let version = try f.lxc(["version"]).check().stdout
            #expect(version.contains("Server version: 5.0.2"))
            let info = try f.lxc(["info"]).check().stdout
            #expect(info.contains("api_status: stable"))
            #expect(info.contains("server_version: 5.0.2"))
            #expect(info.contains("auth: trusted"))

            let server = try f.get("/1.0", as: Server.self)
            #expect(server.apiExtensions == APIExtensions.all)
            #expect(server.apiExtensions.count == 318)
            #expect(server.environment.serverPID == Int(f.pid))
        }
    }

    @Test func envelopeStatusCodesAndETags() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let missing = try f.http.request("GET", "/1.0/nonexistent")
            #expect(missing.status == 404)
            let missingBody = try LXDJSON.decode(ResponseRaw.self, from: missing.body)
            #expect(missingBody.type == "error" && missingBody.error == "not found" && missingBody.errorCode == 404)
            #expect(missingBody.metadata == .null)

            #expect(try f.http.request("DELETE", "/1.0").status == 501)
            #expect(try f.http.request("GET", "/1.0/instances/nosuch").status == 404)
            let root = try LXDJSON.decode(ResponseRaw.self, from: try f.http.request("GET", "/").body)
            #expect(root.metadata == .array([.string("/1.0")]))

            let badJSON = try f.http.request("POST", "/1.0/profiles", body: Data("{nope".utf8))
            #expect(badJSON.status == 400)

            let profile = try f.http.request("GET", "/1.0/profiles/default")
            let etag = try #require(profile.headers["ETag"])
            let stale = try f.http.request(
                "PUT", "/1.0/profiles/default", headers: HTTPHeadersFactory.ifMatch("\"bogus\""),
                body: Data(#"{"config":{},"description":"x","devices":{}}"#.utf8))
            #expect(stale.status == 412)
            let fresh = try f.http.request(
                "PATCH", "/1.0/profiles/default", headers: HTTPHeadersFactory.ifMatch(etag), body: Data(#"{"description":"patched"}"#.utf8))
            #expect(fresh.status == 200)
            #expect(try f.lxc(["profile", "show", "default"]).check().stdout.contains("description: patched"))
            // The root disk survived the patch.
            #expect(try f.lxc(["profile", "show", "default"]).check().stdout.contains("pool: default"))
        }
    }

    @Test func initAutoMadeTheDefaultPoolAndProfile() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let pools = try f.lxc(["storage", "list", "--format", "csv"]).check().stdout
            #expect(pools.contains("default,dir"))
            let profile = try f.lxc(["profile", "show", "default"]).check().stdout
            #expect(profile.contains("path: /"))
            #expect(profile.contains("type: disk"))
            #expect(FileManager.default.fileExists(atPath: f.directory + "/storage-pools/default/containers"))
            // A second --auto is refused, not applied twice.
            #expect(try runCommand(f.lxd, ["init", "--auto"], environment: f.environment).status != 0)
        }
    }
}

enum HTTPHeadersFactory {
    static func ifMatch(_ value: String) -> HTTPHeaders {
        HTTPHeaders([("If-Match", value), ("Content-Type", "application/json")])
    }
}
