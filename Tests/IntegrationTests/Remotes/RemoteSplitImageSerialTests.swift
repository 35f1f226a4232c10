import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// A split image (metadata + rootfs) on one server, pulled by another: the export arrives as two
/// multipart parts, and the copy keeps the split form and LXD's split fingerprint.
@Suite(.serialized, .enabled(if: containersAvailable))
struct RemoteSplitImageSerialTests {
    @Test(arguments: [TestEnvironment.debianLXC, TestEnvironment.ourLXC])
    func splitImagesMoveBetweenServers(_ client: String) async throws {
        try await RemoteInstancesSerialTests.withTwoHosts(client: client) { f1, f2, home in
            let split = SplitImageSerialTests()
            let (metadata, rootfs) = try split.build(f1, rootfs: "squashfs")
            let fingerprint = try split.splitFingerprint(metadata, rootfs)
            try f1.lxc(["image", "import", metadata, rootfs, "--alias", "split"]).check()

            let name = f2.name("fromsplit")
            try home.lxc(["launch", "h1:split", "h2:\(name)"]).check()
            #expect(try home.lxc(["exec", "h2:\(name)", "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            #expect(try f2.get("/1.0/images", as: [String].self) == ["/1.0/images/\(fingerprint)"])

            try home.lxc(["delete", "--force", "h2:\(name)"]).check()
            try home.lxc(["image", "delete", "h2:\(fingerprint)"]).check()
            try home.lxc(["image", "copy", "h1:split", "h2:", "--alias", "copied"]).check()
            let target = f2.directory + "/exported"
            try home.lxc(["image", "export", "h2:copied", target]).check()
            #expect(try split.splitFingerprint(target, target + ".root") == fingerprint)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: f2.directory + "/images/tmp")) ?? []).isEmpty)
        }
    }
}
