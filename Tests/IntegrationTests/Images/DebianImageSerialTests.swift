import Foundation
import LXDTestSupport
import Testing

/// A real distribution: Debian bookworm from `scripts/build-debian-image.sh` (debootstrap).
/// Opt-in, because it downloads packages: `SWIFTLXD_DEBIAN_IMAGE=1 make test`.
@Suite(.serialized, .enabled(if: containersAvailable && ProcessInfo.processInfo.environment["SWIFTLXD_DEBIAN_IMAGE"] == "1"))
struct DebianImageSerialTests {
    static func image() throws -> String {
        let path = TestEnvironment.packageRoot + "/.build/test-debian.tar.xz"
        if !FileManager.default.fileExists(atPath: path) {
            try runCommand("/bin/sh", [TestEnvironment.packageRoot + "/scripts/build-debian-image.sh", path], timeout: 1200).check()
        }
        return path
    }

    @Test func bookwormBootsUnprivileged() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            try f.lxc(["image", "import", try Self.image(), "--alias", "debian"], timeout: 600).check()
            let name = f.name("deb")
            try f.lxc(["launch", "debian", name], timeout: 600).check()
            // systemd reaches a running state ("degraded" counts: some units need hardware).
            let state = try f.lxc(["exec", name, "--", "systemctl", "is-system-running", "--wait"], timeout: 120)
            #expect(["running\n", "degraded\n"].contains(state.stdout), "\(state)")
            #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            // apt sees itself as root: it can take its lock.
            #expect(try f.lxc(["exec", name, "--", "apt-get", "check"]).status == 0)
            let pid = try #require(try infoPID(f, name))
            #expect(hostUID(ofPID: pid) == 100000)
        }
    }
}
