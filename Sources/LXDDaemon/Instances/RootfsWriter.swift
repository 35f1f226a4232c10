import CShim
import Foundation
import LXDAPI

/// Writes files into a container's rootfs without ever following a symlink out of it: every
/// path resolves with the rootfs as `/` (openat2 RESOLVE_IN_ROOT), so an image whose
/// `/etc/hostname` is a link to `/etc/shadow` on the host only ever reaches its own files.
struct RootfsWriter {
    let rootfs: String
    let owner: (uid: UInt32, gid: UInt32)

    func write(_ contents: String, to path: String, mode: mode_t = 0o644) throws {
        let rootFD = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw LXDError.internalError("Failed opening rootfs: \(String(cString: strerror(errno)))") }
        defer { close(rootFD) }
        let relative = path.drop { $0 == "/" }
        var parent = ""
        for component in relative.split(separator: "/").dropLast() {
            parent += parent.isEmpty ? String(component) : "/" + component
            let status = lxd_fs_mkdir_in_root(rootFD, parent, 0o755)
            if status == 0 {
                let fd = lxd_fs_open_in_root(rootFD, parent, O_RDONLY | O_DIRECTORY, 0)
                if fd >= 0 {
                    fchown(fd, owner.uid, owner.gid)
                    close(fd)
                }
            } else if status != -EEXIST {
                throw LXDError.internalError("Failed creating \"/\(parent)\" in the rootfs: \(String(cString: strerror(-status)))")
            }
        }
        let fd = lxd_fs_open_in_root(rootFD, String(relative), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw LXDError.internalError("Failed writing \"\(path)\" in the rootfs: \(String(cString: strerror(-fd)))")
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw LXDError.internalError("Failed writing \"\(path)\": \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        fchown(fd, owner.uid, owner.gid)
        fchmod(fd, mode)
    }
}
