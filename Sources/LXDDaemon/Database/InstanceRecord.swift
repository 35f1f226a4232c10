import LXDAPI
import LXDCore
import SQLite

/// An instance row with its profiles in order.
struct InstanceRecord: Sendable {
    var id: Int64 = 0
    var name: String
    var type: String = "container"
    var architecture: String
    var ephemeral: Bool = false
    var stateful: Bool = false
    var description: String = ""
    var config: [String: String] = [:]
    var devices: Devices = [:]
    var profiles: [String] = []
    var createdAt: Timestamp
    var lastUsedAt: Timestamp = .unixEpoch
}

extension Database {
    private static let instanceColumns =
        "id, name, type, architecture, ephemeral, stateful, description, config, devices, created_at, last_used_at"

    private func instanceRecord(_ row: Row, _ connection: Connection) throws -> InstanceRecord {
        let id = row.int64("id") ?? 0
        let profiles = try connection.query(
            """
            SELECT profiles.name FROM instance_profiles JOIN profiles ON profiles.id = instance_profiles.profile_id
            WHERE instance_profiles.instance_id = ? ORDER BY instance_profiles.position
            """, [.integer(id)]
        ).compactMap { $0.string("name") }
        return InstanceRecord(
            id: id,
            name: row.string("name") ?? "",
            type: row.string("type") ?? "container",
            architecture: row.string("architecture") ?? "",
            ephemeral: row.bool("ephemeral"),
            stateful: row.bool("stateful"),
            description: row.string("description") ?? "",
            config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]),
            devices: JSONColumn.decode(Devices.self, row.string("devices"), default: [:]),
            profiles: profiles,
            createdAt: GoTime.parse(row.string("created_at") ?? "") ?? .unixEpoch,
            lastUsedAt: GoTime.parse(row.string("last_used_at") ?? "") ?? .unixEpoch)
    }

    func instances() throws -> [InstanceRecord] {
        try connection.query("SELECT \(Self.instanceColumns) FROM instances ORDER BY name").map {
            try instanceRecord($0, connection)
        }
    }

    func instanceNames() throws -> [String] {
        try connection.query("SELECT name FROM instances ORDER BY name").compactMap { $0.string("name") }
    }

    func instance(named name: String) throws -> InstanceRecord? {
        guard let row = try connection.queryOne("SELECT \(Self.instanceColumns) FROM instances WHERE name = ?", [.text(name)])
        else { return nil }
        return try instanceRecord(row, connection)
    }

    /// Inserts a new instance; a duplicate name throws LXD's message.
    func createInstance(_ record: InstanceRecord) throws -> InstanceRecord {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM instances WHERE name = ?", [.text(record.name)]) != nil {
                throw LXDError.conflict(
                    "Failed creating instance record: Add instance info to the database: This \"instances\" entry already exists")
            }
            try connection.run(
                """
                INSERT INTO instances (name, type, architecture, ephemeral, stateful, description, config, devices,
                                       created_at, last_used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(record.name), .text(record.type), .text(record.architecture), .init(record.ephemeral),
                    .init(record.stateful), .text(record.description), .text(JSONColumn.encode(record.config)),
                    .text(JSONColumn.encode(record.devices)), .text(GoTime.format(record.createdAt)),
                    .text(GoTime.format(record.lastUsedAt)),
                ])
            var created = record
            created.id = connection.lastInsertRowID
            try setProfiles(instanceID: created.id, profiles: record.profiles)
            return created
        }
    }

    /// Replaces the editable fields of an instance.
    func updateInstance(_ record: InstanceRecord) throws {
        try connection.transaction {
            try connection.run(
                """
                UPDATE instances SET architecture = ?, ephemeral = ?, stateful = ?, description = ?, config = ?, devices = ?,
                                     last_used_at = ?
                WHERE id = ?
                """,
                [
                    .text(record.architecture), .init(record.ephemeral), .init(record.stateful), .text(record.description),
                    .text(JSONColumn.encode(record.config)), .text(JSONColumn.encode(record.devices)),
                    .text(GoTime.format(record.lastUsedAt)), .integer(record.id),
                ])
            try setProfiles(instanceID: record.id, profiles: record.profiles)
        }
    }

    /// Sets (or, with nil, removes) config keys of one instance, leaving the others alone.
    func updateInstanceConfig(name: String, _ changes: [String: String?]) throws {
        try connection.transaction {
            guard let row = try connection.queryOne("SELECT id, config FROM instances WHERE name = ?", [.text(name)]) else {
                throw LXDError.notFound("Instance not found")
            }
            var config = JSONColumn.decode([String: String].self, row.string("config"), default: [:])
            for (key, value) in changes { config[key] = value }
            try connection.run(
                "UPDATE instances SET config = ? WHERE id = ?", [.text(JSONColumn.encode(config)), .integer(row.int64("id") ?? 0)])
        }
    }

    func touchInstance(name: String, at time: Timestamp) throws {
        try connection.run("UPDATE instances SET last_used_at = ? WHERE name = ?", [.text(GoTime.format(time)), .text(name)])
    }

    func renameInstance(from oldName: String, to newName: String) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM instances WHERE name = ?", [.text(newName)]) != nil {
                throw LXDError.conflict("Name \"\(newName)\" already in use")
            }
            try connection.run("UPDATE instances SET name = ? WHERE name = ?", [.text(newName), .text(oldName)])
        }
    }

    func deleteInstance(name: String) throws {
        try connection.run("DELETE FROM instances WHERE name = ?", [.text(name)])
    }

    private func setProfiles(instanceID: Int64, profiles: [String]) throws {
        try connection.run("DELETE FROM instance_profiles WHERE instance_id = ?", [.integer(instanceID)])
        for (position, profile) in profiles.enumerated() {
            guard let row = try connection.queryOne("SELECT id FROM profiles WHERE name = ?", [.text(profile)]) else {
                throw LXDError.notFound("Profile \"\(profile)\" not found")
            }
            try connection.run(
                "INSERT INTO instance_profiles (instance_id, profile_id, position) VALUES (?, ?, ?)",
                [.integer(instanceID), .integer(row.int64("id") ?? 0), .integer(Int64(position))])
        }
    }
}
