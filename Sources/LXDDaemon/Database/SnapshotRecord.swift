import LXDAPI
import LXDCore
import SQLite

/// A snapshot row: the instance's config, devices and profiles as they were when it was taken.
struct SnapshotRecord: Sendable {
    var id: Int64 = 0
    var instance: String
    var name: String
    var stateful = false
    var description = ""
    var architecture: String
    var ephemeral = false
    var config: [String: String]
    var devices: Devices
    var profiles: [String]
    var createdAt: Timestamp
    var expiresAt: Timestamp = .goZero
}

extension Database {
    private static let snapshotColumns = """
        instance_snapshots.id, instances.name AS instance, instance_snapshots.name, instance_snapshots.stateful,
        instance_snapshots.description, instance_snapshots.architecture, instance_snapshots.ephemeral,
        instance_snapshots.config, instance_snapshots.devices, instance_snapshots.profiles,
        instance_snapshots.created_at, instance_snapshots.expires_at
        """

    private func snapshotRecord(_ row: Row) -> SnapshotRecord {
        SnapshotRecord(
            id: row.int64("id") ?? 0, instance: row.string("instance") ?? "", name: row.string("name") ?? "",
            stateful: row.bool("stateful"), description: row.string("description") ?? "",
            architecture: row.string("architecture") ?? "", ephemeral: row.bool("ephemeral"),
            config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]),
            devices: JSONColumn.decode(Devices.self, row.string("devices"), default: [:]),
            profiles: JSONColumn.decode([String].self, row.string("profiles"), default: []),
            createdAt: GoTime.parse(row.string("created_at") ?? "") ?? .goZero,
            expiresAt: GoTime.parse(row.string("expires_at") ?? "") ?? .goZero)
    }

    /// An instance's snapshots, oldest first.
    func snapshots(of instance: String) throws -> [SnapshotRecord] {
        try connection.query(
            """
            SELECT \(Self.snapshotColumns) FROM instance_snapshots JOIN instances ON instances.id = instance_snapshots.instance_id
            WHERE instances.name = ? ORDER BY instance_snapshots.created_at, instance_snapshots.id
            """, [.text(instance)]
        ).map(snapshotRecord)
    }

    func snapshot(of instance: String, named name: String) throws -> SnapshotRecord? {
        try connection.queryOne(
            """
            SELECT \(Self.snapshotColumns) FROM instance_snapshots JOIN instances ON instances.id = instance_snapshots.instance_id
            WHERE instances.name = ? AND instance_snapshots.name = ?
            """, [.text(instance), .text(name)]
        ).map(snapshotRecord)
    }

    func createSnapshot(_ record: SnapshotRecord) throws {
        try connection.transaction {
            guard let instance = try connection.queryOne("SELECT id FROM instances WHERE name = ?", [.text(record.instance)]) else {
                throw LXDError.notFound("Instance not found")
            }
            let id = instance.int64("id") ?? 0
            if try connection.queryOne(
                "SELECT id FROM instance_snapshots WHERE instance_id = ? AND name = ?", [.integer(id), .text(record.name)]) != nil
            {
                throw LXDError.conflict(
                    "Failed creating instance snapshot record \"\(record.name)\": Add snapshot info to the database: This \"instances_snapshots\" entry already exists"
                )
            }
            try connection.run(
                """
                INSERT INTO instance_snapshots (instance_id, name, stateful, description, architecture, ephemeral, config,
                                                devices, profiles, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(id), .text(record.name), .init(record.stateful), .text(record.description), .text(record.architecture),
                    .init(record.ephemeral), .text(JSONColumn.encode(record.config)), .text(JSONColumn.encode(record.devices)),
                    .text(JSONColumn.encode(record.profiles)), .text(GoTime.format(record.createdAt)),
                    .text(GoTime.format(record.expiresAt)),
                ])
        }
    }

    func renameSnapshot(of instance: String, from oldName: String, to newName: String) throws {
        try connection.transaction {
            guard let old = try snapshot(of: instance, named: oldName) else { throw LXDError.notFound("Snapshot not found") }
            if try snapshot(of: instance, named: newName) != nil {
                throw LXDError.conflict("Name '\(instance)/\(newName)' already in use")
            }
            try connection.run("UPDATE instance_snapshots SET name = ? WHERE id = ?", [.text(newName), .integer(old.id)])
        }
    }

    func updateSnapshotExpiry(of instance: String, named name: String, to expiresAt: Timestamp) throws {
        guard let snapshot = try snapshot(of: instance, named: name) else { throw LXDError.notFound("Instance snapshot not found") }
        try connection.run(
            "UPDATE instance_snapshots SET expires_at = ? WHERE id = ?", [.text(GoTime.format(expiresAt)), .integer(snapshot.id)])
    }

    /// Snapshots whose expiry (not Go's zero time) is at or before `now`, with their instance.
    func expiredSnapshots(at now: Timestamp) throws -> [SnapshotRecord] {
        try connection.query(
            """
            SELECT \(Self.snapshotColumns) FROM instance_snapshots JOIN instances ON instances.id = instance_snapshots.instance_id
            ORDER BY instance_snapshots.id
            """
        ).map(snapshotRecord).filter { !$0.expiresAt.isGoZero && $0.expiresAt <= now }
    }

    func deleteSnapshot(of instance: String, named name: String) throws {
        guard let snapshot = try snapshot(of: instance, named: name) else { throw LXDError.notFound("Snapshot not found") }
        try connection.run("DELETE FROM instance_snapshots WHERE id = ?", [.integer(snapshot.id)])
    }
}
