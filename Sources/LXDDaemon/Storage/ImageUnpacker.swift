import Archive
import CShim
import Foundation
import LXDAPI
import LXDCore

/// Writes an image's content into a fresh volume: `rootfs/` shifted into the containers' ids,
/// `templates/` and `metadata.yaml`, with LXD's modes (the volume traversable only by the
/// mapped root, an empty rootfs owned by it).
struct ImageUnpacker: Sendable {
    let paths: DaemonPaths
    let idmap: IdmapSet

    /// The volume folder's own owner and mode, and an empty rootfs and templates folder.
    static func prepare(_ volume: String, idmap: IdmapSet) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: volume + "/rootfs", withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: volume + "/templates", withIntermediateDirectories: true)
        chown(volume + "/rootfs", uid_t(idmap.uidBase), gid_t(idmap.gidBase))
        chmod(volume + "/rootfs", 0o755)
        chown(volume, uid_t(idmap.uidBase), gid_t(idmap.gidBase))
        chmod(volume, 0o100)
    }

    func unpack(_ image: ImageRecord, into volume: String, operation: BackgroundOperation?) async throws {
        try Self.prepare(volume, idmap: idmap)
        let tarball = paths.imageFile(image.fingerprint)
        let rootfsFile = paths.imageRootfsFile(image.fingerprint)
        if FileManager.default.fileExists(atPath: rootfsFile), ImageRootfs.kind(of: rootfsFile) == .squashfs {
            try await unpackSquashfs(rootfsFile, into: volume + "/rootfs")
        }
        let shift = IDShift(uidBase: idmap.uidBase, gidBase: idmap.gidBase, range: idmap.range)
        let started = ContinuousClock.now
        try await Blocking.run("lxd-unpack") {
            do {
                if FileManager.default.fileExists(atPath: rootfsFile) {
                    if ImageRootfs.kind(of: rootfsFile) == .tarball {
                        _ = try ImageArchive.extract(rootfsFile, prefix: "", to: volume + "/rootfs", idShift: shift)
                    }
                } else {
                    _ = try ImageArchive.extract(tarball, prefix: "rootfs/", to: volume + "/rootfs", idShift: shift) { done, total in
                        guard total > 0, let operation else { return }
                        let percent = min(100, done * 100 / total)
                        let speed = Int64(Double(done) / max(0.001, (ContinuousClock.now - started).seconds))
                        operation.updateProgress(
                            stage: "create_instance_from_image_unpack", percent: Int(percent), speed: speed,
                            text: "Unpack: \(percent)% (\(ByteSize.string(speed))/s)")
                    }
                }
                _ = try ImageArchive.extract(tarball, prefix: "templates/", to: volume + "/templates", idShift: nil)
                if let metadata = try ImageArchive.readMember(tarball, named: "metadata.yaml") {
                    try metadata.write(to: URL(fileURLWithPath: volume + "/metadata.yaml"))
                }
            } catch let error as LXDError {
                throw error
            } catch {
                throw LXDError.badRequest("Failed creating instance from image: \(error)")
            }
        }
    }

    /// Unpacks a squashfs rootfs next to its final place, shifts it into the container's ids,
    /// then moves it into place (unsquashfs has no id shifting of its own).
    private func unpackSquashfs(_ file: String, into rootfs: String) async throws {
        let unpack = rootfs + ".unpack"
        let result = try await ExternalTool.run("/usr/bin/unsquashfs", ["-f", "-n", "-d", unpack, file])
        guard case .exited(0) = result.status else {
            HostStorage.removeTree(unpack)
            throw LXDError.badRequest("Failed creating instance from image: unpacking the squashfs rootfs: \(result.output)")
        }
        let status = lxd_fs_shift_tree(unpack, uid_t(idmap.uidBase), gid_t(idmap.gidBase), UInt(idmap.range))
        guard status == 0 else {
            HostStorage.removeTree(unpack)
            throw LXDError.badRequest(
                status == -ERANGE
                    ? "Failed creating instance from image: the rootfs has ids outside the container's map"
                    : "Failed creating instance from image: shifting the rootfs: \(String(cString: strerror(-status)))")
        }
        rmdir(rootfs)
        guard Glibc.rename(unpack, rootfs) == 0 else {
            HostStorage.removeTree(unpack)
            throw LXDError.internalError("Failed moving the rootfs into place: \(String(cString: strerror(errno)))")
        }
    }
}
