import Foundation
import LXDAPI
import LXDCommandLine
import LXDCore
import YAML

/// An instance's own image metadata (LXD's `/1.0/instances/NAME/metadata`): `metadata.yaml` and
/// the `templates/` folder at the top of its volume, beside `rootfs/`. The files are the
/// daemon's (a container never reaches them); template names are single file names, and template
/// files are opened without following links, since an image may ship links there.
extension InstanceManager {
    /// The instance's volume, mounted where its driver needs it.
    private func metadataVolume(_ name: String) async throws -> String {
        if name.contains("/") { throw LXDError.badRequest("Invalid instance name") }
        let record = try await record(name)
        return try await storage.mountInstanceVolume(name, pool: try rootPool(try await expanded(record).devices))
    }

    /// `metadata.yaml` read as LXD reads it (no validation); zero values when there is none.
    func instanceMetadata(_ name: String) async throws -> ImageMetadata {
        let volume = try await metadataVolume(name)
        return try await Blocking.run {
            guard let data = FileManager.default.contents(atPath: volume + "/metadata.yaml") else { return ImageMetadata() }
            do {
                return try Self.metadata(fromYAML: String(decoding: data, as: UTF8.self))
            } catch {
                throw LXDError.internalError("Failed parsing metadata.yaml: \(error)")
            }
        }
    }

    func setInstanceMetadata(_ name: String, _ metadata: ImageMetadata) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let volume = try await metadataVolume(name)
        let text = metadata.goYAML
        try await Blocking.run {
            try Self.writeFile(volume + "/metadata.yaml", Data(text.utf8))
        }
    }

    /// The template file names, sorted (as Go's directory listing).
    func instanceTemplates(_ name: String) async throws -> [String] {
        let volume = try await metadataVolume(name)
        return try await Blocking.run {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: volume + "/templates")) ?? []
            return entries.sorted()
        }
    }

    func instanceTemplate(_ name: String, _ file: String) async throws -> (data: Data, modified: Date) {
        let path = try await templatePath(name, file)
        return try await Blocking.run {
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                if errno == ENOENT { throw LXDError.notFound("Template \(GoSyntax.quote(file)) not found") }
                throw LXDError.internalError("Failed opening template \(GoSyntax.quote(file)): \(String(cString: strerror(errno)))")
            }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw LXDError.badRequest("Template \(GoSyntax.quote(file)) is not a regular file")
            }
            let data = try handle.readToEnd() ?? Data()
            return (data, Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)))
        }
    }

    /// Creates or replaces a template file (LXD's POST does both).
    func writeInstanceTemplate(_ name: String, _ file: String, _ content: Data) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let path = try await templatePath(name, file)
        try await Blocking.run {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Self.writeFile(path, content)
        }
    }

    func deleteInstanceTemplate(_ name: String, _ file: String) async throws {
        let lock = locks.lock(for: name)
        await lock.lock()
        defer { lock.unlock() }
        let path = try await templatePath(name, file)
        var info = stat()
        guard lstat(path, &info) == 0 else { throw LXDError.notFound("Template \(GoSyntax.quote(file)) not found") }
        guard unlink(path) == 0 else {
            throw LXDError.internalError("Failed removing template \(GoSyntax.quote(file)): \(String(cString: strerror(errno)))")
        }
    }

    private func templatePath(_ name: String, _ file: String) async throws -> String {
        guard !file.isEmpty else { throw LXDError.badRequest("missing path argument") }
        guard !file.contains("/"), file != ".", file != ".." else { throw LXDError.internalError("Invalid template filename") }
        return try await metadataVolume(name) + "/templates/" + file
    }

    /// Writes `data` to `path` through a new file renamed over it: a link in its place is replaced,
    /// never followed.
    nonisolated static func writeFile(_ path: String, _ data: Data) throws {
        let temporary = path + ".lxd-tmp-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LXDError.internalError("Failed writing \(path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.close()
        } catch {
            unlink(temporary)
            throw LXDError.internalError("Failed writing \(path): \(error)")
        }
        guard Glibc.rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw LXDError.internalError("Failed writing \(path): \(message)")
        }
    }

    /// `metadata.yaml` into `api.ImageMetadata` with Go's leniency: what does not fit is left at
    /// its zero value.
    nonisolated static func metadata(fromYAML text: String) throws -> ImageMetadata {
        let root = try YAML.parse(text)
        func strings(_ node: YAMLNode?) -> [String: String] {
            var result: [String: String] = [:]
            for (key, value) in node?.pairs ?? [] { result[key] = value.string ?? "" }
            return result
        }
        var metadata = ImageMetadata()
        metadata.architecture = root["architecture"]?.string ?? ""
        metadata.creationDate = root["creation_date"]?.int ?? 0
        metadata.expiryDate = root["expiry_date"]?.int ?? 0
        metadata.properties = strings(root["properties"])
        for (path, node) in root["templates"]?.pairs ?? [] {
            var template = ImageMetadataTemplate()
            template.when = node["when"]?.array?.compactMap(\.string) ?? []
            template.createOnly = node["create_only"]?.bool ?? false
            template.template = node["template"]?.string ?? ""
            template.properties = strings(node["properties"])
            metadata.templates[path] = template
        }
        return metadata
    }
}
