import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// The `btrfs` driver: the pool is a btrfs filesystem (a loop file the pool makes under
/// `$LXD_DIR/disks`, a block device, or a subvolume at an existing path on btrfs) holding LXD's
/// folders; each volume is a subvolume. An instance volume is a writable snapshot of the image's
/// read-only subvolume (constant time, whatever the image's size), snapshots are read-only
/// subvolume snapshots, and `size` is a qgroup limit.
struct BtrfsDriver: StorageDriver {
    static let info = DriverInfo(
        name: "btrfs", hasOptimizedImages: true, hasQuotas: true, hasCheapSnapshots: true, freezesRunningInstances: false,
        poolKeys: ["size", "btrfs.mount_options"], volumeKeys: [])

    static let btrfs = "/usr/bin/btrfs"

    static func version() async -> String {
        guard let output = try? await HostStorage.run(btrfs, ["--version"]) else { return "" }
        // "btrfs-progs v6.2"
        return output.split(separator: " ").last.map { String($0.dropFirst($0.hasPrefix("v") ? 1 : 0)) }?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    static func unavailableReason() -> String? {
        guard FileManager.default.isExecutableFile(atPath: btrfs) else { return "the btrfs tool (btrfs-progs) is not installed" }
        let filesystems = KernelFile.read("/proc/filesystems") ?? ""
        guard filesystems.contains("btrfs") else { return "the kernel has no btrfs support" }
        return nil
    }

    let pool: PoolContext

    init(pool: PoolContext) { self.pool = pool }

    private enum Backing {
        case loopFile(String)
        case blockDevice(String)
        case path(String)
    }

    private var backing: Backing {
        let source = pool.source
        if source.hasPrefix("/dev/") { return .blockDevice(source) }
        if source.hasPrefix(pool.disksPath + "/") && source.hasSuffix(".img") { return .loopFile(source) }
        return .path(source)
    }

    private var mountOptions: String { pool.config["btrfs.mount_options"].flatMap { $0.isEmpty ? nil : $0 } ?? "user_subvol_rm_allowed" }

    /// LXD's default loop size: a fifth of the size of the filesystem holding `$LXD_DIR`, between 5 and 30 GiB.
    static func defaultLoopSize(for path: String) -> String {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return "5GiB" }
        let total = UInt64(info.f_blocks) * UInt64(info.f_frsize)
        let gib = min(30, max(5, total / 5 / (1 << 30)))
        return "\(gib)GiB"
    }

    func fillConfig() throws -> [String: String] {
        var config = pool.config
        let source = pool.source
        if source.isEmpty {
            let size = config["size"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultLoopSize(for: pool.disksPath)
            guard let bytes = ByteSize.parse(size), bytes >= 1 << 30 else {
                throw LXDError.internalError("Invalid value for option \"size\": the loop file must be at least 1GiB")
            }
            config["size"] = size
            config["source"] = pool.disksPath + "/" + pool.name + ".img"
            guard !HostStorage.exists(config["source"] ?? "") else {
                throw LXDError.internalError("Loop file \"\(config["source"] ?? "")\" already exists")
            }
            return config
        }
        if config["size"].map({ !$0.isEmpty }) == true {
            throw LXDError.internalError("Invalid option \"size\" (only for pools on a loop file)")
        }
        if source.hasPrefix("/dev/") {
            var info = stat()
            guard stat(source, &info) == 0 else { throw LXDError.internalError("Source path '\(source)' doesn't exist") }
            guard info.st_mode & S_IFMT == S_IFBLK else { throw LXDError.internalError("Source path '\(source)' isn't a block device") }
            guard !Self.isMountedDevice(source) else {
                throw LXDError.internalError("Block device '\(source)' is in use (mounted)")
            }
            return config
        }
        let parent = (source as NSString).deletingLastPathComponent
        let existing = HostStorage.exists(source) ? source : parent
        guard HostStorage.exists(existing) else { throw LXDError.internalError("Source path '\(source)' doesn't exist") }
        guard HostStorage.isOnBtrfs(existing) else { throw LXDError.internalError("Provided path does not reside on a btrfs filesystem") }
        if HostStorage.exists(source) && !HostStorage.isDirectoryEmpty(source) {
            throw LXDError.internalError("Source path '\(source)' isn't empty")
        }
        return config
    }

    private static func isMountedDevice(_ device: String) -> Bool {
        let mounts = KernelFile.read("/proc/self/mounts") ?? ""
        let resolved = (device as NSString).resolvingSymlinksInPath
        return mounts.split(separator: "\n").contains { $0.split(separator: " ").first.map(String.init) == resolved }
    }

    func create() async throws {
        var madeFile: String?
        var madeSubvolume: String?
        do {
            switch backing {
            case .loopFile(let file):
                guard let bytes = ByteSize.parse(pool.config["size"] ?? "") else { throw LXDError.badRequest("Invalid size") }
                try FileManager.default.createDirectory(atPath: pool.disksPath, withIntermediateDirectories: true)
                chmod(pool.disksPath, 0o700)
                let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw LXDError.internalError("Failed creating \(file): \(String(cString: strerror(errno)))") }
                madeFile = file
                let truncated = ftruncate(fd, off_t(bytes))
                close(fd)
                guard truncated == 0 else { throw LXDError.internalError("Failed sizing \(file): \(String(cString: strerror(errno)))") }
                try await HostStorage.run(HostStorage.tool("mkfs.btrfs"), ["-q", "-f", file])
            case .blockDevice(let device):
                try await HostStorage.run(HostStorage.tool("mkfs.btrfs"), ["-q", "-f", device])
            case .path(let path):
                if !Self.isSubvolume(path) {
                    rmdir(path)
                    try await HostStorage.run(Self.btrfs, ["subvolume", "create", path])
                    madeSubvolume = path
                }
            }
            try await mount()
            try HostStorage.makeFolders(pool.mountPath)
            chmod(pool.mountPath, 0o711)
        } catch {
            HostStorage.removeFolders(pool.mountPath)
            _ = try? await unmount()
            if case .path = backing {} else { rmdir(pool.mountPath) }
            if let madeSubvolume { _ = try? await HostStorage.run(Self.btrfs, ["subvolume", "delete", madeSubvolume]) }
            if let madeFile { unlink(madeFile) }
            throw error
        }
    }

