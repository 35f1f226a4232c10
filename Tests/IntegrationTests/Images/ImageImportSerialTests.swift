import Foundation
import LXDAPI
import LXDCore
import LXDTestSupport
import Testing

@Suite(.serialized, .enabled(if: containersAvailable))
struct ImageImportSerialTests {
    @Test func importListShowAliasExportDelete() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let tarball = try TestImage.busybox()
            let expected = try SHA256.hex(ofFile: tarball)
            let imported = try f.lxc(["image", "import", tarball, "--alias", "bb"]).check()
            #expect(imported.stdout.contains("Image imported with fingerprint: \(expected)"))

            let list = try f.lxc(["image", "list", "--format", "csv"]).check().stdout
            #expect(list.contains("bb,\(expected.prefix(12))"))

            let image = try f.get("/1.0/images/\(expected)", as: Image.self)
            #expect(image.fingerprint == expected)
            #expect(image.architecture == HostArchitecture.name)
            #expect(image.properties["os"] == "busybox")
            #expect(image.aliases.map(\.name) == ["bb"])
            #expect(image.size == Int64((try FileManager.default.attributesOfItem(atPath: tarball)[.size] as? Int) ?? -1))
            #expect(image.filename == "test-busybox.tar.xz")

            let show = try f.lxc(["image", "show", "bb"]).check().stdout
            #expect(show.contains("os: busybox"))

            try f.lxc(["image", "alias", "create", "bb2", expected]).check()
            try f.lxc(["image", "alias", "rename", "bb2", "bb3"]).check()
            let aliases = try f.lxc(["image", "alias", "list", "--format", "csv"]).check().stdout
            #expect(aliases.contains("bb3,"))
            #expect(!aliases.contains("bb2,"))
            try f.lxc(["image", "alias", "delete", "bb3"]).check()

            let exportBase = f.directory + "/exported"
            try f.lxc(["image", "export", "bb", exportBase]).check()
            #expect(try SHA256.hex(ofFile: exportBase + ".tar.xz") == expected)

            let duplicate = try f.lxc(["image", "import", tarball])
            #expect(duplicate.status == 1)
            #expect(duplicate.stderr.contains("Image with same fingerprint already exists"))

            // `lxc image edit` from stdin: properties and public change, nothing else.
            let edited =
                "auto_update: false\nproperties:\n  os: busybox\n  purpose: testing\npublic: true\nexpires_at: 2030-01-01T00:00:00Z\nprofiles:\n- default\n"
            try f.lxc(["image", "edit", "bb"], stdin: Data(edited.utf8)).check()
            let after = try f.get("/1.0/images/\(expected)", as: Image.self)
            #expect(after.properties == ["os": "busybox", "purpose": "testing"])
            #expect(after.isPublic)
            #expect(after.expiresAt.description == "2030-01-01T00:00:00Z")
            #expect(after.fingerprint == expected && after.size == image.size)

            try f.lxc(["image", "delete", "bb"]).check()
            #expect(try f.get("/1.0/images", as: [String].self).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: f.directory + "/images/\(expected)"))
        }
    }

    /// Every compression LXD accepts for a unified tarball; export hands back the same bytes
    /// under LXD's file name (fingerprint plus the compression's extension).
    @Test(arguments: ["", ".gz", ".bz2", ".lzma", ".zst"])
    func otherCompressions(_ suffix: String) async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let tarball = f.directory + "/bb.tar" + suffix
            try runCommand("/bin/sh", [TestEnvironment.packageRoot + "/scripts/build-busybox-image.sh", tarball]).check()
            try f.lxc(["image", "import", tarball, "--alias", "bb"]).check()
            let name = f.name("c")
            try f.lxc(["launch", "bb", name]).check()
            #expect(try f.lxc(["exec", name, "--", "cat", "/etc/hostname"]).check().stdout == "\(name)\n")
            let fingerprint = try SHA256.hex(ofFile: tarball)
            try f.lxc(["image", "export", "bb", f.directory + "/out"]).check()
            #expect(try SHA256.hex(ofFile: f.directory + "/out.tar" + suffix) == fingerprint)
            #expect(try f.lxc(["image", "refresh", "bb"]).check().stdout.contains("Image already up to date."))
        }
    }
}

enum HostArchitecture {
    static var name: String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
