import Foundation
import LXDAPI
import LXDCore

/// The receiving side (LXD's `migrationSink.Do`): read the offer, answer with rsync and the
/// features both sides have, make the instance, receive each snapshot into its volume and keep
/// a copy as the snapshot, receive the instance's volume, report success. Anything that fails
/// removes what was made and tells the source.
///
/// Refreshing (`lxc copy --refresh` onto an instance the target has): only the snapshots the
/// target lacks are asked for, those the source no longer has are deleted, and the volume is
/// synced in place (rsync with `delete`), as LXD does.
struct MigrationSink: Sendable {
    let state: DaemonState
    let post: InstancesPost
    var refreshing = false

    func run(control: MigrationChannel, fs: MigrationChannel, operation: BackgroundOperation?) async throws {
        if refreshing {
            try await refresh(control: control, fs: fs, operation: operation)
            return
        }
        let instances = state.instances
        let reverter = Reverter()
        var created = false
        do {
            let offer = try control.receiveHeader()
            if let criu = offer.criu, criu == .criuRsync {
                try await MigrationSource.checkLiveMigration(side: "destination")
            }
            var answer = MigrationHeader()
            answer.fs = .rsync
            answer.rsyncFeatures = (offer.rsyncFeatures ?? MigrationRsyncFeatures()).intersection(.supported)
            answer.snapshotNames = offer.snapshotNames
            answer.snapshots = offer.snapshots
            answer.refresh = false
            answer.predump = false
            answer.indexHeaderVersion = 0
            let target = try await instances.prepareMigrationTarget(post, reverter: reverter)
            created = true
            try control.sendHeader(answer)
            let features = answer.rsyncFeatures ?? MigrationRsyncFeatures()
            let snapshots = offer.snapshotNames.compactMap { name in
                offer.snapshots.first { $0.name == name } ?? MigrationSnapshot(name: name)
            }
            let total = snapshots.count + 1
            for (index, snapshot) in snapshots.enumerated() {
                operation?.updateProgress(stage: "fs", percent: index * 100 / total, text: "\(post.name)/\(snapshot.name)")
                try await RsyncTransfer.receive(path: target.volume, over: fs, features: features)
                try await IdmapShift.adopt(volume: target.volume, from: offer.idmap, to: instances.idmap)
                try await instances.storeMigratedSnapshot(post.name, snapshot, pool: target.pool)
            }
            operation?.updateProgress(stage: "fs", percent: snapshots.count * 100 / total, text: post.name)
            try await RsyncTransfer.receive(path: target.volume, over: fs, features: features)
            try await IdmapShift.adopt(volume: target.volume, from: offer.idmap, to: instances.idmap)
            control.sendControl(nil)
            reverter.success()
            try await instances.finishMigrationTarget(post.name)
        } catch {
            control.sendControl(error)
            reverter.fail()
            if created { await instances.abandonMigrationTarget(post.name) }
            throw error
        }
    }

    private func refresh(control: MigrationChannel, fs: MigrationChannel, operation: BackgroundOperation?) async throws {
        let instances = state.instances
        do {
            let offer = try control.receiveHeader()
            let target = try await instances.prepareMigrationRefresh(post.name, keeping: offer.snapshotNames)
            var answer = MigrationHeader()
            answer.fs = .rsync
            answer.rsyncFeatures = (offer.rsyncFeatures ?? MigrationRsyncFeatures()).intersection(.supported)
            guard answer.rsyncFeatures?.delete == true else {
                throw LXDError.internalError("Refreshing an instance needs the source's rsync \"delete\" feature")
            }
            answer.snapshotNames = offer.snapshotNames.filter { !target.snapshots.contains($0) }
            answer.snapshots = offer.snapshots.filter { answer.snapshotNames.contains($0.name) }
            answer.refresh = true
            answer.predump = false
            answer.indexHeaderVersion = 0
            try control.sendHeader(answer)
            let features = answer.rsyncFeatures ?? MigrationRsyncFeatures()
            let total = answer.snapshotNames.count + 1
            for (index, name) in answer.snapshotNames.enumerated() {
                let snapshot = answer.snapshots.first { $0.name == name } ?? MigrationSnapshot(name: name)
                operation?.updateProgress(stage: "fs", percent: index * 100 / total, text: "\(post.name)/\(name)")
                try await RsyncTransfer.receive(path: target.volume, over: fs, features: features)
                try await IdmapShift.adopt(volume: target.volume, from: offer.idmap, to: instances.idmap)
                try await instances.storeMigratedSnapshot(post.name, snapshot, pool: target.pool)
            }
            operation?.updateProgress(stage: "fs", percent: answer.snapshotNames.count * 100 / total, text: post.name)
            try await RsyncTransfer.receive(path: target.volume, over: fs, features: features)
            try await IdmapShift.adopt(volume: target.volume, from: offer.idmap, to: instances.idmap)
            control.sendControl(nil)
            state.events.lifecycle("instance-updated", source: "/1.0/instances/\(post.name)")
        } catch {
            control.sendControl(error)
            throw error
        }
    }
}
