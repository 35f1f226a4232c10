import Foundation
import Testing

@testable import Archive

@Suite struct ArchiveWriterTests {
    @Test func readerReportsHeaders() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/image.tar.gz", compression: .gzip, imageMembers())
        let reader = try ArchiveReader(path: tarball)
        var seen: [String: ArchiveEntryInfo] = [:]
        while let info = try reader.next() { seen[info.path] = info }
        #expect(seen.count == imageMembers().count)
        #expect(seen["rootfs/bin/sh"]?.kind == .symlink)
        #expect(seen["rootfs/bin/sh"]?.symlinkTarget == "/bin/busybox")
        #expect(seen["rootfs/bin/busybox2"]?.kind == .hardlink)
        #expect(seen["rootfs/bin/busybox2"]?.linkTarget == "rootfs/bin/busybox")
        #expect(seen["rootfs/bin/su"]?.mode == 0o4755)
        #expect(seen["rootfs/root/.profile"]?.uid == 1000)
        #expect(seen["rootfs/root/.profile"]?.gid == 1001)
        #expect(seen["rootfs/tmp"]?.kind == .directory)
        #expect(seen["metadata.yaml"]?.size == Int64("architecture: x86_64\ncreation_date: 1700000000\n".utf8.count))
    }

    @Test func pathsAreNormalised() {
        #expect(ArchivePath.normalize("./rootfs/etc/") == "rootfs/etc")
        #expect(ArchivePath.normalize("././a//b") == "a/b")
        #expect(ArchivePath.normalize("./") == "")
        #expect(ArchivePath.normalize("/abs/x") == "/abs/x")
        #expect(ImageArchive.relativePath("rootfs", prefix: "rootfs") == "")
        #expect(ImageArchive.relativePath("rootfs/etc", prefix: "rootfs") == "etc")
        #expect(ImageArchive.relativePath("rootfsx/etc", prefix: "rootfs") == nil)
    }

    @Test func readDataHonoursTheLimit() throws {
        let temp = try TempDirectory()
        let tarball = try makeArchive(temp.path + "/a.tar", [file("big", String(repeating: "x", count: 5000))])
        let reader = try ArchiveReader(path: tarball)
        _ = try reader.next()
        #expect(throws: ArchiveError.self) { try reader.readData(limit: 4096) }
    }

    @Test(.enabled(if: isRoot, "chown needs root")) func addTreeUnshiftsIDsAndKeepsLinks() throws {
        let temp = try TempDirectory()
        let source = try temp.sub("container/rootfs")
        try FileManager.default.createDirectory(atPath: source + "/etc", withIntermediateDirectories: true)
        try "x\n".write(toFile: source + "/etc/file", atomically: false, encoding: .utf8)
        #expect(link(source + "/etc/file", source + "/etc/link") == 0)
        try FileManager.default.createSymbolicLink(atPath: source + "/etc/sym", withDestinationPath: "file")
        for path in [source, source + "/etc", source + "/etc/file"] { chown(path, 100_000, 100_000) }
        chmod(source + "/etc/file", 0o4750)  // after chown, which clears setuid
        lchown(source + "/etc/sym", 101_000, 101_001)

        let shift = IDShift(uidBase: 100_000, gidBase: 100_000, range: 65536)
        let tarball = temp.path + "/export.tar.xz"
        let writer = try ArchiveWriter(path: tarball, compression: .xz)
        try writer.write(file("metadata.yaml", "architecture: x86_64\n").0, data: Data("architecture: x86_64\n".utf8))
        #expect(try writer.addTree(source, as: "rootfs", idShift: shift) == 5)
        try writer.close()

        let reader = try ArchiveReader(path: tarball)
        var seen: [String: ArchiveEntryInfo] = [:]
        while let info = try reader.next() { seen[info.path] = info }
        #expect(Set(seen.keys) == ["metadata.yaml", "rootfs", "rootfs/etc", "rootfs/etc/file", "rootfs/etc/link", "rootfs/etc/sym"])
        #expect(seen["rootfs/etc/file"]?.uid == 0)
        #expect(seen["rootfs/etc/file"]?.mode == 0o4750)
        #expect(seen["rootfs/etc/sym"]?.uid == 1000)
        #expect(seen["rootfs/etc/sym"]?.gid == 1001)
        let linked = [seen["rootfs/etc/file"], seen["rootfs/etc/link"]].compactMap { $0 }
        #expect(linked.filter { $0.kind == .hardlink }.count == 1)

        // And back in with a different shift.
        let root = try temp.sub("copy")
        try ImageArchive.extract(tarball, prefix: "rootfs", to: root, idShift: IDShift(uidBase: 300_000, gidBase: 300_000, range: 65536))
        #expect(Stat(root + "/etc/file")?.uid == 300_000)
        #expect(Stat(root + "/etc/sym")?.uid == 301_000)
        #expect(Stat(root + "/etc/file")?.inode == Stat(root + "/etc/link")?.inode)

        chown(source + "/etc/file", 0, 0)
        let refused = try ArchiveWriter(path: temp.path + "/refused.tar")
        #expect(throws: ArchiveError.self) { try refused.addTree(source, as: "rootfs", idShift: shift) }
    }
}
