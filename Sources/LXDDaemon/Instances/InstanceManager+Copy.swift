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
        try await withFrozen(source, requestor: nil) {
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
