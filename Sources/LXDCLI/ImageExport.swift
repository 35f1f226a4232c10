import Foundation
import LXDAPI
import LXDCommandLine
import LXDCore
import LXDHTTP

/// `lxc image export`: downloads an image as the server stores it. A unified image becomes one
/// file; a split one a metadata file and a rootfs file (`<target>.root`), both multipart parts of
/// one response. In a folder the files keep the server's names; a named target gets the
/// server's extension (unified images only, as LXD's client does).
struct ImageExportCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "export", usage: "[<remote>:]<image> [<target>]", short: "Export and download images",
            long: "Export and download images\n\nThe output target is optional and defaults to the working directory.",
            flags: [Flag("vm", usage: "Query virtual machine images")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (fingerprint, _, _) = try resolveImage(server, name)
        let target = args.positional.count > 1 ? args.positional[1] : "."
        let targetIsFolder = Self.isFolder(target)
        let metaPath = targetIsFolder ? (target as NSString).appendingPathComponent(fingerprint) : target
        let rootfsPath = metaPath + ".root"

        let download = try ExportDownload(metaPath: metaPath, rootfsPath: rootfsPath)
        let progress = ProgressRenderer(format: "Exporting the image: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        do {
            try server.exportImage(fingerprint, head: { try download.begin($0) }) { bytes in
                try download.write(bytes)
                if let text = download.progressText() { progress.update(text) }
            }
            try download.finish()
        } catch {
            progress.finish()
            download.discard()
            throw error
        }
        if download.sha256 != fingerprint {
            download.discard()
            throw LXDError(.internalServerError, "Image fingerprint doesn't match. Got \(download.sha256) expected \(fingerprint)")
        }

        if targetIsFolder {
            if let metaName = download.metaName { try Self.rename(metaPath, to: (target as NSString).appendingPathComponent(metaName)) }
            if let rootfsName = download.rootfsName {
                try Self.rename(rootfsPath, to: (target as NSString).appendingPathComponent(rootfsName))
            }
        } else if download.rootfsName == nil, args.positional.count > 1, let metaName = download.metaName,
            let dot = metaName.firstIndex(of: ".")
        {
            try Self.rename(metaPath, to: metaPath + "." + metaName[metaName.index(after: dot)...])
        }
        progress.finish("Image exported successfully!")
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw LXDError(.internalServerError, "rename \(from) \(to): \(String(cString: strerror(errno)))")
        }
    }
}

/// The files one export writes, and how far it got (for the progress line and the checksum).
private final class ExportDownload {
    let metaPath: String
    let rootfsPath: String
    private(set) var metaName: String?
    private(set) var rootfsName: String?
    private var meta: FileHandle
    private var rootfs: FileHandle?
    private var current: FileHandle?
    private var multipart: MultipartStreamParser?
    private let hasher: SHA256Hasher
    private var total: Int64 = 0
    private var received: Int64 = 0
    private var percent: Int64 = -1
    private let started = Date()
    private(set) var sha256 = ""

    init(metaPath: String, rootfsPath: String) throws {
        self.metaPath = metaPath
        self.rootfsPath = rootfsPath
        meta = try Self.create(metaPath)
        hasher = try SHA256Hasher()
    }

    /// Go's `os.Create` wording on failure (`open PATH: no such file or directory`).
    static func create(_ path: String) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LXDError(.badRequest, "open \(path): \(String(cString: strerror(errno)).lowercased())") }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func begin(_ headers: HTTPHeaders) throws {
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
                    let handle = try Self.create(rootfsPath)
                    rootfs = handle
                    current = handle
                default:
                    throw LXDError(.internalServerError, "Invalid multipart image export: unexpected part \"\(part.name)\"")
                }
            },
            onData: { [unowned self] bytes in try store(bytes) })
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        received += Int64(bytes.count)
        if let multipart { try multipart.feed(bytes) } else { try store(bytes) }
    }

    private func store(_ bytes: UnsafeRawBufferPointer) throws {
        guard let current else { return }
        hasher.update(bytes)
        try current.write(contentsOf: Data(bytes))
    }

    func finish() throws {
        try multipart?.finish()
        try meta.close()
        try rootfs?.close()
        sha256 = hasher.finalizeHex()
    }

    /// Removes whatever was written (a failed export leaves nothing behind).
    func discard() {
        unlink(metaPath)
        unlink(rootfsPath)
    }

    /// `N% (SPEED/s)` each time the whole percentage changes, as LXD's progress tracker does.
    func progressText() -> String? {
        guard total > 0 else { return nil }
        let now = min(received * 100 / total, 100)
        guard now != percent else { return nil }
        percent = now
        let seconds = max(Date().timeIntervalSince(started), 1e-9)
        return "\(now)% (\(Units.byteSize(Int64(Double(received) / seconds)))/s)"
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
