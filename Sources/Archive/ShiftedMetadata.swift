import CArchive
import CShim
import Foundation

/// ACL entries and file capabilities hold ids of their own, which libarchive writes as the
/// archive has them: after an extraction into a container's range they are moved like the
/// owners (LXD shifts them too), or the container sees unmapped ACL users and a capability
/// whose root is not its own (which the kernel ignores).
struct ShiftedMetadata {
    /// Paths written with ACLs or a capability, and that capability as archived.
    private var pending: [String: [UInt8]?] = [:]

    /// Notes an entry about to be written at `path` if it carries ACLs or a capability.
    mutating func note(_ entry: OpaquePointer, at path: String) {
        let hasACLs = archive_entry_acl_count(entry, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E) > 0
        let capability = Self.capability(of: entry)
        guard hasACLs || capability != nil else { return }
        pending[path] = capability
    }

    /// Moves the noted files' ACL ids and capability roots into `shift`'s range.
    func apply(_ shift: IDShift) throws(ArchiveError) {
        guard !pending.isEmpty else { return }
        var uids = lxd_id_run(from: 0, to: UInt32(clamping: shift.uidBase), count: UInt32(clamping: shift.range))
        var gids = lxd_id_run(from: 0, to: UInt32(clamping: shift.gidBase), count: UInt32(clamping: shift.range))
        for (path, capability) in pending.sorted(by: { $0.key < $1.key }) {
            let status = withUnsafePointer(to: &uids) { uids in
                withUnsafePointer(to: &gids) { gids in
                    var map = lxd_id_map(uids: uids, nuids: 1, gids: gids, ngids: 1, strict: 1)
                    return capability.withOptionalBytes { lxd_fs_map_file_xattrs(path, &map, $0.baseAddress, $0.count) }
                }
            }
            guard status == 0 else {
                throw ArchiveError(
                    status == -ERANGE
                        ? "Refusing to extract \"\(path)\": an ACL entry or file capability names an id outside the container's id range (0-\(shift.range - 1))"
                        : "Failed shifting the ACLs and capabilities of \"\(path)\": \(String(cString: strerror(-status)))")
            }
        }
    }

    /// Maps an entry read from a container's rootfs back out of `shift` (publishing): named ACL
    /// entries and the capability's root become the container's own ids again.
    static func unshift(_ entry: OpaquePointer, _ shift: IDShift, path: String) throws(ArchiveError) {
        func inside(_ id: Int64, base: Int64) throws(ArchiveError) -> Int64 {
            guard id - base >= 0, id - base < shift.range else {
                throw ArchiveError("Refusing to archive \"\(path)\": an ACL entry names host id \(id), outside the container's id map")
            }
            return id - base
        }
        var acls: [(type: Int32, permset: Int32, tag: Int32, qualifier: Int32)] = []
        var count = archive_entry_acl_reset(entry, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E)
        var hasNamed = false
        while count > 0 {
            count -= 1
            var type: Int32 = 0
            var permset: Int32 = 0
            var tag: Int32 = 0
            var qualifier: Int32 = 0
            var name: UnsafePointer<CChar>?
            guard archive_entry_acl_next(entry, ARCHIVE_ENTRY_ACL_TYPE_POSIX1E, &type, &permset, &tag, &qualifier, &name) == ARCHIVE_OK
            else { break }
            if tag == ARCHIVE_ENTRY_ACL_USER {
                qualifier = Int32(try inside(Int64(qualifier), base: shift.uidBase))
                hasNamed = true
            } else if tag == ARCHIVE_ENTRY_ACL_GROUP {
                qualifier = Int32(try inside(Int64(qualifier), base: shift.gidBase))
                hasNamed = true
            }
            acls.append((type, permset, tag, qualifier))
        }
        if hasNamed {
            archive_entry_acl_clear(entry)
            for acl in acls {
                archive_entry_acl_add_entry(entry, acl.type, acl.permset, acl.tag, acl.qualifier, nil)
            }
        }
        guard let capability = capability(of: entry) else { return }
        // A capability of the host's root (revision 2) stays the image root's.
        let uids = [
            lxd_id_run(from: UInt32(clamping: shift.uidBase), to: 0, count: UInt32(clamping: shift.range)),
            lxd_id_run(from: 0, to: 0, count: 1),
        ]
        var mapped = [UInt8](repeating: 0, count: 24)
        let size = uids.withUnsafeBufferPointer { uids in
            var map = lxd_id_map(uids: uids.baseAddress, nuids: 2, gids: uids.baseAddress, ngids: 2, strict: 1)
            return mapped.withUnsafeMutableBytes { out in
                capability.withUnsafeBytes { lxd_fs_map_caps_xattr($0.baseAddress, $0.count, &map, out.baseAddress, out.count) }
            }
        }
        guard size > 0 else {
            throw ArchiveError("Refusing to archive \"\(path)\": its file capability belongs to a root outside the container's id map")
        }
        // The other attributes stay; the capability is replaced.
        let others = xattrs(of: entry).filter { $0.name != "security.capability" }
        archive_entry_xattr_clear(entry)
        for (name, value) in others {
            value.withUnsafeBytes { archive_entry_xattr_add_entry(entry, name, $0.baseAddress, $0.count) }
        }
        mapped.withUnsafeBytes { archive_entry_xattr_add_entry(entry, "security.capability", $0.baseAddress, size) }
    }

    private static func capability(of entry: OpaquePointer) -> [UInt8]? {
        xattrs(of: entry).last { $0.name == "security.capability" }?.value
    }

    /// The entry's extended attributes, in order.
    private static func xattrs(of entry: OpaquePointer) -> [(name: String, value: [UInt8])] {
        var all: [(name: String, value: [UInt8])] = []
        var count = archive_entry_xattr_reset(entry)
        while count > 0 {
            count -= 1
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            archive_entry_xattr_next(entry, &name, &value, &size)
            guard let name else { continue }
            all.append((String(cString: name), value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
        }
        return all
    }
}

extension Optional where Wrapped == [UInt8] {
    fileprivate func withOptionalBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch self {
        case .some(let bytes): bytes.withUnsafeBytes(body)
        case .none: body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}
