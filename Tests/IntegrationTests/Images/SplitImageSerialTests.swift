import Foundation
import LXDAPI
import LXDCore
import LXDTestSupport
import Testing

/// Split images: a metadata tarball plus a rootfs tarball or squashfs, with LXD's fingerprint
/// (SHA-256 of the metadata bytes followed by the rootfs bytes) and the multipart upload and
/// export Debian's client uses.
@Suite(.serialized, .enabled(if: containersAvailable))
struct SplitImageSerialTests {
    func build(_ f: DaemonFixture, rootfs suffix: String) throws -> (metadata: String, rootfs: String) {
        let metadata = f.directory + "/meta-\(suffix).tar.xz"
        let rootfs = f.directory + "/rootfs.\(suffix)"
        try runCommand("/bin/sh", [TestEnvironment.packageRoot + "/scripts/build-busybox-image.sh", "--split", metadata, rootfs]).check()
        return (metadata, rootfs)
    }

    func splitFingerprint(_ metadata: String, _ rootfs: String) throws -> String {
        var data = try Data(contentsOf: URL(fileURLWithPath: metadata))
        data.append(try Data(contentsOf: URL(fileURLWithPath: rootfs)))
        return SHA256.hex(of: data)
    }

    @Test(arguments: ["squashfs", "tar.xz"])
    func importLaunchExport(_ suffix: String) async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let (metadata, rootfs) = try build(f, rootfs: suffix)
            let expected = try splitFingerprint(metadata, rootfs)
            let imported = try f.lxc(["image", "import", metadata, rootfs, "--alias", "split"]).check()
            #expect(imported.stdout.contains("Image imported with fingerprint: \(expected)"))

            let name = f.name("split")
            try f.lxc(["launch", "split", name]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            var info = stat()
            #expect(stat(f.directory + "/storage-pools/default/containers/\(name)/rootfs/bin/busybox", &info) == 0)
            #expect(info.st_uid == 100000)

            let target = f.directory + "/exported"
            try f.lxc(["image", "export", "split", target]).check()
            #expect(try splitFingerprint(target, target + ".root") == expected)

            try f.lxc(["delete", "--force", name]).check()
            try f.lxc(["image", "delete", "split"]).check()
            #expect(try FileManager.default.contentsOfDirectory(atPath: f.directory + "/images").filter { $0 != "tmp" }.isEmpty)
        }
    }

    @Test func halvesThatDoNotBelongTogether() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let (metadata, rootfs) = try build(f, rootfs: "tar.xz")
            let unified = try TestImage.busybox()
            let notSquashfs = f.directory + "/fake.squashfs"
            _ = FileManager.default.createFile(atPath: notSquashfs, contents: Data("hsqs".utf8) + Data(repeating: 7, count: 4000))
            for (first, second) in [(metadata, metadata), (unified, rootfs), (metadata, notSquashfs)] {
                let result = try f.lxc(["image", "import", first, second])
                #expect(result.status == 1, "\(first) + \(second): \(result)")
                #expect(result.stderr.hasPrefix("Error: "))
            }
            #expect(try f.get("/1.0/images", as: [String].self).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: f.directory + "/images").filter { $0 != "tmp" }.isEmpty)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: f.directory + "/images/tmp")) ?? []).isEmpty)
        }
    }
}
