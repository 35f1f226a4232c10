import Foundation
import LXDAPI
import LXDCore

/// The sending side of an instance migration (LXD's `migrationSourceWs.Do`): offer a header
/// (rsync, the disk idmap, the snapshots), read the sink's answer, send each snapshot's volume
/// then the instance's with rsync on `fs`, and wait for the sink's verdict on `control`.
struct MigrationSource: Sendable {
    let state: DaemonState
    let name: String
    let instanceOnly: Bool
    /// Send this snapshot of `name` as the instance (no snapshots of its own).
    var snapshot: String? = nil

    func run(control: MigrationChannel, fs: MigrationChannel, operation: BackgroundOperation?) async throws {
        do {
            let info = try await state.instances.migrationSourceInfo(name, instanceOnly: instanceOnly, snapshot: snapshot)
            var offer = MigrationHeader()
            offer.fs = .rsync
            offer.idmap = info.idmap
            offer.snapshotNames = info.snapshots.map(\.name)
            offer.snapshots = info.snapshots.map(\.record)
            offer.predump = false
            offer.rsyncFeatures = .supported
            try control.sendHeader(offer)
            let answer = try control.receiveHeader()
            guard answer.fs == .rsync else {
                throw LXDError.internalError("Failed to negotiate migration type: no matching migration types found")
            }
            let features = (answer.rsyncFeatures ?? MigrationRsyncFeatures()).intersection(.supported)
            let wanted = answer.refresh == true ? Set(answer.snapshotNames) : Set(offer.snapshotNames)
            let total = info.snapshots.filter { wanted.contains($0.name) }.count + 1
            var done = 0
            for snapshot in info.snapshots where wanted.contains(snapshot.name) {
                operation?.updateProgress(stage: "fs", percent: done * 100 / total, text: "\(name)/\(snapshot.name)")
                try await RsyncTransfer.send(path: snapshot.path, over: fs, features: features)
                done += 1
            }
            operation?.updateProgress(stage: "fs", percent: done * 100 / total, text: name)
            try await RsyncTransfer.send(path: info.volume, over: fs, features: features)
            let verdict = try control.receiveControl()
            guard verdict.success else { throw LXDError.internalError(verdict.message ?? "Migration failed on the target") }
        } catch {
            control.sendControl(error)
            throw error
        }
    }

    /// LXD's check before a live (stateful) migration: CRIU must be installed and usable.
    static func checkLiveMigration(side: String) async throws {
        let candidates = ["/usr/sbin/criu", "/usr/bin/criu", "/sbin/criu"]
        guard let criu = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw LXDError.internalError("Unable to perform container live migration. CRIU isn't installed on the \(side) server")
        }
        let check = try await ExternalTool.run(criu, ["check"])
        guard case .exited(0) = check.status else {
            let reason = check.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw LXDError.internalError(
                "Unable to perform container live migration. \"criu check\" failed on the \(side) server: \(reason.isEmpty ? "\(check.status)" : reason)"
            )
        }
        throw LXDError.notImplemented("Live migration through CRIU is not supported by this server; use --stateless")
    }
}
