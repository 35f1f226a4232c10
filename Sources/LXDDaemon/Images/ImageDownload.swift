import Foundation
import LXDAPI
import LXDClient
import LXDCore
import LXDHTTP

/// Pulls an image from another LXD server as a client (LXD's `ImageDownload`): the image a
/// create or `lxc image copy` names by `source.server`, `source.alias`/`fingerprint`, checking the
/// server's certificate against `source.certificate` and presenting our server certificate.
/// A copy already here is used as is. `autoUpdate` flags the image for refreshes from the alias.
enum ImageDownload {
    static func pull(
        _ source: InstanceSource, state: DaemonState, operation: BackgroundOperation?, isPublic: Bool = false, cached: Bool = true,
        autoUpdate: Bool = false
    )
        async throws -> ImageRecord
    {
        guard source.protocol.isEmpty || source.protocol == "lxd" else {
            if source.protocol == "simplestreams" {
                return try await SimpleStreamsDownload.pull(
                    source, state: state, operation: operation, isPublic: isPublic, cached: cached, autoUpdate: autoUpdate)
            }
            throw LXDError.badRequest("Unsupported protocol \"\(source.protocol)\"")
        }
        let identity = state.serverCertificate
        let args = TLSConnectionArgs(
            clientCertificatePEM: identity.certificatePEM, clientKeyPEM: identity.keyPEM,
            serverCertificatePEM: source.certificate.isEmpty ? nil : source.certificate)
        let url = source.server
        let remote: LXDServer = try await Blocking.run("lxd-image-connect") { try LXDServer.connect(url: url, args: args) }
        // What the request names: an alias or a fingerprint, in either field (LXD's client sends a
        // public image's alias as its fingerprint, so that the copy can follow the alias).
        let reference = source.fingerprint.isEmpty ? source.alias : source.fingerprint
        var fingerprint = reference
        if source.secret.isEmpty, let target = try? await Blocking.run("lxd-image-alias", { try remote.getImageAlias(reference).target }) {
            fingerprint = target
        }
        if let local = try? await state.images.resolve(fingerprint), local.fingerprint.hasPrefix(fingerprint) { return local }
        let secret = source.secret
        let query = secret.isEmpty ? "" : "?secret=" + LXDServer.escape(secret)
        let lookup = fingerprint
        let info: Image = try await Blocking.run("lxd-image-info") {
            try remote.get("/1.0/images/\(LXDServer.escape(lookup))" + query, as: Image.self)
        }
        fingerprint = info.fingerprint

        let folder = state.paths.images + "/tmp"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/download-" + Hex.random(byteCount: 8)
        let rootfsPath = path + ".rootfs"
        let reverter = Reverter()
        defer { reverter.fail() }
        reverter.add {
            unlink(path)
            unlink(rootfsPath)
        }
        let total = info.size
        let download: (sha256: String, isSplit: Bool, size: Int64) = try await Blocking.run("lxd-image-download") {
            let download = try ImageExportDownload(metaPath: path, rootfsPath: rootfsPath, mode: 0o600)
            try remote.exportImage(info.fingerprint, secret: secret, head: { try download.begin($0) }) { bytes in
                try download.write(bytes)
                if total > 0, let operation {
                    let percent = Int(min(download.received * 100 / total, 100))
                    operation.updateProgress(stage: "download", percent: percent, text: "rootfs: \(percent)%")
                }
            }
            try download.finish()
            return (download.sha256, download.isSplit, download.imageBytes)
        }
        guard download.sha256 == fingerprint else {
            throw LXDError.internalError("Image fingerprint doesn't match. Got \(download.sha256) expected \(fingerprint)")
        }
        reverter.success()
        let image =
            download.isSplit
            ? try await state.images.importSplit(
                metadataUpload: path, rootfsUpload: rootfsPath, fingerprint: fingerprint, size: download.size,
                filename: info.filename, isPublic: isPublic, extraProperties: [:], requestor: nil)
            : try await state.images.importUnified(
                upload: path, fingerprint: fingerprint, size: download.size, filename: info.filename, isPublic: isPublic,
                extraProperties: [:], requestor: nil)
        try await state.database.recordImageSource(
            fingerprint: fingerprint, server: source.server, protocol: "lxd", certificate: source.certificate, alias: reference,
            cached: cached, autoUpdate: autoUpdate)
        return try await state.images.resolve(image.fingerprint)
    }

    /// Appends a downloaded piece to the image file.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        guard FileDescriptorIO.writeAll(fd, bytes) else {
            throw LXDError.internalError("Failed writing image: \(String(cString: strerror(errno)))")
        }
    }
}
