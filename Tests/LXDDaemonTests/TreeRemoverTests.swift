import Foundation
import Glibc
import LXDAPI
import LXDTestSupport
import Testing

@testable import LXDDaemon

/// A container owns its rootfs, so the trees removed on delete are whatever it made of them.
@Suite struct TreeRemoverTests {
    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Folders nested past PATH_MAX, made (and checked) relative to open descriptors.
    @Test func removesFoldersNestedPastPathMax() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let name = String(repeating: "d", count: 200)
        var descriptor = open(scratch.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        for _ in 0..<30 {
            #expect(mkdirat(descriptor, name, 0o755) == 0)
            let next = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            close(descriptor)
            descriptor = next
        }
        let file = openat(descriptor, "deepest", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        #expect(file >= 0)
        close(file)
        close(descriptor)
        #expect(30 * 201 > PATH_MAX)

        try TreeRemover.remove(scratch.path + "/" + name)
        #expect(!exists(scratch.path + "/" + name))
    }

    @Test func removesLinksAndNeverWhatTheyPointAt() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let outside = scratch.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try scratch.write("outside/kept", "x")
        let tree = scratch.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/sub", withIntermediateDirectories: true)
        #expect(symlink(outside, tree + "/folder-link") == 0)
        #expect(symlink(outside + "/kept", tree + "/sub/file-link") == 0)
        #expect(symlink("/nonexistent", tree + "/dangling") == 0)

        try TreeRemover.remove(tree)
        #expect(!exists(tree))
        #expect(exists(outside + "/kept"))
        // A link given as the path itself is removed, not its target.
        #expect(symlink(outside, scratch.path + "/top-link") == 0)
        try TreeRemover.remove(scratch.path + "/top-link")
        #expect(!exists(scratch.path + "/top-link"))
        #expect(exists(outside + "/kept"))
    }

    @Test func removesNamesThatAreNotUTF8() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let tree = scratch.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        let folder = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(folder) }
        let latin1: [CChar] = [0x63, CChar(bitPattern: 0xE9), 0x74, 0]  // "cét" in Latin-1
        #expect(mkdirat(folder, latin1, 0o755) == 0)
        let file = openat(folder, [CChar(bitPattern: 0xFF), 0], O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        #expect(file >= 0)
        close(file)

        try TreeRemover.remove(tree)
        #expect(!exists(tree))
    }

    /// Unlinking while reading a folder must not make `readdir` skip entries.
    @Test func removesAFolderOfManyEntries() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let tree = scratch.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        for index in 0..<3000 {
            if index % 10 == 0 {
                try FileManager.default.createDirectory(atPath: tree + "/d\(index)/inner", withIntermediateDirectories: true)
            } else {
                try scratch.write("tree/f\(index)", "")
            }
        }
        try TreeRemover.remove(tree)
        #expect(!exists(tree))
    }

    @Test func aMissingPathIsNotAnErrorAndAFileIsRemoved() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try TreeRemover.remove(scratch.path + "/missing")
        let file = try scratch.write("file", "x")
        try TreeRemover.remove(file)
        #expect(!exists(file))
    }

    /// What cannot be removed is named in the error; everything else still goes.
    @Test(.enabled(if: ImmutableFlag.isSupported)) func goesOnPastWhatCannotBeRemovedAndNamesIt() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let tree = scratch.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tree + "/b/c", withIntermediateDirectories: true)
        let stuck = try scratch.write("tree/a/stuck", "x")
        try scratch.write("tree/b/c/file", "x")
        try #require(ImmutableFlag.set(stuck, true))
        defer { ImmutableFlag.set(stuck, false) }

        let error = #expect(throws: LXDError.self) { try TreeRemover.remove(tree) }
        #expect(error?.message == "Failed removing \"\(stuck)\": Operation not permitted")
        #expect(exists(stuck))
        #expect(!exists(tree + "/b"))

        #expect(ImmutableFlag.set(stuck, false))
        try TreeRemover.remove(tree)
        #expect(!exists(tree))
    }

    /// A mount inside the tree (none should be there) is not entered: its files stay.
    @Test(.enabled(if: geteuid() == 0)) func doesNotEnterAnotherFilesystem() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let tree = scratch.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree + "/mnt", withIntermediateDirectories: true)
        try scratch.write("tree/file", "x")
        try #require(mount("tmpfs", tree + "/mnt", "tmpfs", 0, "size=1m") == 0)
        defer { umount2(tree + "/mnt", Int32(MNT_DETACH)) }
        try scratch.write("tree/mnt/kept", "x")

        let error = #expect(throws: LXDError.self) { try TreeRemover.remove(tree) }
        #expect(error?.message == "Failed removing \"\(tree)/mnt\": Invalid cross-device link")
        #expect(exists(tree + "/mnt/kept"))
        #expect(!exists(tree + "/file"))
    }
}
