import CArchive
import Foundation

/// Reads an archive of any format and compression libarchive recognises (tar, tar.gz, tar.xz,
/// tar.bz2, tar.zst, …), one member at a time. Confined to one thread.
public final class ArchiveReader {
    let archive: OpaquePointer
    /// The libarchive entry of the member `next()` returned last.
    private(set) var entry: OpaquePointer?
    public let path: String

    public init(path: String) throws(ArchiveError) {
        guard let archive = archive_read_new() else { throw ArchiveError("Failed creating archive reader") }
        self.archive = archive
        self.path = path
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        try check(archive_read_open_filename(archive, path, 1 << 16), archive, "Failed opening archive \"\(path)\"")
    }

    deinit {
        archive_read_free(archive)
    }

    /// The next member's header, or nil at the end of the archive.
    public func next() throws(ArchiveError) -> ArchiveEntryInfo? {
        var next: OpaquePointer?
        let code = archive_read_next_header(archive, &next)
        if code == ARCHIVE_EOF {
            entry = nil
            return nil
        }
        try check(code, archive, "Failed reading archive \"\(path)\"")
        guard let next else { throw ArchiveError("Failed reading archive \"\(path)\": no entry") }
        entry = next
        return ArchiveEntryInfo(next)
    }

    /// The current member's content; throws if it is longer than `limit` bytes.
    public func readData(limit: Int) throws(ArchiveError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            guard count > 0 else { throw ArchiveError.from(archive, "Failed reading archive \"\(path)\"") }
            guard data.count + count <= limit else {
                throw ArchiveError("Failed reading archive \"\(path)\": member is larger than \(limit) bytes")
            }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Compressed bytes consumed so far.
    var compressedBytesRead: Int64 { archive_filter_bytes(archive, -1) }

    /// The compression filters found, outermost first (e.g. ["xz"]); empty for a plain archive.
    public var filters: [String] {
        (0..<archive_filter_count(archive)).compactMap { index in
            archive_filter_name(archive, index).map { String(cString: $0) }
        }.filter { $0 != "none" }
    }
}

@available(*, unavailable)
extension ArchiveReader: Sendable {}
