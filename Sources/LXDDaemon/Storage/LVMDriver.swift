import Foundation
import LXDAPI
import LXDCore
import LXDOS

/// The `lvm` driver with thin provisioning: a volume group (on a loop file the pool makes under
/// `$LXD_DIR/disks`, on a block device, or an existing one named by `source`) holding a thin
/// pool; each volume is a thin LV with an ext4 (`volume.block.filesystem`) filesystem, mounted
/// under the pool's folders while the daemon uses it. An instance volume is a thin snapshot of the
/// image's LV; snapshots are thin snapshots; `size` is the LV's size.
/// Needs the kernel's device-mapper (with the thin-pool target).
struct LVMDriver: StorageDriver {
    static let info = DriverInfo(
        name: "lvm", hasOptimizedImages: true, hasQuotas: true, hasCheapSnapshots: true, freezesRunningInstances: true,
        poolKeys: ["size", "lvm.vg_name", "lvm.thinpool_name", "lvm.use_thinpool", "lvm.vg.force_reuse"],
        volumeKeys: ["block.filesystem", "block.mount_options"])

    /// LVM must not wait for udev (none runs in most containers and CI machines).
    static let environment = ["DM_DISABLE_UDEV=1", "LVM_SUPPRESS_FD_WARNINGS=1"]
    static let defaultVolumeSize = "10GiB"

    static func version() async -> String {
        guard let output = try? await lvm(["version"]) else { return "" }
        // "  LVM version:     2.03.16(2) (2022-05-18)"
        for line in output.split(separator: "\n") where line.contains("LVM version:") {
            return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }
        return ""
    }

    static func unavailableReason() -> String? {
        guard FileManager.default.isExecutableFile(atPath: HostStorage.tool("lvm")) else { return "the lvm tools (lvm2) are not installed" }
        let misc = KernelFile.read("/proc/misc") ?? ""
        // The kernel registers the misc device; a /dev/mapper/control node alone proves nothing
        // (the lvm tools make one even where the kernel has no device-mapper).
        guard misc.split(separator: "\n").contains(where: { $0.hasSuffix(" device-mapper") }) else {
            return "the kernel has no device-mapper (not in /proc/misc)"
        }
        return nil
    }

    @discardableResult
    static func lvm(_ arguments: [String]) async throws -> String {
        try await HostStorage.run(HostStorage.tool("lvm"), arguments, extraEnvironment: environment)
    }

    let pool: PoolContext

    init(pool: PoolContext) { self.pool = pool }

    var vgName: String { pool.config["lvm.vg_name"].flatMap { $0.isEmpty ? nil : $0 } ?? pool.name }
    var thinPool: String { pool.config["lvm.thinpool_name"].flatMap { $0.isEmpty ? nil : $0 } ?? "LXDThinPool" }
    private var isLoopBacked: Bool { pool.source.hasPrefix(pool.disksPath + "/") && pool.source.hasSuffix(".img") }

    /// LXD's LV names: `<type folder>_<name>` with `-` doubled, snapshots after a single `-`.
    func lvName(_ volume: Volume) -> String {
        volume.type.folder + "_" + volume.diskName.replacingOccurrences(of: "-", with: "--")
    }

    func lvName(_ volume: Volume, snapshot: String) -> String {
        lvName(volume) + "-" + snapshot.replacingOccurrences(of: "-", with: "--")
    }

    func device(_ lv: String) -> String { "/dev/\(vgName)/\(lv)" }

    private func filesystem(_ volume: Volume) -> String {
        volume.config["block.filesystem"] ?? pool.config["volume.block.filesystem"].flatMap { $0.isEmpty ? nil : $0 } ?? "ext4"
    }

    private func mountOptions(_ volume: Volume) -> String {
        volume.config["block.mount_options"] ?? pool.config["volume.block.mount_options"].flatMap { $0.isEmpty ? nil : $0 } ?? "discard"
    }

