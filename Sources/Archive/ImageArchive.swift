import CArchive
import Foundation

/// LXD image tarballs (unified: `metadata.yaml`, `templates/`, `rootfs/`; or split metadata and
/// rootfs tarballs): reading the metadata and unpacking a tree safely.
public enum ImageArchive {
    /// The flags every extraction uses: refuse `..`, writes through symlinks (the absolute-path
    /// check is ours, see `extract`), and restore owner, permissions, times, xattrs and ACLs.
    static let extractFlags: Int32 =
        ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR
        | ARCHIVE_EXTRACT_ACL

    /// Finds a top-level member (e.g. "metadata.yaml") and returns its bytes; nil if absent.
    /// Throws if the member is not a regular file (a symlink, say) or is larger than `limit`.
    public static func readMember(_ path: String, named name: String, limit: Int = 1 << 20) throws(ArchiveError) -> Data? {
        let reader = try ArchiveReader(path: path)
        let wanted = ArchivePath.normalize(name)
        var sawEntry = false
        while let info = try reader.next() {
            sawEntry = true
            guard info.path == wanted else { continue }
            guard info.kind == .file else { throw ArchiveError("\(wanted) must be a regular file") }
            guard info.size <= Int64(limit) else { throw ArchiveError("\(wanted) is larger than \(limit) bytes") }
            return try reader.readData(limit: limit)
        }
        if !sawEntry { try refuseEmpty(reader) }
        return nil
    }

    /// Extracts the members under `prefix` (e.g. "rootfs/"; "" for all) into `destination`, an
    /// existing directory, with the prefix stripped. With `idShift`, every uid/gid is moved into
    /// the container's range and a member whose id is outside `0..<range` is refused. Members
    /// with `..` or absolute paths, hardlinks leaving the prefix, and a prefix directory that is
    /// itself a symlink are refused; libarchive refuses writes through symlinks. ACL entries and
    /// file capabilities move with the owners (`ShiftedMetadata`). `progress` is
    /// called with (compressed bytes read, archive size) about every megabyte and at the end.
    /// Returns the number of members written and their content bytes.
    @discardableResult
    public static func extract(
        _ path: String, prefix: String, to destination: String, idShift: IDShift?,
        progress: ((Int64, Int64) -> Void)? = nil
    ) throws(ArchiveError) -> (entries: Int, bytes: Int64) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue,
            let root = realpath(destination, nil)
        else { throw ArchiveError("Failed extracting \"\(path)\": destination \"\(destination)\" is not a directory") }
        // Members are written at absolute paths below the resolved destination (libarchive has no
        // directory-fd API and the process cwd is shared), so none of its components is a symlink
        // and SECURE_SYMLINKS only ever trips on links that came from the archive.
        let base = String(cString: root)
        free(root)
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0

        let reader = try ArchiveReader(path: path)
        guard let disk = archive_write_disk_new() else { throw ArchiveError("Failed creating archive writer") }
        defer { archive_write_free(disk) }
        try check(archive_write_disk_set_options(disk, extractFlags), disk, "Failed setting extraction options")
        // ACL entries may name their user or group instead of an id (GNU tar writes names):
        // resolved through the host's passwd and group databases, as GNU tar does. Owners
        // stay numeric (their names are dropped below).
        try check(archive_write_disk_set_standard_lookup(disk), disk, "Failed setting extraction options")

        let stripped = ArchivePath.normalize(prefix)
        var entries = 0
        var bytes: Int64 = 0
        var sawEntry = false
        var lastProgress: Int64 = 0
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        var shiftedMetadata = ShiftedMetadata()

        while let info = try reader.next() {
            sawEntry = true
            guard let entry = reader.entry else { break }
            if let reason = ArchivePath.unsafeReason(info.path) {
                throw ArchiveError("Refusing to extract \"\(info.path)\" from \"\(path)\": \(reason)")
            }
            guard let relative = relativePath(info.path, prefix: stripped) else { continue }
            if relative.isEmpty {
                // The prefix directory itself: the destination stands for it.
                guard info.kind == .directory else {
                    throw ArchiveError("Refusing to extract \"\(path)\": \"\(info.path)\" must be a directory, not a \(info.kind)")
                }
                continue
            }
            archive_entry_set_pathname(entry, base + "/" + relative)
            if info.kind == .hardlink, let target = info.linkTarget {
                if let reason = ArchivePath.unsafeReason(target) {
                    throw ArchiveError("Refusing to extract hardlink \"\(info.path)\" to \"\(target)\": \(reason)")
                }
                guard let targetRelative = relativePath(target, prefix: stripped), !targetRelative.isEmpty else {
                    throw ArchiveError("Refusing to extract hardlink \"\(info.path)\": target \"\(target)\" is outside \"\(prefix)\"")
                }
                archive_entry_set_hardlink(entry, base + "/" + targetRelative)
            }
            if let idShift {
                for (name, id, base) in [("uid", info.uid, idShift.uidBase), ("gid", info.gid, idShift.gidBase)]
                where id < 0 || id >= idShift.range || base < 0 {
                    throw ArchiveError(
                        "Refusing to extract \"\(info.path)\": \(name) \(id) is outside the container's id range (0-\(idShift.range - 1))")
                }
                archive_entry_set_uid(entry, info.uid + idShift.uidBase)
                archive_entry_set_gid(entry, info.gid + idShift.gidBase)
            }
            // Names must not override numeric ids (there is no lookup on the disk writer, but be explicit).
            archive_entry_set_uname(entry, nil)
            archive_entry_set_gname(entry, nil)
            if idShift != nil, info.kind != .hardlink, info.kind != .symlink {
                shiftedMetadata.note(entry, at: base + "/" + relative)
            }

            try check(archive_write_header(disk, entry), disk, "Failed extracting \"\(info.path)\"")
            if archive_entry_size(entry) > 0 {
                while true {
                    let code = archive_read_data_block(reader.archive, &buffer, &size, &offset)
                    if code == ARCHIVE_EOF { break }
                    try check(code, reader.archive, "Failed reading \"\(info.path)\" from \"\(path)\"")
                    let written = archive_write_data_block(disk, buffer, size, offset)
                    guard written >= Int(ARCHIVE_WARN) else { throw ArchiveError.from(disk, "Failed extracting \"\(info.path)\"") }
                    bytes += Int64(size)
                }
            }
            try check(archive_write_finish_entry(disk), disk, "Failed extracting \"\(info.path)\"")
            entries += 1
            if let progress {
                let read = reader.compressedBytesRead
                if read - lastProgress >= 1 << 20 {
                    lastProgress = read
                    progress(read, totalBytes)
                }
            }
        }
        if !sawEntry { try refuseEmpty(reader) }
        // Directory permissions and times are applied here, deepest first.
        try check(archive_write_close(disk), disk, "Failed extracting \"\(path)\"")
        if let idShift { try shiftedMetadata.apply(idShift) }
        progress?(reader.compressedBytesRead, totalBytes)
        return (entries, bytes)
    }

    /// `path` below `prefix` with the prefix removed ("" for the prefix itself); nil if outside.
    static func relativePath(_ path: String, prefix: String) -> String? {
        if prefix.isEmpty { return path }
        if path == prefix { return "" }
        guard path.hasPrefix(prefix + "/") else { return nil }
        return String(path.dropFirst(prefix.count + 1))
    }

    /// libarchive reads a zero-length file as a valid empty archive; an image never is one.
    private static func refuseEmpty(_ reader: ArchiveReader) throws(ArchiveError) {
        throw ArchiveError("Failed reading archive \"\(reader.path)\": archive is empty")
    }
}
