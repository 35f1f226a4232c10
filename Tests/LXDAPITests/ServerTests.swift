import Foundation
import Testing

@testable import LXDAPI

@Suite struct ServerTests {
    static var environment: ServerEnvironment {
        var environment = ServerEnvironment()
        environment.architectures = ["x86_64", "i686"]
        environment.kernelArchitecture = "x86_64"
        environment.serverPID = 1234
        environment.serverVersion = "5.0.2"
        environment.storage = "dir"
        environment.storageVersion = "1"
        environment.storageSupportedDrivers = [
            ServerStorageDriverInfo(name: "dir", version: "1", remote: false),
            ServerStorageDriverInfo(name: "ceph", version: "17.2.5", remote: true),
        ]
        return environment
    }

    static var server: Server {
        Server(
            config: ["core.https_address": ""], apiExtensions: ["storage_zfs_remove_snapshots"], auth: "trusted", environment: environment)
    }

    @Test func storageDriversUseGosFieldNames() throws {
        #expect(
            try jsonText(Self.environment.storageSupportedDrivers)
                == #"[{"Name":"dir","Remote":false,"Version":"1"},{"Name":"ceph","Remote":true,"Version":"17.2.5"}]"#)
        #expect(try jsonText(Self.environment).contains(#""storage_supported_drivers":[{"Name":"dir","Remote":false,"Version":"1"}"#))
    }

    @Test func storageDriversDecodeFromLXD() throws {
        let drivers = try decode([ServerStorageDriverInfo].self, #"[{"Name":"zfs","Version":"2.1.11-1","Remote":false}]"#)
        #expect(drivers.first?.name == "zfs")
        #expect(drivers.first?.version == "2.1.11-1")
        #expect(drivers.first?.remote == false)
    }

    @Test func serverHasLXDsKeys() throws {
        #expect(
            try topLevelKeys(Self.server) == [
                "config", "api_extensions", "api_status", "api_version", "auth", "public", "auth_methods", "environment",
            ])
        let text = try jsonText(Self.server)
        #expect(text.contains(#""api_status":"stable""#))
        #expect(text.contains(#""api_version":"1.0""#))
        #expect(text.contains(#""auth_methods":["tls"]"#))
        #expect(text.contains(#""public":false"#))
    }

    @Test func environmentHasLXDsKeys() throws {
        #expect(
            try topLevelKeys(Self.environment) == [
                "addresses", "architectures", "certificate", "certificate_fingerprint", "driver", "driver_version", "firewall",
                "kernel", "kernel_architecture", "kernel_features", "kernel_version", "lxc_features", "os_name", "os_version",
                "project", "server", "server_clustered", "server_event_mode", "server_name", "server_pid", "server_version",
                "storage", "storage_version", "storage_supported_drivers",
            ])
    }

    @Test func roundTrips() throws {
        let decoded = try decode(Server.self, try jsonText(Self.server))
        #expect(decoded.auth == "trusted")
        #expect(decoded.environment.serverPID == 1234)
        #expect(decoded.environment.storageSupportedDrivers.map(\.name) == ["dir", "ceph"])
        #expect(try jsonText(decoded) == jsonText(Self.server))
    }

    @Test func untrustedServerDecodesLeniently() throws {
        let server = try decode(
            Server.self,
            #"{"api_extensions":["a"],"api_status":"stable","api_version":"1.0","auth":"untrusted","public":false,"auth_methods":["tls"]}"#)
        #expect(server.auth == "untrusted")
        #expect(server.config.isEmpty)
        #expect(server.environment.serverName == "")
        #expect(server.environment.storageSupportedDrivers.isEmpty)
    }

    @Test(arguments: [#"{"public":"no"}"#, #"{"api_extensions":"a"}"#, #"{"environment":{"server_pid":"1"}}"#])
    func wrongTypesThrow(body: String) {
        #expect(throws: DecodingError.self) { try decode(Server.self, body) }
    }
}
