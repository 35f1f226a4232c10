import CArchive
import Foundation

/// The compression of an archive `ArchiveWriter` creates.
public enum ArchiveCompression: String, Sendable, CaseIterable {
    case none, gzip, bzip2, xz, zstd
}

/// Writes a tar archive (POSIX pax, as GNU tar reads it), optionally compressed: from a directory
/// tree (with the reverse id shift, for publish/export) or member by member. Confined to one thread.
public final class ArchiveWriter {
    private let archive: OpaquePointer
    private let path: String
    private var isClosed = false

    public init(path: String, compression: ArchiveCompression = .none) throws(ArchiveError) {
        guard let archive = archive_write_new() else { throw ArchiveError("Failed creating archive writer") }
        self.archive = archive
        self.path = path
        try check(archive_write_set_format_pax_restricted(archive), archive, "Failed creating \"\(path)\"")
        let filter: Int32
        switch compression {
        case .none: filter = ARCHIVE_OK
        case .gzip: filter = archive_write_add_filter_gzip(archive)
        case .bzip2: filter = archive_write_add_filter_bzip2(archive)
        case .xz: filter = archive_write_add_filter_xz(archive)
        case .zstd: filter = archive_write_add_filter_zstd(archive)
        }
        try check(filter, archive, "Failed creating \"\(path)\" with \(compression.rawValue) compression")
        // No time in the gzip header, as Go's writer: the same content gives the same tarball.
        if compression == .gzip { archive_write_set_filter_option(archive, "gzip", "timestamp", nil) }
        try check(archive_write_open_filename(archive, path), archive, "Failed creating \"\(path)\"")
    }

    deinit {
        // archive_write_free closes (and flushes) an archive still open.
        archive_write_free(archive)
    }

    /// Writes one member. `data` is the content of a file (its size wins over `info.size`).
    public func write(_ info: ArchiveEntryInfo, data: Data? = nil) throws(ArchiveError) {
        guard let entry = archive_entry_new() else { throw ArchiveError("Failed creating archive entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, info.path)
        archive_entry_set_perm(entry, mode_t(info.mode & 0o7777))
        archive_entry_set_uid(entry, info.uid)
        archive_entry_set_gid(entry, info.gid)
        archive_entry_set_mtime(entry, time_t(info.modificationTime), 0)
        switch info.kind {
        case .file, .other:
            archive_entry_set_filetype(entry, FileType.regular)
            archive_entry_set_size(entry, Int64(data?.count ?? 0))
        case .directory:
            archive_entry_set_filetype(entry, FileType.directory)
        case .symlink:
            archive_entry_set_filetype(entry, FileType.symlink)
            archive_entry_set_symlink(entry, info.linkTarget ?? "")
        case .hardlink:
            archive_entry_set_filetype(entry, FileType.regular)
            archive_entry_set_hardlink(entry, info.linkTarget ?? "")
        }
        try check(archive_write_header(archive, entry), archive, "Failed writing \"\(info.path)\" to \"\(path)\"")
        if let data, info.kind == .file || info.kind == .other, !data.isEmpty {
            let written = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            guard written == data.count else { throw ArchiveError.from(archive, "Failed writing \"\(info.path)\" to \"\(path)\"") }
        }
    }

    /// Adds `directory` and everything below it as `prefix` (e.g. "rootfs"; "" puts the tree's
    /// contents at the top level), not following symlinks, keeping hardlinks, xattrs and ACLs.
    /// With `idShift`, host ids are mapped back into the container (`uid - uidBase`), refusing
    /// files whose owner is outside the container's range; ACL entries and file capabilities are
    /// mapped back too. `progress` sees the file bytes
    /// written so far. Returns the number of members.
    @discardableResult
    public func addTree(_ directory: String, as prefix: String, idShift: IDShift? = nil, progress: ((Int64) -> Void)? = nil)
        throws(ArchiveError) -> Int
    {
        guard let disk = archive_read_disk_new() else { throw ArchiveError("Failed creating disk reader") }
        defer { archive_read_free(disk) }
        try check(archive_read_disk_set_symlink_physical(disk), disk, "Failed reading \"\(directory)\"")
        try check(archive_read_disk_open(disk, directory), disk, "Failed reading \"\(directory)\"")
        guard let resolver = archive_entry_linkresolver_new() else { throw ArchiveError("Failed creating hardlink resolver") }
        defer { archive_entry_linkresolver_free(resolver) }
        archive_entry_linkresolver_set_strategy(resolver, archive_format(archive))

        let root = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        let top = ArchivePath.normalize(prefix)
        var count = 0
        var bytes: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            guard let entry = archive_entry_new() else { throw ArchiveError("Failed creating archive entry") }
            defer { archive_entry_free(entry) }
            let code = archive_read_next_header2(disk, entry)
            if code == ARCHIVE_EOF { break }
            try check(code, disk, "Failed reading \"\(directory)\"")
            if archive_read_disk_can_descend(disk) != 0 { archive_read_disk_descend(disk) }

            let full = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let relative = full == root ? "" : String(full.dropFirst(root.count + (root == "/" ? 0 : 1)))
            let name = [top, relative].filter { !$0.isEmpty }.joined(separator: "/")
            if name.isEmpty { continue }
            archive_entry_set_pathname(entry, name)
            if let idShift {
                let uid = archive_entry_uid(entry) - idShift.uidBase
                let gid = archive_entry_gid(entry) - idShift.gidBase
                for (label, id, hostID) in [("uid", uid, archive_entry_uid(entry)), ("gid", gid, archive_entry_gid(entry))]
                where id < 0 || id >= idShift.range {
                    throw ArchiveError("Refusing to archive \"\(full)\": host \(label) \(hostID) is outside the container's id map")
                }
                archive_entry_set_uid(entry, uid)
                archive_entry_set_gid(entry, gid)
                try ShiftedMetadata.unshift(entry, idShift, path: full)
            }
            archive_entry_set_uname(entry, nil)
            archive_entry_set_gname(entry, nil)

            var linked: OpaquePointer? = entry
            var spare: OpaquePointer?
            archive_entry_linkify(resolver, &linked, &spare)
            if let spare { archive_entry_free(spare) }
            guard let linked else { continue }
            try check(archive_write_header(archive, linked), archive, "Failed writing \"\(name)\" to \"\(path)\"")
            if archive_entry_size(linked) > 0 {
                while true {
                    let read = buffer.withUnsafeMutableBytes { archive_read_data(disk, $0.baseAddress, $0.count) }
                    if read == 0 { break }
                    guard read > 0 else { throw ArchiveError.from(disk, "Failed reading \"\(full)\"") }
                    let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, read) }
                    guard written == read else { throw ArchiveError.from(archive, "Failed writing \"\(name)\" to \"\(path)\"") }
                    bytes += Int64(read)
                }
                progress?(bytes)
            }
            count += 1
        }
        return count
    }

    /// Flushes and closes the archive; further writes fail.
    public func close() throws(ArchiveError) {
        guard !isClosed else { return }
        isClosed = true
        try check(archive_write_close(archive), archive, "Failed writing \"\(path)\"")
    }
}

@available(*, unavailable)
extension ArchiveWriter: Sendable {}
