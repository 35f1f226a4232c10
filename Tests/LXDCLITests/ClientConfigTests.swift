import Foundation
import Testing

@testable import LXDCLI

@Suite struct ClientConfigTests {
    /// What Debian's lxc 5.0.2 wrote after `lxc remote add m1 ...` on this machine.
    static let written = """
        default-remote: local
        remotes:
          images:
            addr: https://images.linuxcontainers.org
            protocol: simplestreams
            public: true
          local:
            addr: unix://
            public: false
          m1:
            addr: https://127.0.0.1:18500
            auth_type: tls
            project: default
            protocol: lxd
            public: false
        aliases: {}

        """

    func withConfig(_ text: String?, _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlxd-clientconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/config.yml")) }
        try body(directory)
    }

    @Test func readsAndWritesLXDsFormatByteForByte() throws {
        try withConfig(Self.written) { directory in
            let config = try ClientConfig.load(environment: ["LXD_CONF": directory])
            #expect(config.defaultRemote == "local")
            #expect(config.remotes["m1"]?.addr == "https://127.0.0.1:18500")
            #expect(config.remotes["m1"]?.project == "default")
            #expect(config.remotes["images"]?.isPublic == true)
            #expect(config.remotes["ubuntu"]?.isStatic == true)
            try config.save()
            #expect(try String(contentsOfFile: directory + "/config.yml", encoding: .utf8) == Self.written)
        }
    }

    @Test func defaultsWithoutAFileAndLXCRemoteOverride() throws {
        try withConfig(nil) { directory in
            let config = try ClientConfig.load(environment: ["LXD_CONF": directory, "LXC_REMOTE": "m9"])
            #expect(config.defaultRemote == "m9")
            #expect(config.remotes["local"]?.addr == "unix://")
            #expect(config.remotes["images"] != nil)
        }
    }

    @Test func parseRemoteAsLXD() throws {
        try withConfig(Self.written) { directory in
            let config = try ClientConfig.load(environment: ["LXD_CONF": directory])
            #expect(try config.parseRemote("c1") == ("local", "c1"))
            #expect(try config.parseRemote("m1:c1") == ("m1", "c1"))
            #expect(try config.parseRemote("m1:") == ("m1", ""))
            // A snapshot name with a colon stays on the default remote.
            #expect(try config.parseRemote("c1/snap:1") == ("local", "c1/snap:1"))
            #expect(throws: (any Error).self) { try config.parseRemote("nosuch:c1") }
        }
    }

    @Test(arguments: [
        ("127.0.0.1", "https://127.0.0.1:8443"), ("127.0.0.1:9000", "https://127.0.0.1:9000"), ("https://host", "https://host:8443"),
        ("[::1]:9000", "https://[::1]:9000"), ("/run/lxd.socket", "unix:///run/lxd.socket"),
    ])
    func remoteAddressesNormalise(_ input: String, _ expected: String) throws {
        #expect(try RemoteAddCommand.normalise(input) == expected)
    }

    @Test func otherSchemesAreRefused() {
        #expect(throws: (any Error).self) { try RemoteAddCommand.normalise("http://host") }
    }
}
