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
        let scan = try await Blocking.run("lxd-image-scan") { try ImageTarball.scan(upload) }
        guard scan.hasRootfs else { throw LXDError.badRequest("Invalid image file: rootfs is missing") }
        let metadata = scan.metadata
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

    /// Imports a split image (a metadata tarball plus a rootfs tarball or squashfs), already
    /// spooled; fingerprint = SHA-256 of the metadata bytes followed by the rootfs bytes (LXD's).
    func importSplit(
        metadataUpload: String, rootfsUpload: String, fingerprint: String, size: Int64, filename: String, isPublic: Bool,
        extraProperties: [String: String], requestor: EventLifecycleRequestor?
    ) async throws -> ImageRecord {
        defer {
            unlink(metadataUpload)
            unlink(rootfsUpload)
        }
        let lock = locks.lock(for: fingerprint)
        await lock.lock()
        defer { lock.unlock() }
        if try await database.image(fingerprintPrefix: fingerprint)?.fingerprint == fingerprint {
            throw LXDError.conflict("Image with same fingerprint already exists")
        }
        let scan = try await Blocking.run("lxd-image-scan") { try ImageTarball.scan(metadataUpload) }
        guard !scan.hasRootfs else {
            throw LXDError.badRequest(
                "Invalid image: the metadata tarball already holds a rootfs (a unified image); the two files do not belong together")
        }
        let metadata = scan.metadata
        try await ImageRootfs.validate(rootfsUpload)
        let target = paths.imageFile(fingerprint)
        let rootfsTarget = paths.imageRootfsFile(fingerprint)
        guard rename(metadataUpload, target) == 0 else {
            throw LXDError.internalError("Failed moving image into place: \(String(cString: strerror(errno)))")
        }
        let reverter = Reverter()
        defer { reverter.fail() }
        reverter.add { unlink(target) }
        guard rename(rootfsUpload, rootfsTarget) == 0 else {
            throw LXDError.internalError("Failed moving image into place: \(String(cString: strerror(errno)))")
        }
        reverter.add { unlink(rootfsTarget) }
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
        unlink(paths.imageRootfsFile(fingerprint))
        events.lifecycle("image-deleted", source: "/1.0/images/\(fingerprint)", requestor: requestor)
    }

    /// The metadata of a stored image (read again from its tarball when an instance is created).
    func metadata(of fingerprint: String) async throws -> ImageMetadataFile {
        let file = paths.imageFile(fingerprint)
        return try await Blocking.run("lxd-image-scan") { try ImageTarball.scan(file).metadata }
    }
}

/// The rootfs half of a split image: a tarball (any compression) or a squashfs.
enum ImageRootfs {
    enum Kind {
        case tarball
        case squashfs
    }

    static func kind(of path: String) -> Kind {
        Compression.tarSuffix(ofFile: path) == ".squashfs" ? .squashfs : .tarball
    }

    /// Refuses what cannot be a rootfs before it is stored: an unreadable or unsafe tarball, or
    /// a file that calls itself squashfs and is not one.
    static func validate(_ path: String) async throws {
        switch kind(of: path) {
        case .squashfs:
            let result = try await ExternalTool.run("/usr/bin/unsquashfs", ["-s", path])
            guard case .exited(0) = result.status else {
                throw LXDError.badRequest("Invalid rootfs: not a valid squashfs image")
            }
        case .tarball:
            try await Blocking.run("lxd-image-scan") {
                let reader: ArchiveReader
                do {
                    reader = try ArchiveReader(path: path)
                    var entries = 0
                    while let entry = try reader.next() {
                        entries += 1
                        let name = entry.path
                        if name == "metadata.yaml" {
                            throw LXDError.badRequest(
                                "Invalid rootfs: it holds a metadata.yaml (a metadata tarball); the two files do not belong together")
                        }
                        if name.hasPrefix("/") || name.split(separator: "/").contains("..") {
                            throw LXDError.badRequest("Invalid rootfs: unsafe path \"\(name)\"")
                        }
                    }
                    guard entries > 0 else { throw LXDError.badRequest("Invalid rootfs: the tarball is empty") }
                } catch let error as LXDError {
                    throw error
                } catch {
                    throw LXDError.badRequest("Invalid rootfs: \(error)")
                }
            }
        }
    }
}

/// Reading LXD's image tarballs: one pass that finds and parses `metadata.yaml`, tells whether
/// `rootfs/` is there, and refuses unsafe entries before anything is unpacked.
enum ImageTarball {
    struct Scan {
        let metadata: ImageMetadataFile
        /// Whether the tarball holds `rootfs/` (a unified image) or not (the metadata half of a split one).
        let hasRootfs: Bool
    }

    static func scan(_ path: String) throws -> Scan {
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
        return Scan(metadata: try ImageMetadataFile.parse(metadataText), hasRootfs: hasRootfs)
    }
}
