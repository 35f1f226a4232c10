import Archive
import Foundation
import LXDAPI
import LXDCore

/// `POST /1.0/images` with `source.type` `instance` or `snapshot` (`lxc publish`).
extension ImagesAPI {
    /// LXD's names for the compressions it accepts; `none` is an uncompressed tarball.
    static let publishCompressions: [String: ArchiveCompression] = [
        "none": .none, "gzip": .gzip, "bzip2": .bzip2, "xz": .xz, "zstd": .zstd,
    ]

    func publish(_ post: ImagesPost, _ request: APIRequest) async throws -> APIResponse {
        guard let source = post.source else { throw LXDError.badRequest("No source provided") }
        let instanceName = String(source.name.split(separator: "/", maxSplits: 1).first ?? "")
        guard !instanceName.isEmpty, try await state.database.instance(named: instanceName) != nil else {
            throw LXDError.notFound("Instance not found")
        }
        let parts = source.name.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, try await state.database.snapshot(of: instanceName, named: parts[1]) == nil {
            throw LXDError.notFound("Instance not found")
        }
        var algorithm = post.compressionAlgorithm
        if algorithm.isEmpty { algorithm = try await state.database.serverConfig()["images.compression_algorithm"] ?? "gzip" }
        guard let compression = Self.publishCompressions[algorithm] else {
            throw LXDError.badRequest("Invalid compression algorithm \"\(algorithm)\"")
        }
        let publish = InstanceManager.PublishRequest(
            source: source.name, isSnapshot: source.type == "snapshot", compression: compression, properties: post.put.properties,
            expiresAt: post.put.expiresAt)
        let state = self.state
        let requestor = request.requestor
        let operation = state.operations.run(description: "Downloading image", resources: nil) { operation in
            let directory = await state.images.uploadDirectory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/publish_" + Hex.random(byteCount: 8)
            defer { unlink(path) }
            let started = ContinuousClock.now
            try await state.instances.packImage(publish, to: path) { done, total in
                guard total > 0 else { return }
                let percent = Int(min(100, done * 100 / total))
                let speed = Int64(Double(done) / max(0.001, (ContinuousClock.now - started).seconds))
                operation.updateProgress(
                    stage: "create_image_from_container_pack", percent: percent, speed: speed,
                    text: "Image pack: \(percent)% (\(ByteSize.string(speed))/s)")
            }
            let (fingerprint, size) = try await Blocking.run("lxd-image-hash") { () -> (String, Int64) in
                let hash = try SHA256.hex(ofFile: path)
                var info = stat()
                stat(path, &info)
                return (hash, Int64(info.st_size))
            }
            if try await state.database.image(fingerprintPrefix: fingerprint)?.fingerprint == fingerprint {
                throw LXDError.conflict("The image already exists: \(fingerprint)")
            }
            let image = try await state.images.importUnified(
                upload: path, fingerprint: fingerprint, size: size, filename: post.filename, isPublic: post.put.isPublic,
                extraProperties: [:], requestor: requestor)
            var put = image.toAPI().writable
            put.autoUpdate = post.put.autoUpdate
            put.expiresAt = post.put.expiresAt
            put.isPublic = post.put.isPublic
            try await state.database.updateImage(fingerprint: fingerprint, put)
            for alias in post.aliases {
                try await state.database.createImageAlias(name: alias.name, fingerprint: fingerprint, description: alias.description)
            }
            return .object(["fingerprint": .string(fingerprint), "size": .string(String(size))])
        }
        return .async(operation)
    }
}
