import CShim
import Foundation
import LXDAPI
import LXDCore

/// A migrated rootfs arrives with the source's host ids (rsync `--numeric-ids`); when the
/// source's map differs from ours (or it has none: never started), its files move into our
/// range (LXD resets the disk idmap and shifts at the next start; we shift once, here).
enum IdmapShift {
    /// Runs after each transfer into `volume` (before it is kept as a snapshot).
    static func adopt(volume: String, from source: [MigrationIDMap], to ours: IdmapSet) async throws {
        // The volume folder as ours are made: traversable by the container's root only (a
        // never-started LXD instance sends it owned by the host's root).
        chown(volume, uid_t(ours.uidBase), gid_t(ours.gidBase))
        chmod(volume, 0o100)
        // No map: the source never started the instance, its files still have the image's ids.
        let uid = source.first(where: { $0.isUID }) ?? MigrationIDMap(isUID: true, isGID: false, hostID: 0, nsID: 0, range: ours.range)
        let gid = source.first(where: { $0.isGID }) ?? MigrationIDMap(isUID: false, isGID: true, hostID: 0, nsID: 0, range: ours.range)
        guard uid.hostID != ours.uidBase || gid.hostID != ours.gidBase else { return }
        let range = min(UInt(max(uid.range, 0)), UInt(ours.range))
        let root = volume + "/rootfs"
        if FileManager.default.fileExists(atPath: root) {
            let status = try await Blocking.run("lxd-idmap-shift") {
                var uids = lxd_id_run(from: UInt32(uid.hostID), to: UInt32(ours.uidBase), count: UInt32(range))
                var gids = lxd_id_run(from: UInt32(gid.hostID), to: UInt32(ours.gidBase), count: UInt32(range))
                return lxd_fs_remap_tree(root, &uids, 1, &gids, 1)
            }
            guard status == 0 else {
                throw LXDError.internalError("Failed shifting the migrated rootfs: \(String(cString: strerror(-status)))")
            }
        }
    }
}
