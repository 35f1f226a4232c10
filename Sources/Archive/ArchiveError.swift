import CArchive

/// A failure reading, writing or extracting an archive, worded for a user
/// ("Failed extracting \"rootfs/etc\": …").
public struct ArchiveError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// libarchive's message for the last failure on `archive`, prefixed by `context`.
    static func from(_ archive: OpaquePointer?, _ context: String) -> ArchiveError {
        let message = archive.flatMap { archive_error_string($0) }.map { String(cString: $0) }
        return ArchiveError(message.map { "\(context): \($0)" } ?? context)
    }
}

/// The one place libarchive return codes become Swift errors. Warnings are success.
@discardableResult
func check(_ code: Int32, _ archive: OpaquePointer?, _ context: @autoclosure () -> String) throws(ArchiveError) -> Int32 {
    guard code >= ARCHIVE_WARN else { throw ArchiveError.from(archive, context()) }
    return code
}
