import Foundation
import LXDAPI
import LXDCore

/// Custom volumes (`lxc storage volume ...`) and the listing of every volume of a pool.
extension StorageManager {
    static func validateVolumeName(_ name: String) throws {
        guard !name.isEmpty else { throw LXDError.badRequest("No name provided") }
        guard !name.contains("/") else { throw LXDError.badRequest("Storage volume names may not contain slashes") }
        guard name != "." && name != "..", !name.hasPrefix("-") else { throw LXDError.badRequest("Invalid volume name \"\(name)\"") }
    }

    private func validateVolumeConfig(_ config: [String: String], name: String, driver: any StorageDriver) throws {
        let allowed = type(of: driver).info.volumeKeys.union(["size"])
        for key in config.keys where !key.hasPrefix("user.") && !key.hasPrefix("volatile.") && !allowed.contains(key) {
            throw LXDError.internalError("Invalid option for volume \"default_\(name)\" option \"\(key)\"")
        }
        _ = try parseVolumeSize(config["size"])
    }

    func volumeRecord(_ pool: String, _ type: VolumeType, _ name: String) async throws -> StorageVolumeRecord {
        guard let record = try await database.storageVolume(pool: pool, type: type, name: name) else {
            // LXD names the pool first when it is the pool that is missing.
            _ = try await poolRecord(pool)
            throw LXDError.notFound("Storage pool volume not found")
        }
        return record
    }

    /// Instances and profiles with a disk device on this custom volume.
    func customVolumeUsedBy(_ pool: String, _ name: String) async throws -> [String] {
        func uses(_ devices: Devices) -> Bool {
            devices.values.contains { $0["type"] == "disk" && $0["pool"] == pool && $0["source"] == name && $0["path"] != "/" }
        }
        var usedBy: [String] = []
        for instance in try await database.instances() where uses(instance.devices) {
            usedBy.append("/1.0/instances/\(instance.name)")
        }
        for profile in try await database.profiles() where uses(profile.put.devices) {
            usedBy.append("/1.0/profiles/\(profile.name)")
        }
        return usedBy.sorted()
    }

    func volumeAPI(_ record: StorageVolumeRecord) async throws -> StorageVolume {
        var volume = StorageVolume(name: record.name, type: record.type.rawValue, config: record.config, description: record.description)
        volume.config = record.config.filter { !$0.key.hasPrefix("volatile.") }
        volume.contentType = record.contentType
        switch record.type {
        case .container: volume.usedBy = ["/1.0/instances/\(record.name)"]
        case .image: volume.usedBy = ["/1.0/images/\(record.name)"]
        case .custom: volume.usedBy = try await customVolumeUsedBy(record.pool, record.name)
        }
        return volume
    }

    /// Every volume of the pool, with the snapshots of instances and custom volumes as
    /// `<volume>/<snapshot>` entries (LXD's listing), sorted by type then name.
    func volumes(_ pool: String, type: VolumeType? = nil) async throws -> [StorageVolume] {
        _ = try await poolRecord(pool)
        var result: [StorageVolume] = []
        for record in try await database.storageVolumes(pool: pool, type: type) {
            result.append(try await volumeAPI(record))
            let snapshots: [String]
            switch record.type {
            case .container: snapshots = try await database.snapshots(of: record.name).map(\.name)
            case .custom: snapshots = try await database.storageVolumeSnapshots(pool: pool, type: .custom, volume: record.name).map(\.name)
            case .image: snapshots = []
            }
            for snapshot in snapshots.sorted() {
                var entry = StorageVolume(name: record.name + "/" + snapshot, type: record.type.rawValue)
                entry.contentType = record.contentType
                result.append(entry)
            }
        }
        return result
    }

    // MARK: Custom volumes