    private func size(_ volume: Volume) -> Int64 {
        let text = volume.config["size"] ?? pool.config["volume.size"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultVolumeSize
        return ByteSize.parse(text) ?? (10 << 30)
    }

    // MARK: Pool

    func fillConfig() throws -> [String: String] {
        if let reason = Self.unavailableReason() {
            throw LXDError.internalError("Failed loading storage driver \"lvm\": \(reason)")
        }
        var config = pool.config
        if let value = config["lvm.use_thinpool"], value != "true" && !value.isEmpty {
            throw LXDError.internalError("Invalid value for option \"lvm.use_thinpool\": only thin pools are supported")
        }
        if let filesystem = config["volume.block.filesystem"], !["", "ext4"].contains(filesystem) {
            throw LXDError.internalError("Invalid value for option \"volume.block.filesystem\": \(filesystem) is not supported (ext4)")
        }
        if pool.source.isEmpty {
            let size = config["size"].flatMap { $0.isEmpty ? nil : $0 } ?? BtrfsDriver.defaultLoopSize(for: pool.disksPath)
            guard let bytes = ByteSize.parse(size), bytes >= 1 << 30 else {
                throw LXDError.internalError("Invalid value for option \"size\": the loop file must be at least 1GiB")
            }
            config["size"] = size
            config["source"] = pool.disksPath + "/" + pool.name + ".img"
            config["lvm.vg_name"] = vgName
        } else if pool.source.hasPrefix("/") {
            var info = stat()
            guard stat(pool.source, &info) == 0, info.st_mode & S_IFMT == S_IFBLK else {
                throw LXDError.internalError("Source path '\(pool.source)' isn't a block device")
            }
            config["lvm.vg_name"] = vgName
        } else {
            // An existing volume group, named by `source`.
            config["lvm.vg_name"] = pool.source
        }
        config["lvm.thinpool_name"] = thinPool
        return config
    }

    private func loopDevice(for file: String) async -> String? {
        guard let output = try? await HostStorage.run(HostStorage.tool("losetup"), ["-j", file]) else { return nil }
        return output.split(separator: ":").first.map(String.init).flatMap { $0.hasPrefix("/dev/") ? $0 : nil }
    }

    private func vgExists() async -> Bool { (try? await Self.lvm(["vgs", vgName])) != nil }

    func create() async throws {
        var madeFile: String?
        var madeLoop: String?
        var madeVG = false
        do {
            var device = pool.source
            if isLoopBacked {
                guard let bytes = ByteSize.parse(pool.config["size"] ?? "") else { throw LXDError.badRequest("Invalid size") }
                try FileManager.default.createDirectory(atPath: pool.disksPath, withIntermediateDirectories: true)
                let fd = open(pool.source, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw LXDError.internalError("Failed creating \(pool.source): \(String(cString: strerror(errno)))") }
                madeFile = pool.source
                let truncated = ftruncate(fd, off_t(bytes))
                close(fd)
                guard truncated == 0 else { throw LXDError.internalError("Failed sizing \(pool.source)") }
                device = try await HostStorage.run(HostStorage.tool("losetup"), ["--find", "--show", pool.source])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                madeLoop = device
            }
            if device.hasPrefix("/") {
                try await Self.lvm(["pvcreate", "--yes", device])
                try await Self.lvm(["vgcreate", vgName, device])
                madeVG = true
            } else if !(await vgExists()) {
                throw LXDError.badRequest("Volume group \"\(vgName)\" doesn't exist")
            }
            try await Self.lvm([
                "lvcreate", "--yes", "--wipesignatures", "y", "--thinpool", "\(vgName)/\(thinPool)", "--extents", "100%FREE",
            ])
            try FileManager.default.createDirectory(atPath: pool.mountPath, withIntermediateDirectories: true)
            chmod(pool.mountPath, 0o711)
            try HostStorage.makeFolders(pool.mountPath)
        } catch {
            HostStorage.removeFolders(pool.mountPath)
            rmdir(pool.mountPath)
            if madeVG { _ = try? await Self.lvm(["vgremove", "--yes", "-f", vgName]) }
            if let madeLoop {
                _ = try? await Self.lvm(["pvremove", "--yes", madeLoop])
                _ = try? await HostStorage.run(HostStorage.tool("losetup"), ["-d", madeLoop])
            }
            if let madeFile { unlink(madeFile) }
            throw error
        }
    }

    func delete() async throws {
        HostStorage.removeFolders(pool.mountPath)
        rmdir(pool.mountPath)
        if pool.source.hasPrefix("/") {
            if await vgExists() { try await Self.lvm(["vgremove", "--yes", "-f", vgName]) }
            if isLoopBacked, let loop = await loopDevice(for: pool.source) {
                _ = try? await Self.lvm(["pvremove", "--yes", loop])
                try await HostStorage.run(HostStorage.tool("losetup"), ["-d", loop])
                unlink(pool.source)
            } else if isLoopBacked {
                unlink(pool.source)
            } else {
                _ = try? await Self.lvm(["pvremove", "--yes", pool.source])
            }
        } else {
            // A volume group the pool did not make keeps everything but our thin pool.
            _ = try? await Self.lvm(["lvremove", "--yes", "-f", "\(vgName)/\(thinPool)"])
        }
    }

    @discardableResult
    func mount() async throws -> Bool {
        var changed = false
        if isLoopBacked, await loopDevice(for: pool.source) == nil {
            try await HostStorage.run(HostStorage.tool("losetup"), ["--find", "--show", pool.source])
            changed = true
        }
        try await Self.lvm(["vgchange", "--activate", "y", vgName])
        return changed
    }

    @discardableResult
    func unmount() async throws -> Bool {
        for mount in HostStorage.mountPoints() where mount.hasPrefix(pool.mountPath + "/") {
            try await HostStorage.unmount(mount)
        }
        guard await vgExists() else { return false }
        try await Self.lvm(["vgchange", "--activate", "n", vgName])
        if isLoopBacked, let loop = await loopDevice(for: pool.source) {
            try await HostStorage.run(HostStorage.tool("losetup"), ["-d", loop])
        }
        return true
    }

    func update(_ changed: [String: String]) async throws {
        for key in changed.keys where ["source", "size", "lvm.vg_name", "lvm.thinpool_name", "lvm.use_thinpool"].contains(key) {
            throw LXDError.badRequest("Pool \"\(key)\" cannot be changed")
        }
    }

    func usage() async throws -> PoolUsage {
        let output = try await Self.lvm([
            "lvs", "--noheadings", "--units", "b", "--nosuffix", "--separator", ",", "-o", "lv_size,data_percent", "\(vgName)/\(thinPool)",
        ])
        let fields = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        guard fields.count == 2, let total = UInt64(fields[0]), let percent = Double(fields[1]) else { return PoolUsage(used: 0, total: 0) }
        return PoolUsage(used: UInt64(Double(total) * percent / 100), total: total)
    }

    // MARK: Volumes

    private func activate(_ lv: String) async throws {
        try await Self.lvm(["lvchange", "--activate", "y", "--ignoreactivationskip", "\(vgName)/\(lv)"])
    }

    private func mountLV(_ lv: String, at path: String, volume: Volume, readOnly: Bool = false) async throws {
        guard !HostStorage.isMountPoint(path) else { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var options = mountOptions(volume)
        if readOnly { options += ",ro" }
        try await HostStorage.run(HostStorage.tool("mount"), ["-t", filesystem(volume), "-o", options, device(lv), path])
    }

    func createVolume(_ volume: Volume, fill: @escaping @Sendable (String) async throws -> Void) async throws {
        let lv = lvName(volume)
        try await Self.lvm([
            "lvcreate", "--yes", "--wipesignatures", "y", "--thin", "--virtualsize", "\(size(volume))b", "--name", lv,
            "\(vgName)/\(thinPool)",
        ])
        do {
            try await HostStorage.run(
                HostStorage.tool("mkfs.ext4"), ["-q", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", device(lv)])
            let path = try await mountVolume(volume)
            try await fill(path)
        } catch {
            try? await deleteVolume(volume, snapshots: [])
            throw error
        }
    }

    func createVolume(_ volume: Volume, fromImage image: Volume) async throws {
        try await snapshotLV(from: lvName(image), to: lvName(volume))
        do {
            if size(volume) > size(image) { try await grow(lvName(volume), to: size(volume)) }
            _ = try await mountVolume(volume)
        } catch {
            try? await deleteVolume(volume, snapshots: [])
            throw error
        }
    }

    /// A writable, activated thin snapshot.
    private func snapshotLV(from source: String, to target: String) async throws {
        try await Self.lvm(["lvcreate", "--yes", "--snapshot", "--setactivationskip", "n", "--name", target, "\(vgName)/\(source)"])
        try await activate(target)
    }

    private func grow(_ lv: String, to bytes: Int64) async throws {
        try await Self.lvm(["lvresize", "--yes", "--size", "\(bytes)b", "\(vgName)/\(lv)"])
        try await HostStorage.run(HostStorage.tool("resize2fs"), [device(lv)])
    }

    func copyVolume(_ volume: Volume, from source: Volume, fromSnapshot: String?, snapshots: [String]) async throws {
        let origin = fromSnapshot.map { lvName(source, snapshot: $0) } ?? lvName(source)
        try await snapshotLV(from: origin, to: lvName(volume))
        do {
            _ = try await mountVolume(volume)
            for snapshot in snapshots {
                try await Self.lvm([
                    "lvcreate", "--yes", "--snapshot", "--name", lvName(volume, snapshot: snapshot),
                    "\(vgName)/\(lvName(source, snapshot: snapshot))",
                ])
            }
        } catch {
            try? await deleteVolume(volume, snapshots: snapshots)
            throw error
        }
    }

    func deleteVolume(_ volume: Volume, snapshots: [String]) async throws {
        for snapshot in snapshots {
            try? await HostStorage.unmount(pool.snapshotPath(volume, snapshot))
            _ = try? await Self.lvm(["lvremove", "--yes", "-f", "\(vgName)/\(lvName(volume, snapshot: snapshot))"])
        }
        HostStorage.removeTree(pool.snapshotsPath(volume))
        try await unmountVolume(volume)
        rmdir(pool.path(volume))
        if (try? await Self.lvm(["lvs", "\(vgName)/\(lvName(volume))"])) != nil {
            try await Self.lvm(["lvremove", "--yes", "-f", "\(vgName)/\(lvName(volume))"])
        }
    }

    func renameVolume(_ volume: Volume, to newName: String) async throws {
        let renamed = volume.renamed(newName)
        try await unmountVolume(volume)
        try await Self.lvm(["lvrename", vgName, lvName(volume), lvName(renamed)])
        rmdir(pool.path(volume))
        let snapshotNames = (try? FileManager.default.contentsOfDirectory(atPath: pool.snapshotsPath(volume))) ?? []
        for snapshot in snapshotNames {
            try await Self.lvm(["lvrename", vgName, lvName(volume, snapshot: snapshot), lvName(renamed, snapshot: snapshot)])
        }
        if HostStorage.exists(pool.snapshotsPath(volume)) {
            try HostStorage.rename(pool.snapshotsPath(volume), pool.snapshotsPath(renamed))
        }
        _ = try await mountVolume(renamed)
    }

    func mountVolume(_ volume: Volume) async throws -> String {
        let path = pool.path(volume)
        try await activate(lvName(volume))
        try await mountLV(lvName(volume), at: path, volume: volume, readOnly: volume.type == .image)
        return path
    }

    func unmountVolume(_ volume: Volume) async throws {
        try await HostStorage.unmount(pool.path(volume))
    }

    /// Image volumes are mounted read-only from now on.
    func sealImageVolume(_ volume: Volume) async throws {
        try await unmountVolume(volume)
        _ = try await mountVolume(volume)
    }

    func createSnapshot(_ volume: Volume, name: String) async throws {
        _ = try? await HostStorage.run("/bin/sync", ["-f", pool.path(volume)])
        try await Self.lvm(["lvcreate", "--yes", "--snapshot", "--name", lvName(volume, snapshot: name), "\(vgName)/\(lvName(volume))"])
        // The snapshot's folder exists so that listings and copies find it; mounted when read.
        try FileManager.default.createDirectory(atPath: pool.snapshotPath(volume, name), withIntermediateDirectories: true)
    }

    func deleteSnapshot(_ volume: Volume, name: String) async throws {
        try await HostStorage.unmount(pool.snapshotPath(volume, name))
        try await Self.lvm(["lvremove", "--yes", "-f", "\(vgName)/\(lvName(volume, snapshot: name))"])
        rmdir(pool.snapshotPath(volume, name))
        rmdir(pool.snapshotsPath(volume))
    }

    func renameSnapshot(_ volume: Volume, from name: String, to newName: String) async throws {
        try await HostStorage.unmount(pool.snapshotPath(volume, name))
        try await Self.lvm(["lvrename", vgName, lvName(volume, snapshot: name), lvName(volume, snapshot: newName)])
        try HostStorage.rename(pool.snapshotPath(volume, name), pool.snapshotPath(volume, newName))
    }

    /// The volume's LV is replaced by a writable snapshot of the snapshot.
    func restoreSnapshot(_ volume: Volume, name: String) async throws {
        let lv = lvName(volume)
        let old = lv + "-restore--old"
        try await unmountVolume(volume)
        try await Self.lvm(["lvrename", vgName, lv, old])
        do {
            try await snapshotLV(from: lvName(volume, snapshot: name), to: lv)
        } catch {
            _ = try? await Self.lvm(["lvrename", vgName, old, lv])
            _ = try? await mountVolume(volume)
            throw error
        }
        try await Self.lvm(["lvremove", "--yes", "-f", "\(vgName)/\(old)"])
        _ = try await mountVolume(volume)
    }

    /// Grows the LV and its filesystem; a mounted ext4 cannot shrink, so a smaller size is refused.
    func setQuota(_ volume: Volume, bytes: Int64?) async throws {
        let target = bytes ?? size(volume.renamed(volume.name))
        let lv = lvName(volume)
        let output = try await Self.lvm(["lvs", "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_size", "\(vgName)/\(lv)"])
        guard let current = Int64(output.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        if target == current { return }
        if target < current {
            if let used = try await volumeUsage(volume), UInt64(target) < used {
                throw LXDError.badRequest(
                    "Quota of \(ByteSize.string(target)) is below the \(ByteSize.string(Int64(used))) the volume already uses")
            }
            throw LXDError.badRequest("Cannot shrink the filesystem of volume \"\(volume.name)\" while it is in use")
        }
        try await grow(lv, to: target)
    }

    func volumeUsage(_ volume: Volume) async throws -> UInt64? {
        let path = pool.path(volume)
        guard HostStorage.isMountPoint(path) else { return nil }
        return HostStorage.filesystemUsage(path).used
    }
}
