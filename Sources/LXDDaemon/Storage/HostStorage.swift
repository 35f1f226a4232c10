import CShim
import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// The host-side helpers every driver uses: running storage tools with LXD's error wording,
/// filesystem facts, mounts and whole-tree copies.
enum HostStorage {
    /// Runs a tool; a failure reads as LXD's `Failed to run: <command>: exit status N (<output>)`.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], extraEnvironment: [String] = []) async throws -> String {
        let result = try await ExternalTool.run(path, arguments, extraEnvironment: extraEnvironment)
        guard case .exited(0) = result.status else {
            let command = ([URL(fileURLWithPath: path).lastPathComponent] + arguments).joined(separator: " ")
            let code: String
            if case .exited(let status) = result.status { code = "exit status \(status)" } else { code = "\(result.status)" }
            let output = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw LXDError.internalError("Failed to run: \(command): \(code)" + (output.isEmpty ? "" : " (\(output))"))
        }
        return result.output
    }

    /// The first existing path among a tool's usual places (Debian puts some in /sbin, some in /usr/sbin).
    static func tool(_ name: String) -> String {
        for folder in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        return "/usr/sbin/" + name
    }

    static let btrfsMagic: Int = 0x9123_683E

    /// The filesystem type (`f_type`) of the filesystem holding `path`, nil if it does not exist.
    static func filesystemType(_ path: String) -> Int? {
        let magic = lxd_fs_magic(path)
        return magic < 0 ? nil : Int(magic)
    }

    static func isOnBtrfs(_ path: String) -> Bool { filesystemType(path) == btrfsMagic }

    /// Space of the filesystem holding `path` (LXD reports the backing filesystem's for dir pools).
    static func filesystemUsage(_ path: String) -> PoolUsage {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return PoolUsage(used: 0, total: 0) }
        let block = UInt64(info.f_frsize)
        return PoolUsage(used: (UInt64(info.f_blocks) - UInt64(info.f_bfree)) * block, total: UInt64(info.f_blocks) * block)
    }

    /// Mount points from /proc/self/mountinfo (octal escapes decoded).
    static func mountPoints() -> [String] {
        guard let text = KernelFile.read("/proc/self/mountinfo") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? unescape(String(fields[4])) : nil
        }
    }

    static func isMountPoint(_ path: String) -> Bool {
        let resolved = (path as NSString).resolvingSymlinksInPath
        return mountPoints().contains(resolved)
    }

    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        var scalars = Array(field.utf8)[...]
        while let byte = scalars.popFirst() {
            if byte == UInt8(ascii: "\\"), scalars.count >= 3,
                let value = UInt8(String(decoding: scalars.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                scalars = scalars.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func unmount(_ path: String) async throws {
        guard isMountPoint(path) else { return }
        try await run(tool("umount"), [path])
    }

    /// `cp -a --reflink=auto`: ownership, modes, xattrs and hardlinks kept; blocks shared where
    /// the filesystem can (btrfs, xfs), copied otherwise. `target` must not exist.
    static func copyTree(_ source: String, to target: String) async throws {
        let result = try await ExternalTool.run("/bin/cp", ["-a", "--reflink=auto", "--", source, target])
        guard case .exited(0) = result.status else {
            removeTree(target)
            throw LXDError.internalError("Failed copying \(source): \(result.output)")
        }
    }

    /// Copies the content of `source` into the existing folder `target` (across pools).
    static func copyContents(_ source: String, into target: String) async throws {
        let result = try await ExternalTool.run("/bin/cp", ["-a", "--reflink=auto", "--", source + "/.", target])
        guard case .exited(0) = result.status else {
            throw LXDError.internalError("Failed copying \(source): \(result.output)")
        }
    }

    /// Makes the existing tree `target` equal to `source` (ownership by number, modes, hardlinks,
    /// ACLs, xattrs, devices, sparse files), deleting what `source` lacks.
    static func syncTree(_ source: String, onto target: String) async throws {
        let result = try await ExternalTool.run(
            RsyncTransfer.rsync,
            ["-aHAX", "--numeric-ids", "--sparse", "--delete", "--modify-window=-1", "--", source + "/", target + "/"])
        guard case .exited(0) = result.status else {
            throw LXDError.internalError("Failed restoring \(target) from \(source): \(result.output)")
        }
    }

    /// Removes a tree without following symlinks, as far as it can (`TreeRemover`).
    static func removeTree(_ path: String) {
        try? TreeRemover.remove(path)
    }

    /// `TreeRemover` on a thread of its own; throws what it could not remove.
    static func removeTreeBlocking(_ path: String) async throws {
        try await Blocking.run("lxd-delete") { try TreeRemover.remove(path) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectoryEmpty(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty
    }

    static func makeFolders(_ root: String) throws {
        for folder in PoolContext.folders {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            // Unprivileged containers must traverse to their own volumes and to attached custom ones.
            chmod(root + "/" + folder, folder.hasPrefix("containers") || folder.hasPrefix("custom") ? 0o711 : 0o700)
        }
    }

    /// Removes the (empty) layout folders; never anything a user put there.
    static func removeFolders(_ root: String) {
        for folder in PoolContext.folders { rmdir(root + "/" + folder) }
    }

    /// Renames, turning errno into an LXD error.
    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw LXDError.internalError("Failed renaming \"\(from)\" to \"\(to)\": \(String(cString: strerror(errno)))")
        }
    }
}

/// What the folder-based drivers (dir, btrfs) share.
extension PoolContext {
    /// Renames a volume's folder and its snapshots' folder.
    func renameVolumeFolders(_ volume: Volume, to newName: String) throws {
        let renamed = volume.renamed(newName)
        try HostStorage.rename(path(volume), path(renamed))
        if HostStorage.exists(snapshotsPath(volume)) {
            try HostStorage.rename(snapshotsPath(volume), snapshotsPath(renamed))
        }
    }

    func makeSnapshotsFolder(_ volume: Volume) throws {
        let folder = snapshotsPath(volume)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o700)
    }

    /// A pool kept in another folder is reached through a link at the mount path; true if made.
    func linkSource(_ source: String) throws -> Bool {
        guard source != mountPath else { return false }
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: mountPath)) == source { return false }
        try? FileManager.default.removeItem(atPath: mountPath)
        guard symlink(source, mountPath) == 0 else {
            throw LXDError.internalError("Failed linking \(mountPath): \(String(cString: strerror(errno)))")
        }
        return true
    }
}
