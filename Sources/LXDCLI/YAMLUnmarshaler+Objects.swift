import LXDAPI
import LXDCommandLine
import LXDCore

/// The writable types of networks, storage pools and volumes, and trusted certificates, read from
/// an `edit` command's YAML with yaml.v2's rules (see `YAMLUnmarshaler`).
extension YAMLUnmarshaler {
    /// The `config` map and `description` that `api.NetworkPut`, `api.StoragePoolPut` and
    /// `api.StorageVolumePut` share; other keys (a shown object's name, status, ...) are ignored.
    static func configAndDescription(_ text: String, goType: String) throws -> (config: [String: String], description: String) {
        try decode(text) { reader, node, lines in
            var config: [String: String] = [:]
            var description = ""
            for (key, value, valueLines) in reader.pairs(node, lines, goType) {
                switch key {
                case "config": config = reader.stringMap(value, valueLines)
                case "description": description = reader.string(value, valueLines)
                default: continue
                }
            }
            return (config, description)
        }
    }

    static func networkPut(_ text: String) throws -> NetworkPut {
        let (config, description) = try configAndDescription(text, goType: "api.NetworkPut")
        return NetworkPut(config: config, description: description)
    }

    static func storagePoolPut(_ text: String) throws -> StoragePoolPut {
        let (config, description) = try configAndDescription(text, goType: "api.StoragePoolPut")
        return StoragePoolPut(config: config, description: description)
    }

    static func storageVolumePut(_ text: String) throws -> StorageVolumePut {
        let (config, description) = try configAndDescription(text, goType: "api.StorageVolumePut")
        return StorageVolumePut(config: config, description: description)
    }

    /// `api.StorageVolumeSnapshotPut` as its JSON body: `description` and `expires_at` (null
    /// when absent or empty, as Go's nil `*time.Time`).
    static func storageVolumeSnapshotPut(_ text: String) throws -> [String: JSONValue] {
        let (description, expiry) = try decode(text) { reader, node, lines -> (String, String) in
            var description = ""
            var expiry = ""
            for (key, value, valueLines) in reader.pairs(node, lines, "api.StorageVolumeSnapshotPut") {
                switch key {
                case "description": description = reader.string(value, valueLines)
                case "expires_at": expiry = reader.string(value, valueLines)
                default: continue
                }
            }
            return (description, expiry)
        }
        var expiresAt = JSONValue.null
        if !expiry.isEmpty {
            guard let parsed = GoTime.parse(expiry) else {
                throw UsageError(
                    "parsing time \(goQuoted(expiry)) as \"2006-01-02T15:04:05Z07:00\": cannot parse \(goQuoted(expiry)) as \"2006\"")
            }
            expiresAt = .string(GoTime.format(parsed))
        }
        return ["description": .string(description), "expires_at": expiresAt]
    }

    /// `api.CertificatePut` (a shown certificate's `fingerprint` is ignored).
    static func certificatePut(_ text: String) throws -> CertificatePut {
        try decode(text) { reader, node, lines in
            var put = CertificatePut(type: "")
            for (key, value, valueLines) in reader.pairs(node, lines, "api.CertificatePut") {
                switch key {
                case "name": put.name = reader.string(value, valueLines)
                case "type": put.type = reader.string(value, valueLines)
                case "restricted": put.restricted = reader.bool(value, valueLines)
                case "projects": put.projects = reader.strings(value, valueLines) ?? []
                case "certificate": put.certificate = reader.string(value, valueLines)
                default: continue
                }
            }
            return put
        }
    }
}
