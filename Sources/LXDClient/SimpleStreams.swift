import Foundation
import LXDAPI
import LXDCore
import LXDHTTP

/// An image server that publishes the simplestreams format (`streams/v1/index.json` and its
/// products file), read as LXD's `shared/simplestreams` reads it: the daemon pulls images from it,
/// `lxc image list REMOTE:` lists it.
public struct SimpleStreams: Sendable {
    /// One downloadable image of a products file.
    public struct Entry: Equatable, Sendable {
        public var fingerprint: String
        public var aliases: [String]
        public var metadataPath: String
        public var metadataSHA256: String
        public var rootfsPath: String?
        public var rootfsSHA256: String?
        public var size: Int64
        public var version: String
        /// The product's `os`, `release`, `release_title`, `arch`, `variant` and the version's `label`.
        public var product: [String: String]
    }

    public let base: String
    let http: HTTPClient
    /// The path part of the server URL, before `streams/`.
    let prefix: String

    /// `certificatePEM` pins the server's certificate; empty accepts the system's trust.
    public init(url: String, certificatePEM: String) throws {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.base = base
        if let range = base.range(of: "://"), let slash = base[range.upperBound...].firstIndex(of: "/") {
            prefix = String(base[slash...])
        } else {
            prefix = ""
        }
        let args = TLSConnectionArgs(
            serverCertificatePEM: certificatePEM.isEmpty ? nil : certificatePEM, acceptAnyServer: certificatePEM.isEmpty)
        http = try LXDServer.httpsClient(url: base, args: args)
    }

    /// The full path on the server of a file the products name.
    public func path(_ relative: String) -> String { prefix + "/" + relative }

    /// Streams `relative` to `consume` (blocking).
    public func download(_ relative: String, consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        _ = try http.download(path(relative), consume: consume)
    }

    private func fetchJSON(_ relative: String) throws -> JSONValue {
        let response = try http.request("GET", path(relative))
        guard response.status == 200 else {
            throw LXDError(.internalServerError, "Failed to fetch \(base)/\(relative): HTTP \(response.status)")
        }
        return try LXDJSON.decode(JSONValue.self, from: response.body)
    }

    /// Every image of the server's image-downloads stream, newest version first (blocking).
    public func entries() throws -> [Entry] {
        let index = try fetchJSON("streams/v1/index.json")
        var productsPath = "streams/v1/images.json"
        if case .object(let streams)? = index["index"] {
            for (_, stream) in streams where stream["datatype"]?.stringValue == "image-downloads" {
                if let path = stream["path"]?.stringValue { productsPath = path }
            }
        }
        return Self.entries(products: try fetchJSON(productsPath))
    }

    /// The images a products document offers, newest version first.
    public static func entries(products: JSONValue) -> [Entry] {
        var found: [Entry] = []
        guard case .object(let all)? = products["products"] else { return [] }
        for (_, product) in all {
            // Each alias also with the architecture (`bbss/amd64`); the bare one only for images of
            // this machine's architecture.
            let arch = product["arch"]?.stringValue ?? ""
            let isNative = Architecture.normalise(arch).map { $0 == Self.hostArchitecture } ?? false
            let aliases = (product["aliases"]?.stringValue ?? "").split(separator: ",").flatMap { entry -> [String] in
                let alias = String(entry).trimmingCharacters(in: .whitespaces)
                guard !alias.isEmpty else { return [] }
                return isNative ? [alias, alias + "/" + arch] : [alias + "/" + arch]
            }.sorted()
            var fields: [String: String] = [:]
            for key in ["os", "release", "release_title", "arch", "variant"] { fields[key] = product[key]?.stringValue }
            guard case .object(let versions)? = product["versions"] else { continue }
            for (version, body) in versions {
                guard case .object(let items)? = body["items"] else { continue }
                var details = fields
                details["label"] = body["label"]?.stringValue
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
                            version: version, product: details))
                }
                if let meta = byType["lxd.tar.xz"], let path = meta["path"]?.stringValue, let sha = meta["sha256"]?.stringValue {
                    for (type, key) in [("squashfs", "combined_squashfs_sha256"), ("root.tar.xz", "combined_rootxz_sha256")] {
                        guard let root = byType[type], let rootPath = root["path"]?.stringValue, let rootSHA = root["sha256"]?.stringValue,
                            let combined = meta[key]?.stringValue ?? (type == "root.tar.xz" ? meta["combined_sha256"]?.stringValue : nil)
                        else { continue }
                        found.append(
                            Entry(
                                fingerprint: combined, aliases: aliases, metadataPath: path, metadataSHA256: sha, rootfsPath: rootPath,
                                rootfsSHA256: rootSHA, size: number(meta["size"]) + number(root["size"]), version: version,
                                product: details))
                    }
                }
            }
        }
        return found.sorted { $0.version > $1.version }
    }

    /// The entry an alias or fingerprint (prefix) names.
    public static func find(_ reference: String, in entries: [Entry]) -> Entry? {
        entries.first { $0.aliases.contains(reference) } ?? entries.first { !reference.isEmpty && $0.fingerprint.hasPrefix(reference) }
    }

    /// The entries as LXD's client shows them (`api.Image`): public, the product's properties, a
    /// description naming the product and version, aliases on the newest version of each product
    /// only, dated by the version's name (`YYYYMMDD_HH:MM`).
    public static func images(_ entries: [Entry]) -> [Image] {
        var aliased: Set<String> = []
        return entries.map { entry in
            var image = Image()
            image.fingerprint = entry.fingerprint
            image.isPublic = true
            image.size = entry.size
            image.type = "container"
            let arch = entry.product["arch"] ?? ""
            image.architecture = Architecture.normalise(arch) ?? arch
            let os = entry.product["os"] ?? ""
            let release = entry.product["release"] ?? ""
            var description = "\(os) \(entry.product["release_title"] ?? "") \(arch)"
            if let label = entry.product["label"], !label.isEmpty { description += " (\(label))" }
            description += " (\(entry.version))"
            image.properties = [
                "os": os, "release": release, "architecture": arch, "serial": entry.version, "description": description,
            ]
            if let variant = entry.product["variant"], !variant.isEmpty { image.properties["variant"] = variant }
            let key = entry.aliases.joined(separator: ",") + "|" + arch
            if !entry.aliases.isEmpty, aliased.insert(key).inserted {
                image.aliases = entry.aliases.map { ImageAlias(name: $0) }
            }
            if let date = Self.versionDate(entry.version) {
                image.createdAt = date
                image.uploadedAt = date
            }
            return image
        }
    }

    /// This machine's architecture in LXD's naming.
    static let hostArchitecture: String = {
        var name = utsname()
        guard uname(&name) == 0 else { return "" }
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Architecture.normalise(machine) ?? machine
    }()

    /// `20261204_00:00` (Go layout `20060102_15:04`) in UTC.
    static func versionDate(_ version: String) -> Timestamp? {
        let digits = Array(version.utf8)
        guard digits.count >= 14, digits[8] == UInt8(ascii: "_"), digits[11] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(12..<14)
        else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (year, month, day, hour, minute)
        components.timeZone = TimeZone(identifier: "UTC")
        guard let date = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        return Timestamp(seconds: Int64(date.timeIntervalSince1970))
    }
}