    func createCustomVolume(_ pool: String, _ post: StorageVolumesPost) async throws {
        try Self.validateVolumeName(post.name)
        if !post.type.isEmpty && post.type != "custom" {
            throw LXDError.badRequest("Currently not allowed to create storage volumes of type \(post.type)")
        }
        if !post.contentType.isEmpty && post.contentType != "filesystem" {
            throw LXDError.badRequest("Content type \"\(post.contentType)\" is not supported by this server (only filesystem)")
        }
        try beginVolumeCreation(pool)
        defer { endVolumeCreation(pool) }
        let driver = try await driver(pool)
        let lock = await acquire("volume/\(pool)/custom/\(post.name)")
        defer { lock.unlock() }
        if try await database.storageVolume(pool: pool, type: .custom, name: post.name) != nil {
            throw LXDError.conflict("Volume by that name already exists")
        }
        var config = post.config
        if config["size"] == nil, let size = driver.pool.config["volume.size"], !size.isEmpty { config["size"] = size }
        let volume = Volume(.custom, post.name, config: config)
        switch post.source.type {
        case "", "none":
            try validateVolumeConfig(config, name: post.name, driver: driver)
            let idmap = self.idmap
            try await driver.createVolume(volume) { path in
                // Owned by the containers' root, so that an attached volume is writable inside.
                chown(path, uid_t(idmap.uidBase), gid_t(idmap.gidBase))
                chmod(path, 0o711)
            }
            try await finishCustomVolume(volume, driver: driver, description: post.description, snapshots: [])
        case "copy":
            try await copyCustomVolume(into: volume, driver: driver, post: post)
        default:
            throw LXDError.badRequest("Unknown source type \"\(post.source.type)\"")
        }
        events.lifecycle("storage-volume-created", source: "/1.0/storage-pools/\(pool)/volumes/custom/\(post.name)")
    }

    /// The quota and the row, or the volume goes again.
    private func finishCustomVolume(
        _ volume: Volume, driver: any StorageDriver, description: String, snapshots: [StorageVolumeSnapshotRecord]
    ) async throws {
        do {
            if let quota = try parseVolumeSize(volume.config["size"]) { try await driver.setQuota(volume, bytes: quota) }
            try await database.createStorageVolume(
                StorageVolumeRecord(
                    pool: driver.pool.name, name: volume.name, type: .custom, description: description, config: volume.config))
            for snapshot in snapshots {
                try await database.createStorageVolumeSnapshot(pool: driver.pool.name, type: .custom, volume: volume.name, snapshot)
            }
        } catch {
            try? await driver.deleteVolume(volume, snapshots: snapshots.map(\.name))
            try? await database.deleteStorageVolume(pool: driver.pool.name, type: .custom, name: volume.name)
            throw error
        }
    }

    private func copyCustomVolume(into volume: Volume, driver: any StorageDriver, post: StorageVolumesPost) async throws {
        let sourcePool = post.source.pool.isEmpty ? driver.pool.name : post.source.pool
        let parts = post.source.name.split(separator: "/", maxSplits: 1).map(String.init)
        guard let sourceName = parts.first, !sourceName.isEmpty else { throw LXDError.badRequest("No source volume name provided") }
        let sourceRecord = try await volumeRecord(sourcePool, .custom, sourceName)
        let fromSnapshot = parts.count == 2 ? parts[1] : nil
        var snapshots = try await database.storageVolumeSnapshots(pool: sourcePool, type: .custom, volume: sourceName)
        if let fromSnapshot, !snapshots.contains(where: { $0.name == fromSnapshot }) {
            throw LXDError.notFound("Storage volume snapshot not found")
        }
        if post.source.volumeOnly || fromSnapshot != nil { snapshots = [] }
        var target = volume
        target.config = post.config.isEmpty ? sourceRecord.config : post.config
        let source = Volume(.custom, sourceName, config: sourceRecord.config)
        if sourcePool == driver.pool.name {
            try await driver.copyVolume(target, from: source, fromSnapshot: fromSnapshot, snapshots: snapshots.map(\.name))
        } else {
            try await copyAcrossPools(
                from: source, snapshot: fromSnapshot, sourceDriver: try await self.driver(sourcePool), to: target, driver: driver,
                snapshots: snapshots.map(\.name))
        }
        try await finishCustomVolume(
            target, driver: driver, description: post.description.isEmpty ? sourceRecord.description : post.description,
            snapshots: snapshots)
    }

    func deleteCustomVolume(_ pool: String, _ name: String) async throws {
        let lock = await acquire("volume/\(pool)/custom/\(name)")
        defer { lock.unlock() }
        let record = try await volumeRecord(pool, .custom, name)
        guard try await customVolumeUsedBy(pool, name).isEmpty else { throw LXDError.badRequest("The storage volume is still in use") }
        let snapshots = try await database.storageVolumeSnapshots(pool: pool, type: .custom, volume: name).map(\.name)
        try await driver(pool).deleteVolume(Volume(.custom, name, config: record.config), snapshots: snapshots)
        try await database.deleteStorageVolume(pool: pool, type: .custom, name: name)
        events.lifecycle("storage-volume-deleted", source: "/1.0/storage-pools/\(pool)/volumes/custom/\(name)")
    }

