import Foundation
import LXDAPI
import LXDTestSupport
import Testing

/// Bad input gets LXD's error and leaves nothing behind: no rows, no files, no volumes.
@Suite(.serialized, .enabled(if: containersAvailable))
struct BadInputSerialTests {
    /// Crafted tarballs, written with Python's tarfile so that entries can be as hostile as needed.
    static let crafter = #"""
        import io, sys, tarfile
        kind, out = sys.argv[1], sys.argv[2]
        meta = b"architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: bad\n"
        def add(tar, name, data=b"", type=tarfile.REGTYPE, link=""):
            info = tarfile.TarInfo(name); info.type = type; info.linkname = link; info.size = len(data) if type == tarfile.REGTYPE else 0
            info.mode = 0o755 if type == tarfile.DIRTYPE else 0o644
            tar.addfile(info, io.BytesIO(data) if type == tarfile.REGTYPE else None)
        with tarfile.open(out, "w:gz") as tar:
            if kind != "nometa" and kind != "symlinkmeta":
                add(tar, "metadata.yaml", b"architecture: [1, 2]\n" if kind == "badtype" else meta)
            if kind == "symlinkmeta":
                add(tar, "metadata.yaml", type=tarfile.SYMTYPE, link="/etc/passwd")
            if kind == "symlinkrootfs":
                add(tar, "rootfs", type=tarfile.SYMTYPE, link="/etc")
            else:
                add(tar, "rootfs", type=tarfile.DIRTYPE)
                add(tar, "rootfs/bin", type=tarfile.DIRTYPE)
            if kind == "dotdot":
                add(tar, "rootfs/../../escaped-dotdot", b"x")
            if kind == "absolute":
                add(tar, "/tmp/swiftlxd-escaped-absolute", b"x")
            if kind == "foreignids":
                info = tarfile.TarInfo("rootfs/bin/owned-by-stranger"); info.size = 1; info.uid = 20000000; info.gid = 20000000
                tar.addfile(info, io.BytesIO(b"x"))
            if kind == "escapinglink":
                add(tar, "rootfs/hostetc", type=tarfile.SYMTYPE, link="/tmp")
                add(tar, "rootfs/hostetc/swiftlxd-escaped-link", b"x")
        """#

    func craft(_ kind: String, in f: DaemonFixture) throws -> String {
        let path = f.directory + "/\(kind).tar.gz"
        try runCommand("/usr/bin/python3", ["-c", Self.crafter, kind, path]).check()
        return path
    }

    func expectNothingLeft(_ f: DaemonFixture) throws {
        #expect(try f.get("/1.0/images", as: [String].self).isEmpty)
        let stored = try FileManager.default.contentsOfDirectory(atPath: f.directory + "/images").filter { $0 != "tmp" }
        #expect(stored.isEmpty)
        let uploads = (try? FileManager.default.contentsOfDirectory(atPath: f.directory + "/images/tmp")) ?? []
        #expect(uploads.isEmpty)
    }

    @Test(arguments: ["nometa", "badtype", "symlinkmeta", "symlinkrootfs", "dotdot", "absolute"])
    func hostileImagesAreRefusedAtImport(_ kind: String) async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let result = try f.lxc(["image", "import", try craft(kind, in: f), "--alias", "bad"])
            #expect(result.status == 1, "\(kind): \(result)")
            #expect(result.stderr.hasPrefix("Error: "))
            try expectNothingLeft(f)
            #expect(!FileManager.default.fileExists(atPath: "/tmp/swiftlxd-escaped-absolute"))
        }
    }

    @Test func garbageEmptyAndTruncatedUploads() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            let garbage = f.directory + "/garbage.tar.xz"
            _ = FileManager.default.createFile(atPath: garbage, contents: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
            let empty = f.directory + "/empty.tar"
            _ = FileManager.default.createFile(atPath: empty, contents: Data())
            let whole = try Data(contentsOf: URL(fileURLWithPath: try TestImage.busybox()))
            let truncated = f.directory + "/truncated.tar.xz"
            _ = FileManager.default.createFile(atPath: truncated, contents: whole.prefix(whole.count / 2))
            for file in [garbage, empty, truncated] {
                let result = try f.lxc(["image", "import", file])
                #expect(result.status == 1, "\(file): \(result)")
                #expect(result.stderr.hasPrefix("Error: "))
            }
            try expectNothingLeft(f)
        }
    }

    /// A symlink in the rootfs pointing at the host, then a file written "through" it: the
    /// create fails, nothing lands outside the rootfs, and no instance is left behind.
    @Test func symlinkEscapeAtCreateLeavesNothing() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            try f.lxc(["image", "import", try craft("escapinglink", in: f), "--alias", "esc"]).check()
            let result = try f.lxc(["init", "esc", f.name("esc")])
            #expect(result.status == 1, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/swiftlxd-escaped-link"))
            #expect(try f.get("/1.0/instances", as: [String].self).isEmpty)
            let volumes = try FileManager.default.contentsOfDirectory(atPath: f.directory + "/storage-pools/default/containers")
            #expect(volumes.isEmpty)
        }
    }

    /// Ids beyond the container's map cannot be represented inside it: the create is refused,
    /// naming the file, and leaves nothing behind.
    @Test func rootfsIdsOutsideTheMap() async throws {
        try await DaemonFixture.with(withImage: false) { f in
            try f.lxc(["image", "import", try craft("foreignids", in: f), "--alias", "foreign"]).check()
            let result = try f.lxc(["init", "foreign", f.name("foreign")])
            #expect(result.status == 1)
            #expect(result.stderr.contains("owned-by-stranger"), "\(result)")
            #expect(try f.get("/1.0/instances", as: [String].self).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: f.directory + "/storage-pools/default/containers").isEmpty)
        }
    }

    @Test func namesAliasesAndStates() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("dup")
            let unknown = try f.lxc(["init", "no-such-alias", f.name("x")])
            #expect(unknown.status == 1 && unknown.stderr.hasPrefix("Error: "))

            let invalid = try f.lxc(["init", f.imageAlias, "1-starts-with-digit"])
            #expect(invalid.status == 1 && invalid.stderr.contains("Invalid instance name"))

            try f.lxc(["init", f.imageAlias, name]).check()
            let duplicate = try f.lxc(["init", f.imageAlias, name])
            #expect(duplicate.status == 1 && duplicate.stderr.contains("already exists"))
            #expect(try f.get("/1.0/instances", as: [String].self) == ["/1.0/instances/\(name)"])

            let fingerprint = try f.get("/1.0/images/aliases/\(f.imageAlias)", as: ImageAliasesEntry.self).target
            let alias = try f.lxc(["image", "alias", "create", f.imageAlias, fingerprint])
            #expect(alias.status == 1 && alias.stderr.contains("already exists"))

            let notRunning = try f.lxc(["exec", name, "--", "true"])
            #expect(notRunning.status == 1 && notRunning.stderr.contains("not running"))

            let badJSON = try f.http.request("POST", "/1.0/instances", body: Data("[1,2".utf8))
            #expect(badJSON.status == 400)
            let noSource = try f.http.request("POST", "/1.0/instances", body: Data(#"{"name":"nosrc"}"#.utf8))
            #expect(noSource.status == 400)
            #expect(try f.get("/1.0/instances", as: [String].self).count == 1)
        }
    }
}
