import Foundation
import LXDAPI
import LXDCore

/// `lxc copy --refresh` onto an existing instance: its volume becomes the source's again, its
/// snapshots the source's (missing ones copied with their dates, extra ones deleted); its own
/// config and volatile keys stay.
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
        let pool = try rootPool(try await expanded(targetRecord).devices)
        let sourcePool = try rootPool(try await expanded(sourceRecord).devices)
        let sourceSnapshots = post.source.instanceOnly ? [] : try await database.snapshots(of: source)
        let targetSnapshots = try await database.snapshots(of: target)
        if !post.source.instanceOnly {
            for snapshot in targetSnapshots where !sourceSnapshots.contains(where: { $0.name == snapshot.name }) {
                Self.removeTree(snapshotPath(target, snapshot.name, pool: pool))
                try await database.deleteSnapshot(of: target, named: snapshot.name)
            }
            try FileManager.default.createDirectory(atPath: snapshotsPath(target, pool: pool), withIntermediateDirectories: true)
            for snapshot in sourceSnapshots where !targetSnapshots.contains(where: { $0.name == snapshot.name }) {
                let path = snapshotPath(target, snapshot.name, pool: pool)
                try await Self.copyVolume(snapshotPath(source, snapshot.name, pool: sourcePool), to: path)
                var copied = snapshot
                copied.instance = target
                do {
                    try await database.createSnapshot(copied)
                } catch {
                    Self.removeTree(path)
                    throw error
                }
            }
        }
        // The volume last, staged next to the old one and swapped in.
        let volume = volumePath(target, pool: pool)
        let staged = volume + ".refresh"
        Self.removeTree(staged)
        try await withFrozen(source, requestor: nil) {
            try await Self.copyVolume(volumePath(source, pool: sourcePool), to: staged)
        }
        let old = volume + ".old"
        Self.removeTree(old)
        guard Glibc.rename(volume, old) == 0 else {
            Self.removeTree(staged)
            throw LXDError.internalError("Failed refreshing instance: \(String(cString: strerror(errno)))")
        }
        guard Glibc.rename(staged, volume) == 0 else {
            _ = Glibc.rename(old, volume)
            throw LXDError.internalError("Failed refreshing instance: \(String(cString: strerror(errno)))")
        }
        try await Blocking.run("lxd-delete") { Self.removeTree(old) }
        events.lifecycle("instance-updated", source: "/1.0/instances/\(target)")
    }
}
