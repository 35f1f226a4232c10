import LXDAPI
import LXDCore
import SQLite

/// A storage volume row: every volume a pool holds (instances', images' and custom ones).
struct StorageVolumeRecord: Sendable {
    var id: Int64 = 0
    var pool: String
    var name: String
    var type: VolumeType
    var description: String = ""
    var config: [String: String] = [:]
    var contentType: String = "filesystem"
    var createdAt: Timestamp = .now()
}

/// A snapshot row of a custom volume (instance volumes' snapshots are the instances').
struct StorageVolumeSnapshotRecord: Sendable {
    var id: Int64 = 0
    var name: String
    var description: String = ""
    var config: [String: String] = [:]
    var createdAt: Timestamp = .now()
    var expiresAt: Timestamp?
}

extension Database {
    private func volumeRecord(_ row: Row) -> StorageVolumeRecord? {
        guard let type = VolumeType(rawValue: row.string("type") ?? "") else { return nil }
        return StorageVolumeRecord(
            id: row.int64("id") ?? 0, pool: row.string("pool") ?? "", name: row.string("name") ?? "", type: type,
            description: row.string("description") ?? "",
            config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]),
            contentType: row.string("content_type") ?? "filesystem",
            createdAt: GoTime.parse(row.string("created_at") ?? "") ?? .goZero)
    }

    private static let volumeSelect = """
        SELECT storage_volumes.*, storage_pools.name AS pool FROM storage_volumes
        JOIN storage_pools ON storage_pools.id = storage_volumes.pool_id
        """

    /// The volumes of a pool (or of every pool), by type then name.
    func storageVolumes(pool: String? = nil, type: VolumeType? = nil) throws -> [StorageVolumeRecord] {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        if let pool {
            conditions.append("storage_pools.name = ?")
            parameters.append(.text(pool))
        }
        if let type {
            conditions.append("storage_volumes.type = ?")
            parameters.append(.text(type.rawValue))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try connection.query(Self.volumeSelect + filter + " ORDER BY storage_volumes.type, storage_volumes.name", parameters)
            .compactMap(volumeRecord)
    }

    func storageVolume(pool: String, type: VolumeType, name: String) throws -> StorageVolumeRecord? {
        try connection.queryOne(
            Self.volumeSelect + " WHERE storage_pools.name = ? AND storage_volumes.type = ? AND storage_volumes.name = ?",
            [.text(pool), .text(type.rawValue), .text(name)]
        ).flatMap(volumeRecord)
    }

    func createStorageVolume(_ record: StorageVolumeRecord) throws {
        try connection.transaction {
            guard let pool = try connection.queryOne("SELECT id FROM storage_pools WHERE name = ?", [.text(record.pool)])?.int64("id")
            else {
                throw LXDError.notFound("Storage pool not found")
            }
            if try connection.queryOne(
                "SELECT id FROM storage_volumes WHERE pool_id = ? AND type = ? AND name = ?",
                [.integer(pool), .text(record.type.rawValue), .text(record.name)]) != nil
            {
                throw LXDError.conflict("Volume by that name already exists")
            }
            try connection.run(
                """
                INSERT INTO storage_volumes (pool_id, name, type, description, config, content_type, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(pool), .text(record.name), .text(record.type.rawValue), .text(record.description),
                    .text(JSONColumn.encode(record.config)), .text(record.contentType), .text(GoTime.format(record.createdAt)),
                ])
        }
    }

    func updateStorageVolume(_ record: StorageVolumeRecord) throws {
        try connection.run(
            """
            UPDATE storage_volumes SET description = ?, config = ?
            WHERE name = ? AND type = ? AND pool_id = (SELECT id FROM storage_pools WHERE name = ?)
            """,
            [
                .text(record.description), .text(JSONColumn.encode(record.config)), .text(record.name), .text(record.type.rawValue),
                .text(record.pool),
            ])
    }

    func renameStorageVolume(pool: String, type: VolumeType, from name: String, to newName: String) throws {
        try connection.run(
            "UPDATE storage_volumes SET name = ? WHERE name = ? AND type = ? AND pool_id = (SELECT id FROM storage_pools WHERE name = ?)",
            [.text(newName), .text(name), .text(type.rawValue), .text(pool)])
    }

    func deleteStorageVolume(pool: String, type: VolumeType, name: String) throws {
        try connection.run(
            "DELETE FROM storage_volumes WHERE name = ? AND type = ? AND pool_id = (SELECT id FROM storage_pools WHERE name = ?)",
            [.text(name), .text(type.rawValue), .text(pool)])
    }

    // MARK: Snapshots of custom volumes

    private func volumeSnapshotRecord(_ row: Row) -> StorageVolumeSnapshotRecord {
        let expires = row.string("expires_at") ?? ""
        return StorageVolumeSnapshotRecord(
            id: row.int64("id") ?? 0, name: row.string("name") ?? "", description: row.string("description") ?? "",
            config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]),
            createdAt: GoTime.parse(row.string("created_at") ?? "") ?? .goZero,
            expiresAt: expires.isEmpty ? nil : GoTime.parse(expires))
    }

    private func volumeID(pool: String, type: VolumeType, name: String) throws -> Int64 {
        guard let id = try storageVolume(pool: pool, type: type, name: name)?.id else {
            throw LXDError.notFound("Storage volume not found")
        }
        return id
    }

    func storageVolumeSnapshots(pool: String, type: VolumeType, volume: String) throws -> [StorageVolumeSnapshotRecord] {
        let id = try volumeID(pool: pool, type: type, name: volume)
        return try connection.query("SELECT * FROM storage_volume_snapshots WHERE volume_id = ? ORDER BY id", [.integer(id)])
            .map(volumeSnapshotRecord)
    }

    func createStorageVolumeSnapshot(pool: String, type: VolumeType, volume: String, _ record: StorageVolumeSnapshotRecord) throws {
        let id = try volumeID(pool: pool, type: type, name: volume)
        try connection.transaction {
            if try connection.queryOne(
                "SELECT id FROM storage_volume_snapshots WHERE volume_id = ? AND name = ?", [.integer(id), .text(record.name)]) != nil
            {
                throw LXDError.conflict("Snapshot \"\(record.name)\" already exists")
            }
            try connection.run(
                """
                INSERT INTO storage_volume_snapshots (volume_id, name, description, config, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(id), .text(record.name), .text(record.description), .text(JSONColumn.encode(record.config)),
                    .text(GoTime.format(record.createdAt)), .text(record.expiresAt.map(GoTime.format) ?? ""),
                ])
        }
    }

    func updateStorageVolumeSnapshot(pool: String, type: VolumeType, volume: String, _ record: StorageVolumeSnapshotRecord) throws {
        let id = try volumeID(pool: pool, type: type, name: volume)
        try connection.run(
            "UPDATE storage_volume_snapshots SET description = ?, expires_at = ? WHERE volume_id = ? AND name = ?",
            [.text(record.description), .text(record.expiresAt.map(GoTime.format) ?? ""), .integer(id), .text(record.name)])
    }

    func renameStorageVolumeSnapshot(pool: String, type: VolumeType, volume: String, from name: String, to newName: String) throws {
        let id = try volumeID(pool: pool, type: type, name: volume)
        try connection.run(
            "UPDATE storage_volume_snapshots SET name = ? WHERE volume_id = ? AND name = ?", [.text(newName), .integer(id), .text(name)])
    }

    func deleteStorageVolumeSnapshot(pool: String, type: VolumeType, volume: String, name: String) throws {
        let id = try volumeID(pool: pool, type: type, name: volume)
        try connection.run("DELETE FROM storage_volume_snapshots WHERE volume_id = ? AND name = ?", [.integer(id), .text(name)])
    }

    // MARK: Pools

    func updateStoragePool(name: String, config: [String: String], description: String) throws {
        try connection.run(
            "UPDATE storage_pools SET config = ?, description = ? WHERE name = ?",
            [.text(JSONColumn.encode(config)), .text(description), .text(name)])
    }
}