    /// `POST .../custom/NAME`: a new name, or (with another `pool`) a move to that pool.
    func renameCustomVolume(_ pool: String, _ name: String, _ post: StorageVolumePost) async throws {
        try Self.validateVolumeName(post.name)
        let targetPool = post.pool.isEmpty ? pool : post.pool
        let record = try await volumeRecord(pool, .custom, name)
        guard try await customVolumeUsedBy(pool, name).isEmpty else {
            throw LXDError.badRequest("Volume is still in use by running instances")
        }
        if targetPool != pool {
            var move = StorageVolumesPost(name: post.name, config: record.config, description: record.description)
            move.source = StorageVolumeSource(name: name, type: "copy", pool: pool, volumeOnly: post.volumeOnly)
            try await createCustomVolume(targetPool, move)
            try await deleteCustomVolume(pool, name)
            return
        }
        let lock = await acquire("volume/\(pool)/custom/\(name)")
        defer { lock.unlock() }
        if try await database.storageVolume(pool: pool, type: .custom, name: post.name) != nil {
            throw LXDError.conflict("Volume by that name already exists")
        }
        try await driver(pool).renameVolume(Volume(.custom, name, config: record.config), to: post.name)
        try await database.renameStorageVolume(pool: pool, type: .custom, from: name, to: post.name)
        events.lifecycle("storage-volume-renamed", source: "/1.0/storage-pools/\(pool)/volumes/custom/\(post.name)")
    }

    /// `PUT`/`PATCH`: config and description; a new `size` is applied as the quota first.
    func updateCustomVolume(_ pool: String, _ name: String, _ put: StorageVolumePut, merge: Bool) async throws {
        let lock = await acquire("volume/\(pool)/custom/\(name)")
        defer { lock.unlock() }
        var record = try await volumeRecord(pool, .custom, name)
        let driver = try await driver(pool)
        if !put.restore.isEmpty {
            guard
                try await database.storageVolumeSnapshots(pool: pool, type: .custom, volume: name).contains(where: {
                    $0.name == put.restore
                })
            else {
                throw LXDError.notFound("Storage volume snapshot not found")
            }
            try await driver.restoreSnapshot(Volume(.custom, name, config: record.config), name: put.restore)
            return
        }
        var config = merge ? record.config.merging(put.config) { _, new in new } : put.config
        for (key, value) in record.config where key.hasPrefix("volatile.") { config[key] = value }
        config = config.filter { !$0.value.isEmpty }
        try validateVolumeConfig(config, name: name, driver: driver)
        if config["size"] != record.config["size"] {
            try await driver.setQuota(Volume(.custom, name, config: config), bytes: try parseVolumeSize(config["size"]))
        }
        record.config = config
        if !(merge && put.description.isEmpty) { record.description = put.description }
        try await database.updateStorageVolume(record)
        events.lifecycle("storage-volume-updated", source: "/1.0/storage-pools/\(pool)/volumes/custom/\(name)")
    }

    func customVolumeState(_ pool: String, _ type: VolumeType, _ name: String) async throws -> StorageVolumeState {
        let record = try await volumeRecord(pool, type, name)
        // LXD 5.0.2 answers "Not supported" where the driver cannot tell (dir without project quotas).
        guard let used = try await driver(pool).volumeUsage(Volume(type, name, config: record.config)) else {
            throw LXDError.internalError("Not supported")
        }
        return StorageVolumeState(usage: StorageVolumeState.Usage(used: used, total: (try? parseVolumeSize(record.config["size"])) ?? 0))
    }

    // MARK: Custom volume snapshots

    func createCustomSnapshot(_ pool: String, _ name: String, _ post: StorageVolumeSnapshotsPost) async throws -> String {
        let lock = await acquire("volume/\(pool)/custom/\(name)")
        defer { lock.unlock() }
        let record = try await volumeRecord(pool, .custom, name)
        let existing = Set(try await database.storageVolumeSnapshots(pool: pool, type: .custom, volume: name).map(\.name))
        var snapshot = post.name
        if snapshot.isEmpty {
            var index = 0
            while existing.contains("snap\(index)") { index += 1 }
            snapshot = "snap\(index)"
        }
        try InstanceManager.validateSnapshotName(snapshot)
        if existing.contains(snapshot) { throw LXDError.conflict("Snapshot \"\(snapshot)\" already in use") }
        let driver = try await driver(pool)
        let volume = Volume(.custom, name, config: record.config)
        try await driver.createSnapshot(volume, name: snapshot)
        do {
            try await database.createStorageVolumeSnapshot(
                pool: pool, type: .custom, volume: name, StorageVolumeSnapshotRecord(name: snapshot, expiresAt: post.expiresAt))
        } catch {
            try? await driver.deleteSnapshot(volume, name: snapshot)
            throw error
        }
        events.lifecycle(
            "storage-volume-snapshot-created", source: "/1.0/storage-pools/\(pool)/volumes/custom/\(name)/snapshots/\(snapshot)")
        return snapshot
    }

