import Foundation
import LXDAPI
import LXDCore

/// `lxc copy --refresh` onto an existing instance: its volume becomes the source's again, its
/// snapshots the source's (missing ones copied with their dates, extra ones deleted); its own
/// config and volatile keys stay. The new volume is made beside the old one through the pool's
/// driver (a cheap copy where it has one) and swapped in, so a failure leaves the target as it was.
extension InstanceManager {
    func refreshCopy(_ post: InstancesPost, from source: String, operation: BackgroundOperation) async throws {
        let target = post.name
        let lock = locks.lock(for: target)
        await lock.lock()
        defer { lock.unlock() }
        let targetRecord = try await record(target)
        guard await status(target) == .stopped else {
            throw LXDError.badRequest("Failed getting exclusive access to instance: Instance is running")
        }
        let sourceRecord = try await record(source)
        let targetDevices = try await expanded(targetRecord).devices
        let pool = try rootPool(targetDevices)
        let sourcePool = try rootPool(try await expanded(sourceRecord).devices)
        let sourceSnapshots = post.source.instanceOnly ? [] : try await database.snapshots(of: source)
        let targetSnapshots = try await database.snapshots(of: target)
        // Instance names cannot hold "_": no instance can own this volume name.
        let staged = target + "_refresh"
        let storage = self.storage
        try await withFrozen(source, pool: sourcePool, requestor: nil) {
            try await storage.copyInstanceVolume(
                from: source, snapshot: nil, sourcePool: sourcePool, to: staged, pool: pool, snapshots: sourceSnapshots.map(\.name),
                size: rootSize(targetDevices))
        }
        do {
            try await storage.deleteInstanceVolume(target, pool: pool, snapshots: targetSnapshots.map(\.name))
        } catch {
            try? await storage.deleteInstanceVolume(staged, pool: pool, snapshots: sourceSnapshots.map(\.name))
            throw error
        }
        try await storage.renameInstanceVolume(staged, to: target, pool: pool)
        for snapshot in targetSnapshots { try await database.deleteSnapshot(of: target, named: snapshot.name) }
        for snapshot in sourceSnapshots {
            var copied = snapshot
            copied.instance = target
            try await database.createSnapshot(copied)
        }
        events.lifecycle("instance-updated", source: "/1.0/instances/\(target)")
    }
}

/// `lxc move NAME [NEW] --storage POOL` (LXD's `instance_pool_move`): the volume and its
/// snapshots are copied to the other pool, the root disk points there, the old volume goes, then
/// the instance is renamed if asked. A running instance would need a live migration (CRIU).
extension InstanceManager {
    func moveToPool(_ name: String, to newName: String, pool newPool: String, instanceOnly: Bool, requestor: EventLifecycleRequestor?)
        async throws
    {
        try await moveVolumeToPool(name, pool: newPool, instanceOnly: instanceOnly)
        if newName != name { try await rename(name, to: newName, requestor: requestor) }
    }

    private func moveVolumeToPool(_ name: String, pool newPool: String, instanceOnly: Bool) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        var record = try await record(name)
        if await status(name) != .stopped {
            try await CRIU.checkAvailable(for: "perform container live migration")
            throw LXDError.notImplemented("Unable to perform container live migration. Live migration is not supported yet")
        }
        guard try await database.storagePool(named: newPool) != nil else {
            throw LXDError.notFound(
                "Failed creating instance record: Failed initialising instance: Failed loading storage pool: Storage pool not found")
        }
        let devices = try await expanded(record).devices
        let oldPool = try rootPool(devices)
        let snapshots = try await database.snapshots(of: name).map(\.name)
        if oldPool != newPool {
            let kept = instanceOnly ? [] : snapshots
            // Instance names cannot hold "_": no instance can own this volume name.
            let staged = name + "_move"
            try await storage.copyInstanceVolume(
                from: name, snapshot: nil, sourcePool: oldPool, to: staged, pool: newPool, snapshots: kept, size: rootSize(devices))
            do {
                try await storage.deleteInstanceVolume(name, pool: oldPool, snapshots: snapshots)
            } catch {
                try? await storage.deleteInstanceVolume(staged, pool: newPool, snapshots: kept)
                throw error
            }
            try await storage.renameInstanceVolume(staged, to: name, pool: newPool)
            unlink(paths.instanceLink(name))
            symlink(volumePath(name, pool: newPool), paths.instanceLink(name))
        } else if instanceOnly {
            for snapshot in snapshots { try await storage.deleteInstanceSnapshot(name, snapshot, pool: oldPool) }
        }
        if instanceOnly {
            for snapshot in snapshots { try await database.deleteSnapshot(of: name, named: snapshot) }
        }
        // The root disk becomes the instance's own device on the new pool.
        let root = devices.first { $0.value["type"] == "disk" && $0.value["path"] == "/" }
        var device = root?.value ?? ["type": "disk", "path": "/"]
        device["pool"] = newPool
        record.devices[root?.key ?? "root"] = device
        try await database.updateInstance(record)
        events.lifecycle("instance-updated", source: "/1.0/instances/\(name)")
    }
}
