import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// `/1.0/images`: upload, list, show, edit, delete and export.
struct ImagesAPI: Sendable {
    let state: DaemonState

    func imagesGet(_ request: APIRequest) async throws -> APIResponse {
        // Untrusted clients see public images only.
        let filter = try APIFilter.of(request)
        let images = try APIFilter.keep(
            try await state.database.images().filter { request.trust.isTrusted || $0.isPublic }.map { $0.toAPI() }, filter)
        if request.recursion > 0 {
            return .sync(images)
        }
        return .sync(images.map { "/1.0/images/\($0.fingerprint)" })
    }

    /// A raw tarball upload (`lxc image import FILE`). The body is spooled to disk while it is
    /// hashed; the operation then validates and registers it.
    func imagesPost(_ request: APIRequest) async throws -> APIResponse {
        let contentType = request.headers["Content-Type"] ?? ""
        if contentType.hasPrefix("application/json") {
            let body = try await Blocking.run("lxd-request-body") { try request.connection.connection.readBody(limit: 1 << 20) }
            let post = try LXDJSON.decode(ImagesPost.self, from: body.isEmpty ? Data("{}".utf8) : body)
            if post.source?.type == "image" { return try await pullImage(post, request) }
            if post.source?.type == "instance" || post.source?.type == "snapshot" { return try await publish(post, request) }
            throw LXDError.notImplemented("Image source type \"\(post.source?.type ?? "")\" is not supported yet")
        }
        let filename = request.headers["X-LXD-filename"] ?? ""
        let isPublic = ["true", "1"].contains(request.headers["X-LXD-public"]?.lowercased() ?? "")
        let properties = Self.parseProperties(request.headers["X-LXD-properties"] ?? "")
        let images = state.images
        let requestor = request.requestor
        if contentType.hasPrefix("multipart/form-data") {
            guard let boundary = MultipartStreamParser.boundary(fromContentType: contentType) else {
                throw LXDError.badRequest("Invalid multipart image upload: no boundary")
            }
            let upload = try await spoolSplit(request, boundary: boundary)
            let operation = state.operations.run(description: "Downloading image", resources: nil) { _ in
                let image = try await images.importSplit(
                    metadataUpload: upload.metadata, rootfsUpload: upload.rootfs, fingerprint: upload.fingerprint, size: upload.size,
                    filename: filename, isPublic: isPublic, extraProperties: properties, requestor: requestor)
                return .object(["fingerprint": .string(image.fingerprint), "size": .string(String(image.size))])
            }
            return .async(operation)
        }
        let upload = try await spool(request)
        let operation = state.operations.run(description: "Downloading image", resources: nil) { _ in
            let image = try await images.importUnified(
                upload: upload.path, fingerprint: upload.fingerprint, size: upload.size, filename: filename, isPublic: isPublic,
                extraProperties: properties, requestor: requestor)
            return .object(["fingerprint": .string(image.fingerprint), "size": .string(String(image.size))])
        }
        return .async(operation)
    }