    func customSnapshot(_ pool: String, _ name: String, _ snapshot: String) async throws -> StorageVolumeSnapshotRecord {
        guard
            let record = try await database.storageVolumeSnapshots(pool: pool, type: .custom, volume: name).first(where: {
                $0.name == snapshot
            })
        else {
            throw LXDError.notFound("Storage pool volume snapshot not found")
        }
        return record
    }

    func deleteCustomSnapshot(_ pool: String, _ name: String, _ snapshot: String) async throws {
        let lock = await acquire("volume/\(pool)/custom/\(name)")
        defer { lock.unlock() }
        let record = try await volumeRecord(pool, .custom, name)
        _ = try await customSnapshot(pool, name, snapshot)
        try await driver(pool).deleteSnapshot(Volume(.custom, name, config: record.config), name: snapshot)
        try await database.deleteStorageVolumeSnapshot(pool: pool, type: .custom, volume: name, name: snapshot)
        events.lifecycle(
            "storage-volume-snapshot-deleted", source: "/1.0/storage-pools/\(pool)/volumes/custom/\(name)/snapshots/\(snapshot)")
    }

    func renameCustomSnapshot(_ pool: String, _ name: String, _ snapshot: String, to newName: String) async throws {
        try InstanceManager.validateSnapshotName(newName)
        let lock = await acquire("volume/\(pool)/custom/\(name)")
        defer { lock.unlock() }
        let record = try await volumeRecord(pool, .custom, name)
        _ = try await customSnapshot(pool, name, snapshot)
        if (try? await customSnapshot(pool, name, newName)) != nil { throw LXDError.conflict("Snapshot \"\(newName)\" already in use") }
        try await driver(pool).renameSnapshot(Volume(.custom, name, config: record.config), from: snapshot, to: newName)
        try await database.renameStorageVolumeSnapshot(pool: pool, type: .custom, volume: name, from: snapshot, to: newName)
    }

    func updateCustomSnapshot(_ pool: String, _ name: String, _ snapshot: String, description: String, expiresAt: Timestamp?) async throws {
        var record = try await customSnapshot(pool, name, snapshot)
        record.description = description
        record.expiresAt = expiresAt
        try await database.updateStorageVolumeSnapshot(pool: pool, type: .custom, volume: name, record)
    }

    // MARK: Disk devices on custom volumes

    /// A disk device naming a custom volume (`pool` + `source`) must name one that exists.
    func validateCustomVolumeDisk(_ device: String, _ settings: [String: String]) async throws {
        guard let pool = settings["pool"], let source = settings["source"], !source.isEmpty else {
            throw LXDError.badRequest("Failed add validation for device \"\(device)\": Disk source is required for \"\(device)\"")
        }
        guard try await database.storagePool(named: pool) != nil else {
            throw LXDError.badRequest("Failed add validation for device \"\(device)\": Storage pool \"\(pool)\" not found")
        }
        guard try await database.storageVolume(pool: pool, type: .custom, name: source) != nil else {
            throw LXDError.badRequest(
                "Failed add validation for device \"\(device)\": Failed loading custom volume: Storage volume not found")
        }
    }

    /// Disk devices on custom volumes become bind mounts of the volume's mounted path.
    func resolveDiskDevices(_ devices: Devices) async throws -> Devices {
        var resolved = devices
        for (name, device) in devices where device["type"] == "disk" && device["path"] != "/" {
            guard let pool = device["pool"], !pool.isEmpty, let source = device["source"], !source.isEmpty else { continue }
            guard let record = try await database.storageVolume(pool: pool, type: .custom, name: source) else {
                throw LXDError.badRequest("Failed start validation for device \"\(name)\": Storage volume \"\(source)\" not found")
            }
            resolved[name]?["source"] = try await driver(pool).mountVolume(Volume(.custom, source, config: record.config))
            // Now a host folder: mounted (and hot-plugged) like any other disk.
            resolved[name]?["pool"] = nil
        }
        return resolved
    }
}
