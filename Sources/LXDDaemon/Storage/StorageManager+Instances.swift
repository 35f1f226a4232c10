import Foundation
import LXDAPI
import LXDCore

/// Instance volumes: what `InstanceManager` asks of the pools.
extension StorageManager {
    /// Where an instance's volume (`rootfs/`, `templates/`, `metadata.yaml`) is reached.
    nonisolated func instanceVolumePath(_ instance: String, pool: String) -> String {
        paths.pool(pool) + "/" + VolumeType.container.folder + "/" + instance
    }

    nonisolated func instanceSnapshotsPath(_ instance: String, pool: String) -> String {
        paths.pool(pool) + "/" + VolumeType.container.snapshotsFolder + "/" + instance
    }

    /// The instance's volume, from the image (through the pool's image volume) or empty, with the
    /// root disk's `size` applied. Returns its path.
    func createInstanceVolume(_ instance: String, pool: String, image: ImageRecord?, size: String?, operation: BackgroundOperation?)
        async throws -> String
    {
        let quota = try parseVolumeSize(size)
        try beginVolumeCreation(pool)
        defer { endVolumeCreation(pool) }
        let lock = await acquire("volume/\(pool)/container/\(instance)")
        defer { lock.unlock() }
        let driver = try await driver(pool)
        let volume = Volume(.container, instance)
        let path = driver.pool.path(volume)
        guard !HostStorage.exists(path) else {
            throw LXDError.conflict("Failed creating instance: volume \"\(path)\" already exists")
        }
        if let image {
            let imageVolume = try await ensureImageVolume(image, driver: driver, operation: operation)
            try await driver.createVolume(volume, fromImage: imageVolume)
        } else {
            let idmap = self.idmap
            try await driver.createVolume(volume) { path in try ImageUnpacker.prepare(path, idmap: idmap) }
        }
        do {
            if let quota { try await driver.setQuota(volume, bytes: quota) }
            try await database.createStorageVolume(StorageVolumeRecord(pool: pool, name: instance, type: .container))
        } catch {
            try? await driver.deleteVolume(volume, snapshots: [])
            throw error
        }
        return path
    }

    func deleteInstanceVolume(_ instance: String, pool: String, snapshots: [String]) async throws {
        let lock = await acquire("volume/\(pool)/container/\(instance)")
        defer { lock.unlock() }
        try await driver(pool).deleteVolume(Volume(.container, instance), snapshots: snapshots)
        try await database.deleteStorageVolume(pool: pool, type: .container, name: instance)
    }

    func renameInstanceVolume(_ instance: String, to newName: String, pool: String) async throws {
        let lock = await acquire("volume/\(pool)/container/\(instance)")
        defer { lock.unlock() }
        try await driver(pool).renameVolume(Volume(.container, instance), to: newName)
        try await database.renameStorageVolume(pool: pool, type: .container, from: instance, to: newName)
    }

    /// Mounts the instance's volume where the driver needs it (lvm); returns its path.
    func mountInstanceVolume(_ instance: String, pool: String) async throws -> String {
        try await driver(pool).mountVolume(Volume(.container, instance))
    }

    func createInstanceSnapshot(_ instance: String, _ snapshot: String, pool: String) async throws {
        try await driver(pool).createSnapshot(Volume(.container, instance), name: snapshot)
    }

    func deleteInstanceSnapshot(_ instance: String, _ snapshot: String, pool: String) async throws {
        try await driver(pool).deleteSnapshot(Volume(.container, instance), name: snapshot)
    }

    func renameInstanceSnapshot(_ instance: String, _ snapshot: String, to newName: String, pool: String) async throws {
        try await driver(pool).renameSnapshot(Volume(.container, instance), from: snapshot, to: newName)
    }

    /// Puts the volume back as the snapshot has it, keeping the root disk's `size`.
    func restoreInstanceSnapshot(_ instance: String, _ snapshot: String, pool: String, size: String?) async throws {
        let lock = await acquire("volume/\(pool)/container/\(instance)")
        defer { lock.unlock() }
        let driver = try await driver(pool)
        let volume = Volume(.container, instance)
        try await driver.restoreSnapshot(volume, name: snapshot)
        if let quota = try? parseVolumeSize(size) { try? await driver.setQuota(volume, bytes: quota) }
    }

    /// A new instance volume copied from another instance's (or one of its snapshots), with the
    /// named snapshots; inside a pool the driver's cheap copy, across pools a file copy.
    func copyInstanceVolume(
        from source: String, snapshot: String?, sourcePool: String, to target: String, pool: String, snapshots: [String], size: String?
    ) async throws {
        let quota = try parseVolumeSize(size)
        try beginVolumeCreation(pool)
        defer { endVolumeCreation(pool) }
        let lock = await acquire("volume/\(pool)/container/\(target)")
        defer { lock.unlock() }
        let targetDriver = try await driver(pool)
        let targetVolume = Volume(.container, target)
        let sourceVolume = Volume(.container, source)
        if sourcePool == pool {
            try await targetDriver.copyVolume(targetVolume, from: sourceVolume, fromSnapshot: snapshot, snapshots: snapshots)
        } else {
            try await copyAcrossPools(
                from: sourceVolume, snapshot: snapshot, sourceDriver: try await driver(sourcePool), to: targetVolume, driver: targetDriver,
                snapshots: snapshots)
        }
        do {
            if let quota { try await targetDriver.setQuota(targetVolume, bytes: quota) }
            try await database.createStorageVolume(StorageVolumeRecord(pool: pool, name: target, type: .container))
        } catch {
            try? await targetDriver.deleteVolume(targetVolume, snapshots: snapshots)
            throw error
        }
    }

    /// The generic copy: the volume is filled with each snapshot's files in turn and snapshotted,
    /// then with the source's current files.
    func copyAcrossPools(
        from source: Volume, snapshot: String?, sourceDriver: any StorageDriver, to target: Volume, driver: any StorageDriver,
        snapshots: [String]
    ) async throws {
        let sourcePath = try await sourceDriver.mountVolume(source)
        let origin = snapshot.map { sourceDriver.pool.snapshotPath(source, $0) } ?? sourcePath
        try await driver.createVolume(target) { path in
            for name in snapshots {
                try await Self.replaceContents(of: path, with: sourceDriver.pool.snapshotPath(source, name))
                try await driver.createSnapshot(target, name: name)
            }
            try await Self.replaceContents(of: path, with: origin)
        }
    }

    /// Empties `path` (keeping the folder and its owner) and copies `source`'s content in.
    static func replaceContents(of path: String, with source: String) async throws {
        try await Blocking.run("lxd-copy") {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                HostStorage.removeTree(path + "/" + entry)
            }
            var info = stat()
            if stat(source, &info) == 0 {
                chown(path, info.st_uid, info.st_gid)
                chmod(path, info.st_mode & 0o7777)
            }
        }
        try await HostStorage.copyContents(source, into: path)
    }

    /// The root disk's `size` changed: the volume's quota follows (LXD: "Failed to update device").
    func setInstanceQuota(_ instance: String, pool: String, size: String?) async throws {
        let quota: Int64?
        do {
            quota = try parseVolumeSize(size)
            try await driver(pool).setQuota(Volume(.container, instance), bytes: quota)
        } catch let error as LXDError {
            throw LXDError(error.status, "Failed to update device \"root\": \(error.message)")
        }
    }

    func instanceVolumeUsage(_ instance: String, pool: String) async -> UInt64? {
        try? await driver(pool).volumeUsage(Volume(.container, instance))
    }
}
