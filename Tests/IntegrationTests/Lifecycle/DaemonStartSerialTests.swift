import Foundation
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct DaemonStartSerialTests {
    /// `/var/lib/lxd` may hold Debian LXD's database: the daemon refuses it rather than touch it.
    @Test func refusesAForeignLXDDatabase() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlxd-foreign-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/database/global", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/database/local.db", contents: Data("not ours".utf8))
        var environment = ProcessInfo.processInfo.environment
        environment["LXD_DIR"] = directory
        let result = try runCommand(TestEnvironment.binaries + "/lxd", [], environment: environment, timeout: 30)
        #expect(result.status == 1)
        #expect(result.stderr.contains("holds another LXD's database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/database/local.db")) == Data("not ours".utf8))
        #expect(!FileManager.default.fileExists(atPath: directory + "/unix.socket"))
    }

    @Test func versionAndUnknownCommand() throws {
        let lxd = TestEnvironment.binaries + "/lxd"
        #expect(try runCommand(lxd, ["--version"]).check().stdout == "5.0.2\n")
        let unknown = try runCommand(lxd, ["frobnicate"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error: unknown command \"frobnicate\" for \"lxd\"\n")
    }

    /// A second daemon on the same LXD_DIR refuses to start while the first one answers.
    @Test func oneDaemonPerDirectory() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let second = try runCommand(f.lxd, [], environment: f.environment, timeout: 30)
            #expect(second.status == 1)
            #expect(second.stderr.contains("LXD is already running"))
            #expect(try f.lxc(["version"]).check().stdout.contains("Server version: 5.0.2"))
        }
    }
}