    /// A subvolume's root directory has inode 256 on btrfs.
    static func isSubvolume(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_ino == 256 && HostStorage.isOnBtrfs(path)
    }

    func delete() async throws {
        HostStorage.removeFolders(pool.mountPath)
        switch backing {
        case .loopFile(let file):
            try await unmount()
            rmdir(pool.mountPath)
            unlink(file)
        case .blockDevice:
            try await unmount()
            rmdir(pool.mountPath)
        case .path(let path):
            try await unmount()
            if Self.isSubvolume(path) && HostStorage.isDirectoryEmpty(path) {
                try await HostStorage.run(Self.btrfs, ["subvolume", "delete", path])
            }
        }
    }

    @discardableResult
    func mount() async throws -> Bool {
        switch backing {
        case .loopFile(let device), .blockDevice(let device):
            guard !HostStorage.isMountPoint(pool.mountPath) else { return false }
            try FileManager.default.createDirectory(atPath: pool.mountPath, withIntermediateDirectories: true)
            var options = mountOptions
            // mount(8) attaches the file to a loop device with autoclear: unmounting detaches it.
            if case .loopFile = backing { options = "loop," + options }
            try await HostStorage.run(HostStorage.tool("mount"), ["-t", "btrfs", "-o", options, device, pool.mountPath])
            return true
        case .path(let path):
            return try pool.linkSource(path)
        }
    }

    @discardableResult
    func unmount() async throws -> Bool {
        switch backing {
        case .loopFile, .blockDevice:
            guard HostStorage.isMountPoint(pool.mountPath) else { return false }
            try await HostStorage.run(HostStorage.tool("umount"), [pool.mountPath])
            return true
        case .path(let path):
            guard path != pool.mountPath else { return false }
            unlink(pool.mountPath)
            return true
        }
    }

    func update(_ changed: [String: String]) async throws {
        for key in changed.keys where key == "source" || key == "size" {
            throw LXDError.badRequest("Pool \"\(key)\" cannot be changed")
        }
    }

    func usage() async throws -> PoolUsage { HostStorage.filesystemUsage(pool.mountPath) }

    // MARK: Volumes

    func createVolume(_ volume: Volume, fill: @escaping @Sendable (String) async throws -> Void) async throws {
        let path = pool.path(volume)
        try await HostStorage.run(Self.btrfs, ["subvolume", "create", path])
        do {
            try await fill(path)
        } catch {
            try? await deleteSubvolume(path)
            throw error
        }
    }

    func createVolume(_ volume: Volume, fromImage image: Volume) async throws {
        try await HostStorage.run(Self.btrfs, ["subvolume", "snapshot", pool.path(image), pool.path(volume)])
    }

    func copyVolume(_ volume: Volume, from source: Volume, fromSnapshot: String?, snapshots: [String]) async throws {
        let origin = fromSnapshot.map { pool.snapshotPath(source, $0) } ?? pool.path(source)
        let target = pool.path(volume)
        try await HostStorage.run(Self.btrfs, ["subvolume", "snapshot", origin, target])
        guard !snapshots.isEmpty else { return }
        do {
            try pool.makeSnapshotsFolder(volume)
            for snapshot in snapshots {
                try await HostStorage.run(
                    Self.btrfs, ["subvolume", "snapshot", "-r", pool.snapshotPath(source, snapshot), pool.snapshotPath(volume, snapshot)])
            }
        } catch {
            try? await deleteVolume(volume, snapshots: snapshots)
            throw error
        }
    }

