import Foundation
import LXDAPI
import LXDClient
import LXDCore
import LXDHTTP

/// Reads an image server that publishes the simplestreams format (`streams/v1/index.json` and
/// its products file) and pulls one image from it: a unified `lxd_combined.tar.gz`, or
/// `lxd.tar.xz` with its `root.tar.xz`/`squashfs` (LXD's `shared/simplestreams`).
enum SimpleStreamsDownload {
    /// One downloadable image of a products file.
    struct Entry: Equatable {
        var fingerprint: String
        var aliases: [String]
        var metadataPath: String
        var metadataSHA256: String
        var rootfsPath: String?
        var rootfsSHA256: String?
        var size: Int64
        var version: String
    }

    /// The images a products document offers, newest version first.
    static func entries(products: JSONValue) -> [Entry] {
        var found: [Entry] = []
        guard case .object(let all)? = products["products"] else { return [] }
        for (_, product) in all {
            let aliases = (product["aliases"]?.stringValue ?? "").split(separator: ",").map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            guard case .object(let versions)? = product["versions"] else { continue }
            for (version, body) in versions {
                guard case .object(let items)? = body["items"] else { continue }
                let byType = Dictionary(items.values.compactMap { item in item["ftype"]?.stringValue.map { ($0, item) } }) { first, _ in
                    first
                }
                func number(_ value: JSONValue?) -> Int64 {
                    if case .number(let n)? = value { return Int64(n) }
                    return 0
                }
                if let combined = byType["lxd_combined.tar.gz"], let sha = combined["sha256"]?.stringValue,
                    let path = combined["path"]?.stringValue
                {
                    found.append(
                        Entry(
                            fingerprint: sha, aliases: aliases, metadataPath: path, metadataSHA256: sha, size: number(combined["size"]),
                            version: version))
                }
                if let meta = byType["lxd.tar.xz"], let path = meta["path"]?.stringValue, let sha = meta["sha256"]?.stringValue {
                    for (type, key) in [("squashfs", "combined_squashfs_sha256"), ("root.tar.xz", "combined_rootxz_sha256")] {
                        guard let root = byType[type], let rootPath = root["path"]?.stringValue, let rootSHA = root["sha256"]?.stringValue,
                            let combined = meta[key]?.stringValue ?? (type == "root.tar.xz" ? meta["combined_sha256"]?.stringValue : nil)
                        else { continue }
                        found.append(
                            Entry(
                                fingerprint: combined, aliases: aliases, metadataPath: path, metadataSHA256: sha, rootfsPath: rootPath,
                                rootfsSHA256: rootSHA, size: number(meta["size"]) + number(root["size"]), version: version))
                    }
                }
            }
        }
        return found.sorted { $0.version > $1.version }
    }

    /// The entry an alias or fingerprint (prefix) names.
    static func find(_ reference: String, in entries: [Entry]) -> Entry? {
        entries.first { $0.aliases.contains(reference) } ?? entries.first { !reference.isEmpty && $0.fingerprint.hasPrefix(reference) }
    }

    static func pull(
        _ source: InstanceSource, state: DaemonState, operation: BackgroundOperation?, isPublic: Bool, cached: Bool, autoUpdate: Bool
    ) async throws -> ImageRecord {
        let base = source.server.hasSuffix("/") ? String(source.server.dropLast()) : source.server
        let prefix: String = {
            guard let range = base.range(of: "://"), let slash = base[range.upperBound...].firstIndex(of: "/") else { return "" }
            return String(base[slash...])
        }()
        let args = TLSConnectionArgs(
            serverCertificatePEM: source.certificate.isEmpty ? nil : source.certificate, acceptAnyServer: source.certificate.isEmpty)
        let http = try LXDServer.httpsClient(url: base, args: args)
        func fetchJSON(_ path: String) async throws -> JSONValue {
            let response = try await Blocking.run("lxd-simplestreams") { try http.request("GET", prefix + "/" + path) }
            guard response.status == 200 else { throw LXDError.internalError("Failed to fetch \(base)/\(path): HTTP \(response.status)") }
            return try LXDJSON.decode(JSONValue.self, from: response.body)
        }
        let index = try await fetchJSON("streams/v1/index.json")
        var productsPath = "streams/v1/images.json"
        if case .object(let streams)? = index["index"] {
            for (_, stream) in streams where stream["datatype"]?.stringValue == "image-downloads" {
                if let path = stream["path"]?.stringValue { productsPath = path }
            }
        }
        let reference = source.alias.isEmpty ? source.fingerprint : source.alias
        guard let entry = find(reference, in: entries(products: try await fetchJSON(productsPath))) else {
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
                _ = try http.download(prefix + "/" + path) { bytes in
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
