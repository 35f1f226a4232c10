import Foundation
import LXDAPI
import LXDCore

/// The daemon's minute task for snapshots (LXD's `autoCreateInstanceSnapshotsTask` and
/// `pruneExpiredInstanceSnapshotsTask`): at the start of every minute it deletes expired
/// snapshots, then snapshots the instances whose `snapshots.schedule` names that minute
/// (stopped ones only with `snapshots.schedule.stopped`), named by `snapshots.pattern`.
struct SnapshotScheduler: Sendable {
    let instances: InstanceManager
    let database: Database
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            let now = Date().timeIntervalSince1970
            // A little past the minute boundary, so that the clock reads the new minute.
            let next = (now / 60).rounded(.down) * 60 + 60 + 0.5
            try? await Task.sleep(for: .seconds(next - now))
            if Task.isCancelled { return }
            await tick(at: .now())
        }
    }

    func tick(at now: Timestamp) async {
        await pruneExpired(at: now)
        await takeScheduled(at: now)
    }

    func pruneExpired(at now: Timestamp) async {
        guard let expired = try? await database.expiredSnapshots(at: now) else { return }
        for snapshot in expired {
            do {
                try await instances.deleteSnapshot(snapshot.instance, snapshot.name, requestor: nil)
            } catch {
                logger.error(
                    "Failed deleting expired snapshot", ["instance": snapshot.instance, "snapshot": snapshot.name, "err": "\(error)"])
            }
        }
    }

    func takeScheduled(at now: Timestamp) async {
        guard let records = try? await database.instances() else { return }
        for record in records {
            guard let config = try? await instances.expanded(record).config,
                let schedule = try? SnapshotSchedule.parse(config["snapshots.schedule"] ?? ""), schedule.matches(now)
            else { continue }
            if await instances.status(record.name) == .stopped && !ConfigFlag.isTrue(config["snapshots.schedule.stopped"]) { continue }
            do {
                try await instances.createSnapshot(record.name, name: "", expiresAt: nil, requestor: nil)
            } catch {
                logger.error("Failed taking scheduled snapshot", ["instance": record.name, "err": "\(error)"])
            }
        }
    }
}

extension InstanceManager {
    /// `snapshots.schedule: @startup`: a snapshot of the stopped instance as it starts. A failure
    /// is logged, as for scheduled snapshots, and does not stop the start.
    func snapshotAtStartup(_ name: String) async {
        guard let record = try? await record(name), await status(name) == .stopped,
            let config = try? await expanded(record).config,
            let schedule = try? SnapshotSchedule.parse(config["snapshots.schedule"] ?? ""), schedule.atStartup
        else { return }
        do {
            try await createSnapshot(name, name: "", expiresAt: nil, requestor: nil)
        } catch {
            logger.error("Failed taking startup snapshot", ["instance": name, "err": "\(error)"])
        }
    }
}

/// LXD's spellings of a true boolean config value.
enum ConfigFlag {
    static func isTrue(_ value: String?) -> Bool { ["true", "1", "yes", "on"].contains((value ?? "").lowercased()) }
}