    /// Writes the request body to `images/tmp/` while hashing it.
    private func spool(_ request: APIRequest) async throws -> (path: String, fingerprint: String, size: Int64) {
        let directory = await state.images.uploadDirectory
        let connection = request.connection
        return try await Blocking.run("lxd-image-upload") {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/upload_" + Hex.random(byteCount: 8)
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw LXDError.internalError("Failed creating upload file: \(String(cString: strerror(errno)))") }
            var hasher = try SHA256()
            var size: Int64 = 0
            do {
                defer { close(fd) }
                try connection.connection.streamBody { chunk in
                    hasher.update(chunk)
                    size += Int64(chunk.count)
                    var offset = 0
                    while offset < chunk.count {
                        let written = write(fd, chunk.baseAddress?.advanced(by: offset), chunk.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            throw LXDError.internalError("Failed writing upload: \(String(cString: strerror(errno)))")
                        }
                        offset += written
                    }
                }
            } catch {
                unlink(path)
                throw error
            }
            guard size > 0 else {
                unlink(path)
                throw LXDError.badRequest("Invalid image file: the upload is empty")
            }
            return (path, hasher.finalizeHex(), size)
        }
    }

    /// Writes the two parts of a split upload (`metadata`, then `rootfs`) to `images/tmp/`,
    /// hashing them in that order: the fingerprint covers the metadata bytes, then the rootfs.
    private func spoolSplit(_ request: APIRequest, boundary: String) async throws -> (
        metadata: String, rootfs: String, fingerprint: String, size: Int64
    ) {
        let directory = await state.images.uploadDirectory
        let connection = request.connection
        return try await Blocking.run("lxd-image-upload") {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let base = directory + "/upload_" + Hex.random(byteCount: 8)
            let paths = (metadata: base + ".meta", rootfs: base + ".rootfs")
            let hasher = try SHA256Hasher()
            var size: Int64 = 0
            var current: Int32 = -1
            var seen: [String] = []
            func cleanUp() {
                if current >= 0 { close(current) }
                unlink(paths.metadata)
                unlink(paths.rootfs)
            }
            let parser = MultipartStreamParser(
                boundary: boundary,
                onPart: { part in
                    if current >= 0 { close(current) }
                    current = -1
                    let expected = seen.isEmpty ? ["metadata"] : ["rootfs", "rootfs.img"]
                    guard expected.contains(part.name), seen.count < 2 else {
                        throw LXDError.badRequest("Invalid multipart image upload: unexpected part \"\(part.name)\"")
                    }
                    seen.append(part.name)
                    current = open(seen.count == 1 ? paths.metadata : paths.rootfs, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                    guard current >= 0 else { throw LXDError.internalError("Failed creating upload file") }
                },
                onData: { chunk in
                    hasher.update(chunk)
                    size += Int64(chunk.count)
                    guard FileDescriptorIO.writeAll(current, Data(chunk)) else {
                        throw LXDError.internalError("Failed writing upload: \(String(cString: strerror(errno)))")
                    }
                })
            do {
                try connection.connection.streamBody { try parser.feed($0) }
                try parser.finish()
            } catch let error as MultipartStreamParser.ParseError {
                cleanUp()
                throw LXDError.badRequest("Invalid multipart image upload: \(error)")
            } catch {
                cleanUp()
                throw error
            }
            if current >= 0 { close(current) }
            current = -1
            guard seen.count == 2 else {
                cleanUp()
                throw LXDError.badRequest("Invalid multipart image upload: both a metadata and a rootfs part are needed")
            }
            return (paths.metadata, paths.rootfs, hasher.finalizeHex(), size)
        }
    }

    /// `X-LXD-properties` is URL-query encoded (`a=b&c=d`).
    static func parseProperties(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in header.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            guard let key = parts.first, !key.isEmpty else { continue }
            result[key] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    /// The image named by the path; an untrusted client sees it only when it is public or it
    /// presents the image's secret (`?secret=`, from `POST /1.0/images/FP/secret`).
    private func image(_ request: APIRequest) async throws -> ImageRecord {
        let image = try await state.images.resolve(request.parameter("fingerprint"))
        try ImageSecrets.checkAccess(image, request: request, operations: state.operations)
        return image
    }

    func imageGet(_ request: APIRequest) async throws -> APIResponse {
        let image = try await image(request)
        return .sync(image.toAPI(), etag: ETag.of(image.toAPI().writable))
    }

    func imagePut(_ request: APIRequest) async throws -> APIResponse {
        let image = try await image(request)
        try request.checkETag(ETag.of(image.toAPI().writable))
        let put = try request.decode(ImagePut.self)
        try await state.database.updateImage(fingerprint: image.fingerprint, put)
        state.events.lifecycle("image-updated", source: "/1.0/images/\(image.fingerprint)", requestor: request.requestor)
        return .emptyObject
    }

    func imagePatch(_ request: APIRequest) async throws -> APIResponse {
        let image = try await image(request)
        let current = image.toAPI().writable
        try request.checkETag(ETag.of(current))
        let patch = try JSONValue.from(current).merging(try request.decode(JSONValue.self))
        try await state.database.updateImage(fingerprint: image.fingerprint, try patch.decode(ImagePut.self))
        state.events.lifecycle("image-updated", source: "/1.0/images/\(image.fingerprint)", requestor: request.requestor)
        return .emptyObject
    }

    func imageDelete(_ request: APIRequest) async throws -> APIResponse {
        let image = try await image(request)
        let images = state.images
        let storage = state.storage
        let requestor = request.requestor
        let operation = state.operations.run(description: "Deleting image", resources: ["images": ["/1.0/images/\(image.fingerprint)"]]) {
            _ in
            try await images.delete(fingerprint: image.fingerprint, requestor: requestor)
            await storage.deleteImageVolumes(image.fingerprint)
            return nil
        }
        return .async(operation)
    }

    /// `POST /1.0/images/FP/refresh`: an image pulled by alias is compared with what its server's
    /// alias names now and replaced by a newer one (`refreshed: true`); an imported image has no
    /// source and is already up to date.
    func imageRefreshPost(_ request: APIRequest) async throws -> APIResponse {
        let image = try await image(request)
        let state = self.state
        let operation = state.operations.run(
            description: "Refreshing image", resources: ["images": ["/1.0/images/\(image.fingerprint)"]]
        ) { operation in
            .object(["refreshed": .bool(try await ImageRefresh.refresh(image, state: state, operation: operation))])
        }
        return .async(operation)
    }

    /// Streams the stored tarball back unchanged (the client checks its SHA-256 against the fingerprint).
    func imageExportGet(_ request: APIRequest) async throws -> APIResponse {
        let image = try await image(request)
        let path = state.paths.imageFile(image.fingerprint)
        let suffix = Compression.tarSuffix(ofFile: path)
        let rootfs = state.paths.imageRootfsFile(image.fingerprint)
        if FileManager.default.fileExists(atPath: rootfs) {
            return .multipart([
                MultipartFile(name: "metadata", filename: "meta-\(image.fingerprint)\(suffix)", path: path),
                MultipartFile(name: "rootfs", filename: "\(image.fingerprint)\(Compression.tarSuffix(ofFile: rootfs))", path: rootfs),
            ])
        }
        var headers = HTTPHeaders([("Content-Type", "application/octet-stream")])
        headers["Content-Disposition"] = "inline;filename=\(image.fingerprint)\(suffix)"
        return .file(path: path, headers: headers)
    }
}

/// Recognises compressed files by their magic bytes.
enum Compression {
    static func tarSuffix(ofFile path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ".tar" }
        defer { try? handle.close() }
        let magic = [UInt8](handle.readData(ofLength: 6))
        if magic.starts(with: [0x1f, 0x8b]) { return ".tar.gz" }
        if magic.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return ".tar.xz" }
        if magic.starts(with: [0x42, 0x5a, 0x68]) { return ".tar.bz2" }
        if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return ".tar.zst" }
        if magic.starts(with: [0x5d, 0x00, 0x00]) { return ".tar.lzma" }
        if magic.starts(with: [0x68, 0x73, 0x71, 0x73]) { return ".squashfs" }
        return ".tar"
    }
}

extension JSONValue {
    /// RFC 7396-style merge for PATCH: objects merge key by key, anything else replaces.
    func merging(_ patch: JSONValue) -> JSONValue {
        guard case .object(var base) = self, case .object(let changes) = patch else { return patch }
        for (key, value) in changes {
            base[key] = base[key].map { $0.merging(value) } ?? value
        }
        return .object(base)
    }
}
