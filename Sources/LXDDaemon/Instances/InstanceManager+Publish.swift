import Archive
import Foundation
import LXDAPI
import LXDCommandLine
import LXDCore
import YAML

/// `lxc publish`: an instance (stopped) or a snapshot packed as a unified image tarball that LXD
/// also imports: `metadata.yaml` (the instance's own, with the publish's properties and expiry),
/// `templates/`, and `rootfs/` with its owners mapped back out of the container's id map.
extension InstanceManager {
    struct PublishRequest: Sendable {
        /// `c1` or, for a snapshot, `c1/snap0`.
        var source: String
        var isSnapshot: Bool
        var compression: ArchiveCompression
        /// Replace the instance's image properties when not empty (as LXD 5.0.2 does).
        var properties: [String: String]
        var expiresAt: Timestamp
    }

    /// Writes the tarball to `path` while holding the instance's lock; returns nothing but the
    /// file. Progress goes to `progress(done, total)` in bytes of file data.
    func packImage(_ request: PublishRequest, to path: String, progress: @escaping @Sendable (Int64, Int64) -> Void) async throws {
        let parts = request.source.split(separator: "/", maxSplits: 1).map(String.init)
        guard let instance = parts.first else { throw LXDError.notFound("Instance not found") }
        guard request.isSnapshot == (parts.count == 2) else { throw LXDError.badRequest("Not a snapshot") }
        let lock = locks.lock(for: instance)
        await lock.lock()
        defer { lock.unlock() }
        let record = try await record(instance)
        let pool = try rootPool(try await expanded(record).devices)
        let volume: String
        let config: [String: String]
        if parts.count == 2 {
            guard let snapshot = try await database.snapshot(of: instance, named: parts[1]) else {
                throw LXDError.notFound("Instance not found")
            }
            if try await database.storagePool(named: pool)?.driver == "lvm" {
                // An lvm snapshot is a thin LV that nothing mounts for reading yet.
                throw LXDError.notImplemented("Publishing a snapshot from an lvm pool is not supported yet")
            }
            volume = snapshotPath(instance, snapshot.name, pool: pool)
            config = snapshot.config
        } else {
            guard await status(instance) == .stopped else { throw LXDError.badRequest("Cannot export a running instance as an image") }
            volume = try await storage.mountInstanceVolume(instance, pool: pool)
            config = record.config
        }
        let (metadata, created) = try Self.publishedMetadata(
            existing: try? String(contentsOfFile: volume + "/metadata.yaml", encoding: .utf8), architecture: record.architecture,
            properties: request.properties, expiresAt: request.expiresAt)
        let shift = Self.publishShift(config["volatile.last_state.idmap"] ?? "")
        let compression = request.compression
        try await Blocking.run("lxd-publish") {
            let total = Self.treeSize(volume + "/rootfs")
            do {
                let writer = try ArchiveWriter(path: path, compression: compression)
                // Dated by the image's creation, so that publishing the same content twice gives the
                // same fingerprint (LXD then says the image already exists).
                try writer.write(
                    ArchiveEntryInfo(path: "metadata.yaml", kind: .file, mode: 0o644, modificationTime: created), data: Data(metadata.utf8))
                if FileManager.default.fileExists(atPath: volume + "/templates") {
                    try writer.addTree(volume + "/templates", as: "templates")
                }
                try writer.addTree(volume + "/rootfs", as: "rootfs", idShift: shift) { done in progress(done, total) }
                try writer.close()
            } catch {
                unlink(path)
                throw LXDError.internalError("Failed creating image: \(error)")
            }
        }
    }

    /// The owners in a volume are host ids of the map it was last written in; a privileged
    /// container's are already the image's.
    static func publishShift(_ volatileIdmap: String) -> IDShift? {
        guard let map = ContainerIdmap.fromVolatile(volatileIdmap), !map.isPrivileged,
            let uid = map.entries.first(where: { $0.isUID && $0.nsID == 0 }),
            let gid = map.entries.first(where: { $0.isGID && $0.nsID == 0 })
        else { return nil }
        return IDShift(uidBase: uid.hostID, gidBase: gid.hostID, range: min(uid.range, gid.range))
    }

    /// `metadata.yaml` of the published image: the instance's (from its image), else a minimal
    /// one; LXD's key order.
    static func publishedMetadata(existing: String?, architecture: String, properties: [String: String], expiresAt: Timestamp) throws
        -> (text: String, creationDate: Int64)
    {
        var parsed = ImageMetadataFile(
            architecture: architecture, creationDate: Int64(Date().timeIntervalSince1970), expiryDate: 0, properties: [:], templates: [:])
        if let existing, let file = try? ImageMetadataFile.parse(existing) { parsed = file }
        if !properties.isEmpty { parsed.properties = properties }
        if !expiresAt.isGoZero && expiresAt.seconds > 0 { parsed.expiryDate = expiresAt.seconds }
        var metadata = ImageMetadata()
        metadata.architecture = parsed.architecture
        metadata.creationDate = parsed.creationDate
        metadata.expiryDate = parsed.expiryDate
        metadata.properties = parsed.properties
        for (path, template) in parsed.templates {
            var entry = ImageMetadataTemplate()
            entry.when = template.when
            entry.createOnly = template.createOnly
            entry.template = template.template
            entry.properties = template.properties
            metadata.templates[path] = entry
        }
        let text = metadata.goYAML
        return (text, parsed.creationDate)
    }

    /// Bytes of regular files below `path` (the progress total).
    nonisolated static func treeSize(_ path: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        while let relative = walker.nextObject() as? String {
            var info = stat()
            if lstat(path + "/" + relative, &info) == 0, info.st_mode & S_IFMT == S_IFREG { total += Int64(info.st_size) }
        }
        return total
    }
}
