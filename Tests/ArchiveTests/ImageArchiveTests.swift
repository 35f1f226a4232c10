import Foundation
import Testing

@testable import Archive

@Suite struct ImageArchiveTests {
    @Test func extractsTreeWithModesLinksAndHardlinks() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar", imageMembers())
        let root = try temp.sub("rootfs")
        var calls = 0
        let result = try ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil) { _, _ in calls += 1 }
        #expect(result.entries == 11)
        #expect(result.bytes == Int64("#!binary".utf8.count + "setuid".utf8.count + "busybox\n".utf8.count + "PS1='# '\n".utf8.count))
        #expect(calls >= 1)
        #expect(try String(contentsOfFile: root + "/etc/hostname", encoding: .utf8) == "busybox\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/sh") == "/bin/busybox")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/ls") == "busybox")
        let busybox = try #require(Stat(root + "/bin/busybox"))
        let busybox2 = try #require(Stat(root + "/bin/busybox2"))
        #expect(busybox.inode == busybox2.inode)
        #expect(busybox.links == 2)
        #expect(busybox.mode & 0o7777 == 0o755)
        #expect((Stat(root + "/bin/su")?.mode ?? 0) & 0o7777 == 0o4755)
        #expect((Stat(root + "/tmp")?.mode ?? 0) & 0o7777 == 0o1777)
        #expect((Stat(root + "/root")?.mode ?? 0) & 0o7777 == 0o700)
        // Only rootfs/ is unpacked.
        #expect(!FileManager.default.fileExists(atPath: root + "/metadata.yaml"))
        #expect(!FileManager.default.fileExists(atPath: root + "/templates"))
        #expect(!FileManager.default.fileExists(atPath: root + "/rootfs"))
        var times = stat()
        lstat(root + "/etc/hostname", &times)
        #expect(times.st_mtim.tv_sec == 1_700_000_000)
        if isRoot {
            #expect(Stat(root + "/root/.profile")?.uid == 1000)
            #expect(Stat(root + "/root/.profile")?.gid == 1001)
        }
    }

    @Test func emptyPrefixExtractsEverything() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar", imageMembers())
        let out = try temp.sub("all")
        let result = try ImageArchive.extract(tarball, prefix: "", to: out, idShift: nil)
        #expect(result.entries == imageMembers().count)
        #expect(FileManager.default.fileExists(atPath: out + "/metadata.yaml"))
        #expect(FileManager.default.fileExists(atPath: out + "/rootfs/bin/busybox2"))
    }

    @Test(.enabled(if: isRoot, "chown needs root")) func shiftsIDs() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar", imageMembers())
        let root = try temp.sub("rootfs")
        try ImageArchive.extract(tarball, prefix: "rootfs", to: root, idShift: IDShift(uidBase: 100_000, gidBase: 200_000, range: 65536))
        #expect(Stat(root + "/etc/hostname")?.uid == 100_000)
        #expect(Stat(root + "/etc/hostname")?.gid == 200_000)
        #expect(Stat(root + "/root/.profile")?.uid == 101_000)
        #expect(Stat(root + "/root/.profile")?.gid == 201_001)
        #expect(Stat(root + "/bin/sh")?.uid == 100_000)  // the symlink itself
        #expect(Stat(root + "/bin")?.uid == 100_000)
        #expect((Stat(root + "/bin/su")?.mode ?? 0) & 0o7777 == 0o4755)
    }

    @Test func refusesIDsOutsideTheRange() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar", [directory("rootfs"), file("rootfs/big", "x", uid: 70000, gid: 0)])
        let root = try temp.sub("rootfs")
        #expect(throws: ArchiveError("Refusing to extract \"rootfs/big\": uid 70000 is outside the container's id range (0-65535)")) {
            try ImageArchive.extract(
                tarball, prefix: "rootfs/", to: root, idShift: IDShift(uidBase: 100_000, gidBase: 100_000, range: 65536))
        }
        let gidTarball = try makeArchive(temp.path + "/gid.tar", [file("rootfs/g", "x", uid: 0, gid: 65536)])
        #expect(throws: ArchiveError("Refusing to extract \"rootfs/g\": gid 65536 is outside the container's id range (0-65535)")) {
            try ImageArchive.extract(
                gidTarball, prefix: "rootfs/", to: root, idShift: IDShift(uidBase: 100_000, gidBase: 100_000, range: 65536))
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/big"))
    }

    @Test(arguments: [
        ("rootfs/../escaped", "path contains \"..\""),
        ("rootfs/a/../../escaped", "path contains \"..\""),
        ("../escaped", "path contains \"..\""),
        ("/tmp/escaped-absolute", "absolute path"),
    ])
    func refusesEscapingPaths(member: String, reason: String) throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/evil.tar", [directory("rootfs"), file(member, "pwned")])
        let root = try temp.sub("work/rootfs")
        #expect(throws: ArchiveError("Refusing to extract \"\(ArchivePath.normalize(member))\" from \"\(tarball)\": \(reason)")) {
            try ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/work/escaped"))
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/escaped"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/escaped-absolute"))
    }

    @Test func refusesWritingThroughASymlink() throws {
        let temp = try TempDirectory()
        let outside = try temp.sub("outside")
        let tarball = try makeArchive(
            temp.path + "/evil.tar",
            [
                directory("rootfs"),
                symlink("rootfs/etc", to: outside),
                file("rootfs/etc/passwd", "root::0:0::/:/bin/sh\n"),
            ])
        let root = try temp.sub("rootfs")
        #expect(throws: ArchiveError.self) { try ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    @Test func replacingASymlinkDoesNotWriteItsTarget() throws {
        let temp = try TempDirectory()
        let outside = try temp.sub("outside")
        try "original".write(toFile: outside + "/file", atomically: false, encoding: .utf8)
        let tarball = try makeArchive(
            temp.path + "/evil.tar",
            [
                symlink("rootfs/link", to: outside + "/file"),
                file("rootfs/link", "overwritten"),
            ])
        let root = try temp.sub("rootfs")
        _ = try? ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil)
        #expect(try String(contentsOfFile: outside + "/file", encoding: .utf8) == "original")
    }

    @Test func refusesHardlinksLeavingTheTree() throws {
        let temp = try TempDirectory()
        let outside = try temp.sub("outside")
        try "secret".write(toFile: outside + "/secret", atomically: false, encoding: .utf8)
        let root = try temp.sub("rootfs")
        let outsidePrefix = try makeArchive(temp.path + "/a.tar", [file("templates/x", "x"), hardlink("rootfs/x", to: "templates/x")])
        #expect(throws: ArchiveError("Refusing to extract hardlink \"rootfs/x\": target \"templates/x\" is outside \"rootfs/\"")) {
            try ImageArchive.extract(outsidePrefix, prefix: "rootfs/", to: root, idShift: nil)
        }
        let absolute = try makeArchive(temp.path + "/b.tar", [hardlink("rootfs/x", to: outside + "/secret")])
        #expect(throws: ArchiveError.self) { try ImageArchive.extract(absolute, prefix: "rootfs/", to: root, idShift: nil) }
        let viaSymlink = try makeArchive(
            temp.path + "/c.tar", [symlink("rootfs/l", to: outside), hardlink("rootfs/h", to: "rootfs/l/secret")])
        _ = try? ImageArchive.extract(viaSymlink, prefix: "rootfs/", to: root, idShift: nil)
        #expect(Stat(outside + "/secret")?.links == 1)
        #expect(!FileManager.default.fileExists(atPath: root + "/h"))
    }

    @Test func refusesASymlinkedRootfs() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/evil.tar", [symlink("rootfs", to: "/"), file("rootfs/etc/evil", "x")])
        let root = try temp.sub("rootfs")
        #expect(throws: ArchiveError("Refusing to extract \"\(tarball)\": \"rootfs\" must be a directory, not a symlink")) {
            try ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/evil"))
    }

    @Test func readsMetadata() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar.xz", compression: .xz, imageMembers())
        let data = try #require(try ImageArchive.readMember(tarball, named: "metadata.yaml"))
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("architecture: x86_64"))
        #expect(try ImageArchive.readMember(tarball, named: "missing.yaml") == nil)
        #expect(throws: ArchiveError("metadata.yaml is larger than 10 bytes")) {
            try ImageArchive.readMember(tarball, named: "metadata.yaml", limit: 10)
        }
        #expect(throws: ArchiveError("rootfs must be a regular file")) { try ImageArchive.readMember(tarball, named: "rootfs") }
    }

    @Test func refusesSymlinkedMetadata() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/evil.tar", [symlink("metadata.yaml", to: "/etc/shadow"), directory("rootfs")])
        #expect(throws: ArchiveError("metadata.yaml must be a regular file")) {
            try ImageArchive.readMember(tarball, named: "metadata.yaml")
        }
    }

    @Test func badArchivesGiveClearErrors() throws {
        let temp = try TempDirectory()
        let good = try makeArchive(
            temp.path + "/good.tar.xz", compression: .xz, imageMembers() + [file("rootfs/big", String(repeating: "data ", count: 200_000))])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = temp.path + "/truncated.tar.xz"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let garbage = temp.path + "/garbage.tar"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: URL(fileURLWithPath: garbage))
        let empty = temp.path + "/empty.tar"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let root = try temp.sub("rootfs")
        for path in [truncated, garbage, empty, temp.path + "/missing.tar"] {
            #expect(throws: ArchiveError.self, "\(path)") { try ImageArchive.extract(path, prefix: "rootfs/", to: root, idShift: nil) }
        }
        for path in [garbage, empty, temp.path + "/missing.tar"] {
            let error = #expect(throws: ArchiveError.self) { try ImageArchive.readMember(path, named: "metadata.yaml") }
            #expect(error?.description.contains(path) == true)
        }
        let error = #expect(throws: ArchiveError.self) { try ImageArchive.extract(truncated, prefix: "rootfs/", to: root, idShift: nil) }
        #expect(error?.description.contains("truncated") == true || error?.description.contains("Truncated") == true)
        #expect(throws: ArchiveError.self) {
            try ImageArchive.extract(good, prefix: "rootfs/", to: temp.path + "/nonexistent", idShift: nil)
        }
    }

    @Test(arguments: ArchiveCompression.allCases)
    func eachCompression(compression: ArchiveCompression) throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar.\(compression.rawValue)", compression: compression, imageMembers())
        let reader = try ArchiveReader(path: tarball)
        #expect(try reader.next()?.path == "metadata.yaml")
        #expect(reader.filters == (compression == .none ? [] : [compression.rawValue]))
        let root = try temp.sub("rootfs")
        #expect(try ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil).entries == 11)
        #expect(try ImageArchive.readMember(tarball, named: "metadata.yaml") != nil)
    }

    /// Tarballs made by GNU tar (`tar -C dir .` gives "./rootfs/…" names), in each compression it has.
    @Test(arguments: [("", "tar"), ("-z", "tar.gz"), ("-J", "tar.xz"), ("-j", "tar.bz2"), ("--zstd", "tar.zst")])
    func gnuTarArchives(flag: String, suffix: String) throws {
        let temp = try TempDirectory()
        let source = try temp.sub("src")
        try FileManager.default.createDirectory(atPath: source + "/rootfs/etc", withIntermediateDirectories: true)
        try "architecture: x86_64\n".write(toFile: source + "/metadata.yaml", atomically: false, encoding: .utf8)
        try "host\n".write(toFile: source + "/rootfs/etc/hostname", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: source + "/rootfs/etc/mtab", withDestinationPath: "/proc/mounts")
        let tarball = temp.path + "/image." + suffix
        let status = try runTool("/usr/bin/tar", (flag.isEmpty ? [] : [flag]) + ["--numeric-owner", "-C", source, "-cf", tarball, "."])
        try #require(status == 0)
        #expect(
            try ImageArchive.readMember(tarball, named: "metadata.yaml").map { String(decoding: $0, as: UTF8.self) }
                == "architecture: x86_64\n")
        let root = try temp.sub("rootfs")
        #expect(try ImageArchive.extract(tarball, prefix: "rootfs/", to: root, idShift: nil).entries == 3)
        #expect(try String(contentsOfFile: root + "/etc/hostname", encoding: .utf8) == "host\n")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/busybox"), "needs busybox-static"))
    func busyboxImage() throws {
        let temp = try TempDirectory()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().resolvingSymlinksInPath()
            .appendingPathComponent("../../scripts/build-busybox-image.sh").standardized.path
        try #require(FileManager.default.fileExists(atPath: script))
        let tarball = temp.path + "/busybox.tar.xz"
        try #require(try runTool("/bin/sh", [script, tarball]) == 0)
        let metadata = try #require(try ImageArchive.readMember(tarball, named: "metadata.yaml"))
        #expect(String(decoding: metadata, as: UTF8.self).contains("os: busybox"))
        let root = try temp.sub("rootfs")
        let result = try ImageArchive.extract(
            tarball, prefix: "rootfs/", to: root, idShift: isRoot ? IDShift(uidBase: 100_000, gidBase: 100_000, range: 65536) : nil)
        #expect(result.entries > 100)
        #expect(FileManager.default.isExecutableFile(atPath: root + "/bin/busybox"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/sh") == "/bin/busybox")
        if isRoot { #expect(Stat(root + "/etc/passwd")?.uid == 100_000) }
    }
}
