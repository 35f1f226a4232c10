import Foundation
import LXDAPI
import LXDCore
import LXDTestSupport
import Testing

/// Images move between our daemon and the real LXD 5.0.2 in both directions, with the same
/// fingerprint, and launch on the other side.
@Suite(.serialized, .enabled(if: containersAvailable && ReferenceDaemon.isInstalled))
struct ImageInteropSerialTests {
    @Test func ourExportImportsIntoLXD() async throws {
        try await DaemonFixture.with { f in
            try await ReferenceDaemon.with { lxd in
                let target = f.directory + "/ours"
                try f.lxc(["image", "export", f.imageAlias, target]).check()
                let fingerprint = try SHA256.hex(ofFile: target + ".tar.xz")
                let imported = try lxd.lxc(["image", "import", target + ".tar.xz", "--alias", "fromours"]).check()
                #expect(imported.stdout.contains(fingerprint))
                try lxd.lxc(["launch", "fromours", "interop1"]).check()
                #expect(try lxd.lxc(["exec", "interop1", "--", "cat", "/etc/hostname"]).check().stdout == "interop1\n")
            }
        }
    }

    /// An image the real LXD wrote itself (`lxc publish`, gzip) imports into ours and launches.
    @Test func lxdPublishedImageImportsIntoOurs() async throws {
        try await DaemonFixture.with { f in
            try await ReferenceDaemon.with { lxd in
                try lxd.lxc(["image", "import", try TestImage.busybox(), "--alias", "bb"]).check()
                try lxd.lxc(["init", "bb", "pub"]).check()
                try lxd.lxc(["publish", "pub", "--alias", "published"]).check()
                let target = f.directory + "/theirs"
                try lxd.lxc(["image", "export", "published", target]).check()
                let exported = try FileManager.default.contentsOfDirectory(atPath: f.directory).first { $0.hasPrefix("theirs") }
                let file = f.directory + "/" + (try #require(exported))
                let fingerprint = try SHA256.hex(ofFile: file)
                try f.lxc(["image", "import", file, "--alias", "fromlxd"]).check()
                #expect(try f.get("/1.0/images/\(fingerprint)", as: LXDAPIImage.self).fingerprint == fingerprint)
                let name = f.name("fromlxd")
                try f.lxc(["launch", "fromlxd", name]).check()
                #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            }
        }
    }
}

typealias LXDAPIImage = LXDAPI.Image
