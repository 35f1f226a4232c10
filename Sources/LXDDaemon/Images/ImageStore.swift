import Archive
import Foundation
import LXDAPI
import LXDCore

/// The local image store: tarballs under `$LXD_DIR/images/<fingerprint>` and their rows.
actor ImageStore {
    let paths: DaemonPaths
    let database: Database
    let events: EventHub
    private let locks = KeyedAsyncLocks()

    init(paths: DaemonPaths, database: Database, events: EventHub) {
        self.paths = paths
        self.database = database
        self.events = events
    }

    var uploadDirectory: String { paths.images + "/tmp" }

    /// An image by full fingerprint, unique prefix or (with `aliases`) alias name.
    func resolve(_ reference: String, aliases: Bool = false) async throws -> ImageRecord {
        if aliases, let alias = try await database.imageAlias(named: reference),
            let image = try await database.image(fingerprintPrefix: alias.target)
        {
            return image
        }
        guard !reference.isEmpty, reference.allSatisfy(\.isHexDigit),
            let image = try await database.image(fingerprintPrefix: reference.lowercased())
        else {
            throw LXDError.notFound("Image not found")
        }
        return image
    }

    /// Imports an uploaded unified tarball already spooled to `upload` (removed in every case).
    /// Fingerprint = SHA-256 of the file, as LXD computes it.
    func importUnified(
        upload: String, fingerprint: String, size: Int64, filename: String, isPublic: Bool, extraProperties: [String: String],
        requestor: EventLifecycleRequestor?
    ) async throws -> ImageRecord {
        defer { unlink(upload) }
        let lock = locks.lock(for: fingerprint)
        await lock.lock()
        defer { lock.unlock() }
        if try await database.image(fingerprintPrefix: fingerprint)?.fingerprint == fingerprint {
            throw LXDError.conflict("Image with same fingerprint already exists")
        }
        let metadata = try await Blocking.run("lxd-image-scan") { try ImageTarball.inspect(upload) }
        let target = paths.imageFile(fingerprint)
        guard rename(upload, target) == 0 else {
            throw LXDError.internalError("Failed moving image into place: \(String(cString: strerror(errno)))")
        }
        let reverter = Reverter()
        defer { reverter.fail() }
        reverter.add { unlink(target) }
        var properties = metadata.properties
        properties.merge(extraProperties) { _, new in new }
        let record = ImageRecord(
            fingerprint: fingerprint, filename: filename, size: size, isPublic: isPublic, architecture: metadata.architecture,
            properties: properties, createdAt: Timestamp(seconds: metadata.creationDate),
            expiresAt: metadata.expiryDate > 0 ? Timestamp(seconds: metadata.expiryDate) : .unixEpoch, uploadedAt: .now())
        let created = try await database.createImage(record)
        reverter.success()
        events.lifecycle("image-created", source: "/1.0/images/\(fingerprint)", requestor: requestor)
        return created
    }

    func delete(fingerprint: String, requestor: EventLifecycleRequestor?) async throws {
        let lock = locks.lock(for: fingerprint)
        await lock.lock()
        defer { lock.unlock() }
        try await database.deleteImage(fingerprint: fingerprint)
        unlink(paths.imageFile(fingerprint))
        events.lifecycle("image-deleted", source: "/1.0/images/\(fingerprint)", requestor: requestor)
    }

    /// The metadata of a stored image (read again from its tarball when an instance is created).
    func metadata(of fingerprint: String) async throws -> ImageMetadataFile {
        let file = paths.imageFile(fingerprint)
        return try await Blocking.run("lxd-image-scan") { try ImageTarball.inspect(file) }
    }
}

/// Reading LXD's unified image tarballs: one pass that finds and parses `metadata.yaml`, checks
/// that `rootfs/` is there, and refuses unsafe entries before anything is unpacked.
enum ImageTarball {
    static func inspect(_ path: String) throws -> ImageMetadataFile {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: path)
        } catch {
            throw LXDError.badRequest("Invalid image file: \(error)")
        }
        var metadataText: String?
        var hasRootfs = false
        while true {
            let entry: ArchiveEntryInfo?
            do {
                entry = try reader.next()
            } catch {
                throw LXDError.badRequest("Invalid image file: \(error)")
            }
            guard let entry else { break }
            let name = entry.path.hasSuffix("/") ? String(entry.path.dropLast()) : entry.path
            if name.hasPrefix("/") || name.split(separator: "/").contains("..") {
                throw LXDError.badRequest("Invalid image file: unsafe path \"\(entry.path)\"")
            }
            switch name {
            case "metadata.yaml":
                guard entry.kind == .file else {
                    throw LXDError.badRequest("Invalid image file: metadata.yaml must be a regular file")
                }
                let data = try reader.readData(limit: 1 << 20)
                metadataText = String(decoding: data, as: UTF8.self)
            case "rootfs", "templates":
                guard entry.kind == .directory else {
                    throw LXDError.badRequest("Invalid image file: \(name) must be a directory")
                }
                if name == "rootfs" { hasRootfs = true }
            default:
                if name.hasPrefix("rootfs/") { hasRootfs = true }
            }
        }
        guard let metadataText else {
            throw LXDError.badRequest("Invalid image file: metadata.yaml is missing")
        }
        guard hasRootfs else {
            throw LXDError.badRequest("Invalid image file: rootfs is missing")
        }
        return try ImageMetadataFile.parse(metadataText)
    }
}
