import Foundation
import LXDAPI
import LXDClient
import LXDCore
import LXDHTTP

/// Pulls one image from a simplestreams server (`SimpleStreams` reads its catalog): a unified
/// `lxd_combined.tar.gz`, or `lxd.tar.xz` with its `root.tar.xz`/`squashfs`.
enum SimpleStreamsDownload {
    static func pull(
        _ source: InstanceSource, state: DaemonState, operation: BackgroundOperation?, isPublic: Bool, cached: Bool, autoUpdate: Bool
    ) async throws -> ImageRecord {
        let server = try SimpleStreams(url: source.server, certificatePEM: source.certificate)
        let all = try await Blocking.run("lxd-simplestreams") { try server.entries() }
        let reference = source.alias.isEmpty ? source.fingerprint : source.alias
        guard let entry = SimpleStreams.find(reference, in: all) else {
            throw LXDError.notFound("The requested image couldn't be found")
        }
        if let local = try? await state.images.resolve(entry.fingerprint), local.fingerprint == entry.fingerprint { return local }

        let folder = state.paths.images + "/tmp"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let reverter = Reverter()
        defer { reverter.fail() }
        func download(_ path: String, expecting sha: String) async throws -> (path: String, size: Int64) {
            let target = folder + "/ss-" + Hex.random(byteCount: 8)
            reverter.add { unlink(target) }
            let size: Int64 = try await Blocking.run("lxd-simplestreams-download") {
                let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw LXDError.internalError("Failed creating \(target)") }
                defer { close(fd) }
                let hasher = try SHA256Hasher()
                var written: Int64 = 0
                try server.download(path) { bytes in
                    hasher.update(bytes)
                    try ImageDownload.write(fd, bytes)
                    written += Int64(bytes.count)
                }
                guard hasher.finalizeHex() == sha else { throw LXDError.internalError("Hash mismatch for \(path)") }
                return written
            }
            return (target, size)
        }
        let metadata = try await download(entry.metadataPath, expecting: entry.metadataSHA256)
        let image: ImageRecord
        let filename = String(entry.metadataPath.split(separator: "/").last ?? "")
        if let rootfsPath = entry.rootfsPath, let rootfsSHA = entry.rootfsSHA256 {
            let rootfs = try await download(rootfsPath, expecting: rootfsSHA)
            reverter.success()
            image = try await state.images.importSplit(
                metadataUpload: metadata.path, rootfsUpload: rootfs.path, fingerprint: entry.fingerprint, size: metadata.size + rootfs.size,
                filename: filename, isPublic: isPublic, extraProperties: [:], requestor: nil)
        } else {
            reverter.success()
            image = try await state.images.importUnified(
                upload: metadata.path, fingerprint: entry.fingerprint, size: metadata.size, filename: filename, isPublic: isPublic,
                extraProperties: [:], requestor: nil)
        }
        try await state.database.recordImageSource(
            fingerprint: image.fingerprint, server: source.server, protocol: "simplestreams", certificate: source.certificate,
            alias: source.alias.isEmpty ? source.fingerprint : source.alias, cached: cached, autoUpdate: autoUpdate)
        return try await state.images.resolve(image.fingerprint)
    }
}
