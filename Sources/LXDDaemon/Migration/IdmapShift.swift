import CShim
import Foundation
import LXDAPI
import LXDCore

/// A migrated rootfs arrives with the source's host ids (rsync `--numeric-ids`); when the
/// source's map differs from ours (or it has none: never started), its files move into our
/// range (LXD resets the disk idmap and shifts at the next start; we shift once, here).
enum IdmapShift {
    static func adopt(volume: String, snapshots: String, from source: [MigrationIDMap], to ours: IdmapSet) async throws {
        // The volume folders as ours are made: traversable by the container's root only (a
        // never-started LXD instance sends them owned by the host's root).
        var volumes = [volume]
        if let names = try? FileManager.default.contentsOfDirectory(atPath: snapshots) { volumes += names.map { snapshots + "/" + $0 } }
        for folder in volumes {
            chown(folder, uid_t(ours.uidBase), gid_t(ours.gidBase))
            chmod(folder, 0o100)
        }
        // No map: the source never started the instance, its files still have the image's ids.
        let uid = source.first(where: { $0.isUID }) ?? MigrationIDMap(isUID: true, isGID: false, hostID: 0, nsID: 0, range: ours.range)
        let gid = source.first(where: { $0.isGID }) ?? MigrationIDMap(isUID: false, isGID: true, hostID: 0, nsID: 0, range: ours.range)
        guard uid.hostID != ours.uidBase || gid.hostID != ours.gidBase else { return }
        let range = min(UInt(max(uid.range, 0)), UInt(ours.range))
        var roots = [volume + "/rootfs"]
        if let names = try? FileManager.default.contentsOfDirectory(atPath: snapshots) {
            roots += names.map { snapshots + "/" + $0 + "/rootfs" }
        }
        for root in roots where FileManager.default.fileExists(atPath: root) {
            let status = try await Blocking.run("lxd-idmap-shift") {
                lxd_fs_remap_tree(root, uid_t(uid.hostID), gid_t(gid.hostID), uid_t(ours.uidBase), gid_t(ours.gidBase), range)
            }
            guard status == 0 else {
                throw LXDError.internalError("Failed shifting the migrated rootfs: \(String(cString: strerror(-status)))")
            }
        }
    }
}
