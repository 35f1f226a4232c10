import Foundation
import Testing

@testable import Archive

/// A scratch directory removed when the test ends.
final class TempDirectory {
    let path: String

    init() throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("archive-test-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw ArchiveError("mkdtemp failed") }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func sub(_ name: String) throws -> String {
        let full = path + "/" + name
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }
}

struct Stat {
    let uid: UInt32
    let gid: UInt32
    let mode: UInt32
    let inode: UInt64
    let links: UInt64

    init?(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        uid = st.st_uid
        gid = st.st_gid
        mode = st.st_mode
        inode = UInt64(st.st_ino)
        links = UInt64(st.st_nlink)
    }
}

let isRoot = getuid() == 0

func file(_ path: String, _ content: String, mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0) -> (ArchiveEntryInfo, Data?) {
    (ArchiveEntryInfo(path: path, kind: .file, mode: mode, uid: uid, gid: gid, modificationTime: 1_700_000_000), Data(content.utf8))
}

func directory(_ path: String, mode: UInt32 = 0o755, uid: Int64 = 0, gid: Int64 = 0) -> (ArchiveEntryInfo, Data?) {
    (ArchiveEntryInfo(path: path, kind: .directory, mode: mode, uid: uid, gid: gid, modificationTime: 1_700_000_000), nil)
}

func symlink(_ path: String, to target: String, uid: Int64 = 0) -> (ArchiveEntryInfo, Data?) {
    (ArchiveEntryInfo(path: path, kind: .symlink, mode: 0o777, uid: uid, gid: uid, linkTarget: target), nil)
}

func hardlink(_ path: String, to target: String) -> (ArchiveEntryInfo, Data?) {
    (ArchiveEntryInfo(path: path, kind: .hardlink, linkTarget: target), nil)
}

/// Writes `members` with our own writer (so hostile names can be crafted).
@discardableResult
func makeArchive(_ path: String, compression: ArchiveCompression = .none, _ members: [(ArchiveEntryInfo, Data?)]) throws -> String {
    let writer = try ArchiveWriter(path: path, compression: compression)
    for (info, data) in members { try writer.write(info, data: data) }
    try writer.close()
    return path
}

/// A small unified image.
func imageMembers(uid: Int64 = 0) -> [(ArchiveEntryInfo, Data?)] {
    [
        file("metadata.yaml", "architecture: x86_64\ncreation_date: 1700000000\n"),
        directory("templates"),
        file("templates/hostname.tpl", "{{ container.name }}\n"),
        directory("rootfs"),
        directory("rootfs/bin"),
        file("rootfs/bin/busybox", "#!binary", mode: 0o755),
        symlink("rootfs/bin/sh", to: "/bin/busybox"),
        symlink("rootfs/bin/ls", to: "busybox"),
        hardlink("rootfs/bin/busybox2", to: "rootfs/bin/busybox"),
        file("rootfs/bin/su", "setuid", mode: 0o4755),
        directory("rootfs/etc"),
        file("rootfs/etc/hostname", "busybox\n", uid: uid, gid: uid),
        directory("rootfs/tmp", mode: 0o1777),
        directory("rootfs/root", mode: 0o700),
        file("rootfs/root/.profile", "PS1='# '\n", mode: 0o600, uid: 1000, gid: 1001),
    ]
}

func runTool(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
