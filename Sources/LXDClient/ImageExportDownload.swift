import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// The files one `GET /1.0/images/FP/export` writes: a unified image's tarball, or a split
/// image's metadata and rootfs (the two parts of a multipart response), with the SHA-256 of all
/// the bytes (an image's fingerprint) and how far it got. Used by `lxc image export` and by the
/// daemon pulling an image from another server.
public final class ImageExportDownload {
    public let metaPath: String
    public let rootfsPath: String
    /// The server's file names (`Content-Disposition`, or each part's filename).
    public private(set) var metaName: String?
    public private(set) var rootfsName: String?
    public private(set) var total: Int64 = 0
    /// Bytes of the response so far (multipart framing included), and of the image itself.
    public private(set) var received: Int64 = 0
    public private(set) var imageBytes: Int64 = 0
    public private(set) var sha256 = ""
    private let mode: mode_t
    private var meta: FileHandle
    private var rootfs: FileHandle?
    private var current: FileHandle?
    private var multipart: MultipartStreamParser?
    private let hasher: SHA256Hasher

    /// A split image's rootfs goes to `rootfsPath`, created only when the server sends one.
    public init(metaPath: String, rootfsPath: String, mode: mode_t = 0o644) throws {
        self.metaPath = metaPath
        self.rootfsPath = rootfsPath
        self.mode = mode
        meta = try Self.create(metaPath, mode: mode)
        hasher = try SHA256Hasher()
    }

    /// Whether the server sent a split image.
    public var isSplit: Bool { rootfs != nil }

    /// Go's `os.Create` wording on failure (`open PATH: no such file or directory`).
    static func create(_ path: String, mode: mode_t) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw LXDError(.badRequest, "open \(path): \(String(cString: strerror(errno)).lowercased())") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    public func begin(_ headers: HTTPHeaders) throws {
        total = Int64(headers["Content-Length"] ?? "") ?? 0
        let contentType = headers["Content-Type"] ?? ""
        guard contentType.hasPrefix("multipart/form-data") else {
            metaName = Self.filename(fromDisposition: headers["Content-Disposition"] ?? "")
            current = meta
            return
        }
        guard let boundary = MultipartStreamParser.boundary(fromContentType: contentType) else {
            throw LXDError(.internalServerError, "Invalid multipart image export: no boundary")
        }
        multipart = MultipartStreamParser(
            boundary: boundary,
            onPart: { [unowned self] part in
                switch part.name {
                case "metadata":
                    metaName = part.filename.isEmpty ? nil : part.filename
                    current = meta
                case "rootfs":
                    rootfsName = part.filename.isEmpty ? nil : part.filename
                    let handle = try Self.create(rootfsPath, mode: mode)
                    rootfs = handle
                    current = handle
                default:
                    throw LXDError(.internalServerError, "Invalid multipart image export: unexpected part \"\(part.name)\"")
                }
            },
            onData: { [unowned self] bytes in try store(bytes) })
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        received += Int64(bytes.count)
        if let multipart { try multipart.feed(bytes) } else { try store(bytes) }
    }

    private func store(_ bytes: UnsafeRawBufferPointer) throws {
        guard let current else { return }
        hasher.update(bytes)
        imageBytes += Int64(bytes.count)
        try current.write(contentsOf: Data(bytes))
    }

    public func finish() throws {
        try multipart?.finish()
        try meta.close()
        try rootfs?.close()
        sha256 = hasher.finalizeHex()
    }

    /// Removes whatever was written (a failed export leaves nothing behind).
    public func discard() {
        unlink(metaPath)
        unlink(rootfsPath)
    }

    static func filename(fromDisposition disposition: String) -> String? {
        for parameter in disposition.split(separator: ";") {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "filename" {
                let name = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return name.isEmpty ? nil : (name as NSString).lastPathComponent
            }
        }
        return nil
    }
}
