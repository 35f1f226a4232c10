import LXDAPI
import LXDCore
import SQLite

/// A profile row.
struct ProfileRecord: Sendable {
    var id: Int64 = 0
    var name: String
    var put: ProfilePut
}

extension Database {
    private func profileRecord(_ row: Row) -> ProfileRecord {
        ProfileRecord(
            id: row.int64("id") ?? 0,
            name: row.string("name") ?? "",
            put: ProfilePut(
                config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]),
                description: row.string("description") ?? "",
                devices: JSONColumn.decode(Devices.self, row.string("devices"), default: [:])))
    }

    func profiles() throws -> [ProfileRecord] {
        try connection.query("SELECT * FROM profiles ORDER BY name").map(profileRecord)
    }

    func profile(named name: String) throws -> ProfileRecord? {
        try connection.queryOne("SELECT * FROM profiles WHERE name = ?", [.text(name)]).map(profileRecord)
    }

    /// Profiles by name, in the order asked; a missing one throws LXD's message.
    func profiles(named names: [String]) throws -> [ProfileRecord] {
        try names.map { name in
            guard let profile = try profile(named: name) else {
                throw LXDError.notFound("Profile \"\(name)\" not found")
            }
            return profile
        }
    }

    func createProfile(name: String, put: ProfilePut) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM profiles WHERE name = ?", [.text(name)]) != nil {
                // LXD 5.0.2 answers a duplicate profile with a 500 and this text.
                throw LXDError.internalError("Error inserting \"\(name)\" into database: The profile already exists")
            }
            try connection.run(
                "INSERT INTO profiles (name, description, config, devices) VALUES (?, ?, ?, ?)",
                [.text(name), .text(put.description), .text(JSONColumn.encode(put.config)), .text(JSONColumn.encode(put.devices))])
        }
    }

    func updateProfile(name: String, put: ProfilePut) throws {
        try connection.run(
            "UPDATE profiles SET description = ?, config = ?, devices = ? WHERE name = ?",
            [.text(put.description), .text(JSONColumn.encode(put.config)), .text(JSONColumn.encode(put.devices)), .text(name)])
    }

    func renameProfile(from oldName: String, to newName: String) throws {
        try connection.run("UPDATE profiles SET name = ? WHERE name = ?", [.text(newName), .text(oldName)])
    }

    func deleteProfile(name: String) throws {
        try connection.run("DELETE FROM profiles WHERE name = ?", [.text(name)])
    }

    /// Names of the instances that use a profile.
    func instancesUsingProfile(_ name: String) throws -> [String] {
        try connection.query(
            """
            SELECT instances.name FROM instances
            JOIN instance_profiles ON instance_profiles.instance_id = instances.id
            JOIN profiles ON profiles.id = instance_profiles.profile_id
            WHERE profiles.name = ? ORDER BY instances.name
            """, [.text(name)]
        ).compactMap { $0.string("name") }
    }
}
