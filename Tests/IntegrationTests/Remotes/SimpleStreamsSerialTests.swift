import Foundation
import LXDAPI
import LXDCore
import LXDHTTP
import LXDTestSupport
import TLS
import Testing

/// A tiny simplestreams image server served by the test on loopback (TLS, a self-signed
/// certificate the client pins): the daemon reads its index and products and pulls an image.
@Suite(.serialized, .enabled(if: containersAvailable))
struct SimpleStreamsSerialTests {
    /// The tree: `streams/v1/index.json`, `streams/v1/images.json` and the unified busybox image
    /// as `lxd_combined.tar.gz` (the fingerprint is its SHA-256).
    static func tree() throws -> (files: [String: Data], fingerprint: String) {
        let image = try Data(contentsOf: URL(fileURLWithPath: try TestImage.busybox()))
        let fingerprint = SHA256.hex(of: image)
        let index = #"""
            {"format":"index:1.0","index":{"images":{"datatype":"image-downloads","format":"products:1.0","path":"streams/v1/images.json","products":["busybox:1.35:amd64:default"]}}}
            """#
        let products = """
            {"content_id":"images","datatype":"image-downloads","format":"products:1.0","products":{"busybox:1.35:amd64:default":\
            {"aliases":"busybox/1.35,bbss","arch":"amd64","os":"Busybox","release":"1.35","versions":{"20261204_00:00":{"items":\
            {"lxd_combined.tar.gz":{"ftype":"lxd_combined.tar.gz","path":"images/busybox/lxd_combined.tar.gz","sha256":"\(fingerprint)",\
            "size":\(image.count)}}}}}}}
            """
        return (
            [
                "/streams/v1/index.json": Data(index.utf8), "/streams/v1/images.json": Data(products.utf8),
                "/images/busybox/lxd_combined.tar.gz": image,
            ],
            fingerprint
        )
    }

    /// Serves the tree over TLS on loopback for `body`, with a client home where remote `ss`
    /// names it (its self-signed certificate pinned as LXD's client reads it).
    static func withServer(client: String, _ body: (ClientHome) async throws -> Void) async throws {
        let (files, _) = try Self.tree()
        let pair = try X509Certificate.generate(purpose: .server, commonName: "streams@test", altNames: "DNS:localhost,IP:127.0.0.1")
        let context = try TLSContext(role: .server, certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)
        let server = try HTTPServer(tcpAddress: "127.0.0.1:0", tls: context) { connection in
            guard let body = files[connection.head.path] else {
                try? connection.send(status: 404, body: "not found")
                return
            }
            try? connection.send(status: 200, headers: HTTPHeaders([("Content-Type", "application/octet-stream")]), body: body)
        }
        server.start()
        defer {
            server.stop()
            server.closeConnections()
        }
        let home = try ClientHome(client: client)
        defer { home.remove() }
        try home.lxc(["remote", "add", "ss", "https://\(server.address)", "--protocol", "simplestreams"]).check()
        #expect(home.configText.contains("ss:\n    addr: https://\(server.address)\n    protocol: simplestreams\n    public: true"))
        try FileManager.default.createDirectory(atPath: home.configDirectory + "/servercerts", withIntermediateDirectories: true)
        try Data(pair.certificatePEM.utf8).write(to: URL(fileURLWithPath: home.configDirectory + "/servercerts/ss.crt"))
        try await body(home)
    }

    @Test(arguments: [TestEnvironment.ourLXC, TestEnvironment.debianLXC])
    func launchFromASimpleStreamsServer(_ client: String) async throws {
        let (_, fingerprint) = try Self.tree()
        try await Self.withServer(client: client) { home in
            try await DaemonFixture.with(withImage: false) { f in
                let name = f.name("ss")
                try home.lxc(["launch", "ss:bbss", name], local: f).check()
                #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
                let images = try f.get("/1.0/images?recursion=1", as: [Image].self)
                #expect(images.map(\.fingerprint) == [fingerprint])
                #expect(images.first?.cached == true)
                // An alias the server does not publish: LXD's error, nothing stored.
                let missing = try home.lxc(["launch", "ss:nosuch", f.name("none")], local: f)
                #expect(missing.status != 0)
                #expect(try f.get("/1.0/instances", as: [String].self).count == 1)
            }
        }
    }

    /// `lxc image list ss:`: our client reads the catalog itself and shows what Debian's shows.
    @Test func listASimpleStreamsServer() async throws {
        var outputs: [String: [String]] = [:]
        for client in [TestEnvironment.debianLXC, TestEnvironment.ourLXC] {
            try await Self.withServer(client: client) { home in
                var lines: [String] = []
                for arguments in [
                    ["image", "list", "ss:"], ["image", "list", "ss:", "--format", "csv"], ["image", "list", "ss:", "-c", "LFpdasut"],
                    ["image", "list", "ss:", "bbss"], ["image", "list", "ss:", "os=Busybox", "--format", "compact"],
                    ["image", "list", "ss:", "nomatch"],
                ] {
                    let result = try home.lxc(arguments)
                    lines.append("\(arguments) -> \(result.status)\n\(result.stdout)\(result.stderr)")
                }
                outputs[client] = lines
            }
        }
        let ours = outputs[TestEnvironment.ourLXC] ?? []
        let debian = outputs[TestEnvironment.debianLXC] ?? []
        #expect(ours.count == 6 && ours.count == debian.count)
        for (line, expected) in zip(ours, debian) { #expect(line == expected) }
        #expect(ours.first?.contains("bbss") == true)
    }
}