    /// Deletes a subvolume, and first any subvolume made inside it (systemd makes some).
    private func deleteSubvolume(_ path: String) async throws {
        guard HostStorage.exists(path) else { return }
        do {
            try await HostStorage.run(Self.btrfs, ["subvolume", "delete", path])
        } catch {
            let nested = try await Blocking.run("lxd-btrfs-walk") { Self.nestedSubvolumes(path) }
            guard !nested.isEmpty else { throw error }
            for inner in nested.reversed() { try await HostStorage.run(Self.btrfs, ["subvolume", "delete", inner]) }
            try await HostStorage.run(Self.btrfs, ["subvolume", "delete", path])
        }
    }

    /// Subvolumes below `path`, parents before children.
    private static func nestedSubvolumes(_ path: String) -> [String] {
        var found: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        while let relative = walker.nextObject() as? String {
            let full = path + "/" + relative
            var info = stat()
            if lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_ino == 256 { found.append(full) }
        }
        return found
    }

    func deleteVolume(_ volume: Volume, snapshots: [String]) async throws {
        let folder = pool.snapshotsPath(volume)
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            for name in names { try await deleteSubvolume(folder + "/" + name) }
            rmdir(folder)
        }
        try await deleteSubvolume(pool.path(volume))
    }

    func renameVolume(_ volume: Volume, to newName: String) async throws {
        try pool.renameVolumeFolders(volume, to: newName)
    }

    func mountVolume(_ volume: Volume) async throws -> String { pool.path(volume) }
    func unmountVolume(_ volume: Volume) async throws {}

    func sealImageVolume(_ volume: Volume) async throws {
        try await HostStorage.run(Self.btrfs, ["property", "set", "-ts", pool.path(volume), "ro", "true"])
    }

    func createSnapshot(_ volume: Volume, name: String) async throws {
        try pool.makeSnapshotsFolder(volume)
        try await HostStorage.run(Self.btrfs, ["subvolume", "snapshot", "-r", pool.path(volume), pool.snapshotPath(volume, name)])
    }

    func deleteSnapshot(_ volume: Volume, name: String) async throws {
        try await deleteSubvolume(pool.snapshotPath(volume, name))
        rmdir(pool.snapshotsPath(volume))
    }

    func renameSnapshot(_ volume: Volume, from name: String, to newName: String) async throws {
        try HostStorage.rename(pool.snapshotPath(volume, name), pool.snapshotPath(volume, newName))
    }

    /// A writable snapshot of the snapshot takes the volume's place; the old subvolume goes.
    func restoreSnapshot(_ volume: Volume, name: String) async throws {
        let path = pool.path(volume)
        let staged = path + ".restore"
        let old = path + ".old"
        try? await deleteSubvolume(staged)
        try? await deleteSubvolume(old)
        try await HostStorage.run(Self.btrfs, ["subvolume", "snapshot", pool.snapshotPath(volume, name), staged])
        try HostStorage.rename(path, old)
        do {
            try HostStorage.rename(staged, path)
        } catch {
            _ = Glibc.rename(old, path)
            throw error
        }
        try await deleteSubvolume(old)
    }

    // MARK: Quotas

    /// Enables qgroups on the pool's filesystem the first time a quota is set (and waits for the
    /// accounting of what is already there).
    private func ensureQuotas() async throws {
        if (try? await HostStorage.run(Self.btrfs, ["qgroup", "show", pool.mountPath])) != nil { return }
        try await HostStorage.run(Self.btrfs, ["quota", "enable", pool.mountPath])
        try await HostStorage.run(Self.btrfs, ["quota", "rescan", "-w", pool.mountPath])
    }

    /// The bytes referenced by a subvolume's qgroup, nil when quotas are off.
    private func referencedBytes(_ path: String) async throws -> UInt64? {
        _ = try? await HostStorage.run(Self.btrfs, ["filesystem", "sync", path])
        guard let output = try? await HostStorage.run(Self.btrfs, ["qgroup", "show", "--raw", "-r", "-f", path]) else { return nil }
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, fields[0].hasPrefix("0/"), let bytes = UInt64(fields[1]) { return bytes }
        }
        return nil
    }

    func setQuota(_ volume: Volume, bytes: Int64?) async throws {
        let path = pool.path(volume)
        guard let bytes else {
            if (try? await HostStorage.run(Self.btrfs, ["qgroup", "show", pool.mountPath])) != nil {
                try await HostStorage.run(Self.btrfs, ["qgroup", "limit", "none", path])
            }
            return
        }
        try await ensureQuotas()
        // The kernel takes a limit below what is referenced, and then refuses every later change
        // of it: check first.
        if let used = try await referencedBytes(path), UInt64(bytes) < used {
            throw LXDError.badRequest(
                "Quota of \(ByteSize.string(bytes)) is below the \(ByteSize.string(Int64(used))) the volume already uses")
        }
        try await HostStorage.run(Self.btrfs, ["qgroup", "limit", String(bytes), path])
    }

    func volumeUsage(_ volume: Volume) async throws -> UInt64? { try await referencedBytes(pool.path(volume)) }
}
