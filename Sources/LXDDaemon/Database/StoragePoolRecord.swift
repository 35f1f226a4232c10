import LXDAPI
import LXDCore
import SQLite

/// A storage pool row.
struct StoragePoolRecord: Sendable {
    var id: Int64 = 0
    var name: String
    var driver: String
    var description: String = ""
    var config: [String: String] = [:]
}

extension Database {
    private func poolRecord(_ row: Row) -> StoragePoolRecord {
        StoragePoolRecord(
            id: row.int64("id") ?? 0,
            name: row.string("name") ?? "",
            driver: row.string("driver") ?? "",
            description: row.string("description") ?? "",
            config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]))
    }

    func storagePools() throws -> [StoragePoolRecord] {
        try connection.query("SELECT * FROM storage_pools ORDER BY name").map(poolRecord)
    }

    func storagePool(named name: String) throws -> StoragePoolRecord? {
        try connection.queryOne("SELECT * FROM storage_pools WHERE name = ?", [.text(name)]).map(poolRecord)
    }

    func createStoragePool(_ record: StoragePoolRecord) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM storage_pools WHERE name = ?", [.text(record.name)]) != nil {
                throw LXDError.conflict("Storage pool \"\(record.name)\" already exists")
            }
            try connection.run(
                "INSERT INTO storage_pools (name, driver, description, config) VALUES (?, ?, ?, ?)",
                [.text(record.name), .text(record.driver), .text(record.description), .text(JSONColumn.encode(record.config))])
        }
    }

    func deleteStoragePool(name: String) throws {
        try connection.run("DELETE FROM storage_pools WHERE name = ?", [.text(name)])
    }

    // MARK: Server config

    func serverConfig() throws -> [String: String] {
        var config: [String: String] = [:]
        for row in try connection.query("SELECT key, value FROM config") {
            if let key = row.string("key") { config[key] = row.string("value") ?? "" }
        }
        return config
    }

    func setServerConfig(_ changes: [String: String?]) throws {
        try connection.transaction {
            for (key, value) in changes {
                if let value, !value.isEmpty {
                    try connection.run(
                        "INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [.text(key), .text(value)])
                } else {
                    try connection.run("DELETE FROM config WHERE key = ?", [.text(key)])
                }
            }
        }
    }
}
