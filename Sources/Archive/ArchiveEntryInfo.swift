import CArchive

/// What an archive member is.
public enum ArchiveEntryKind: Sendable, Equatable {
    case file, directory, symlink, hardlink, other
}

/// An archive member's header: read from archives, or given to `ArchiveWriter`.
public struct ArchiveEntryInfo: Sendable, Equatable {
    /// Normalised when read: no leading "./", no trailing "/".
    public var path: String
    public var kind: ArchiveEntryKind
    public var size: Int64
    /// Permission bits including setuid/setgid/sticky (`0o7777`).
    public var mode: UInt32
    public var uid: Int64
    public var gid: Int64
    /// The target of a symlink, or the (normalised) member a hardlink points at.
    public var linkTarget: String?
    /// Modification time, seconds since the epoch.
    public var modificationTime: Int64

    public init(
        path: String, kind: ArchiveEntryKind, size: Int64 = 0, mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0,
        linkTarget: String? = nil, modificationTime: Int64 = 0
    ) {
        self.path = path
        self.kind = kind
        self.size = size
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.linkTarget = linkTarget
        self.modificationTime = modificationTime
    }

    /// The symlink target, when this is a symlink.
    public var symlinkTarget: String? { kind == .symlink ? linkTarget : nil }

    init(_ entry: OpaquePointer) {
        let rawPath = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)
        path = ArchivePath.normalize(rawPath.map { String(cString: $0) } ?? "")
        let type = archive_entry_filetype(entry) & FileType.mask
        if let hardlink = archive_entry_hardlink_utf8(entry) ?? archive_entry_hardlink(entry) {
            kind = .hardlink
            linkTarget = ArchivePath.normalize(String(cString: hardlink))
        } else {
            switch type {
            case FileType.regular: kind = .file
            case FileType.directory: kind = .directory
            case FileType.symlink: kind = .symlink
            default: kind = .other
            }
            let symlink = type == FileType.symlink ? (archive_entry_symlink_utf8(entry) ?? archive_entry_symlink(entry)) : nil
            linkTarget = symlink.map { String(cString: $0) }
        }
        size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
        mode = UInt32(archive_entry_perm(entry)) & 0o7777
        uid = archive_entry_uid(entry)
        gid = archive_entry_gid(entry)
        modificationTime = Int64(archive_entry_mtime(entry))
    }
}

/// An unprivileged container's id map, as one range for uids and one for gids:
/// container id `n` (0 ≤ n < `range`) is host id `base + n`.
public struct IDShift: Sendable, Equatable {
    public var uidBase: Int64
    public var gidBase: Int64
    public var range: Int64

    public init(uidBase: Int64, gidBase: Int64, range: Int64) {
        self.uidBase = uidBase
        self.gidBase = gidBase
        self.range = range
    }
}

/// `AE_IF*` (cast macros Swift does not import).
enum FileType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
}

enum ArchivePath {
    /// Strips leading "./" (and lone "."), trailing "/" and repeated slashes. Keeps a leading "/"
    /// so absolute members can be recognised and refused.
    static func normalize(_ path: String) -> String {
        var components = path.split(separator: "/", omittingEmptySubsequences: true)
        while components.first == "." { components.removeFirst() }
        let joined = components.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : joined
    }

    /// Why a member name is unsafe to create below a destination, if it is.
    static func unsafeReason(_ path: String) -> String? {
        if path.hasPrefix("/") { return "absolute path" }
        if path.split(separator: "/").contains("..") { return "path contains \"..\"" }
        return nil
    }
}
