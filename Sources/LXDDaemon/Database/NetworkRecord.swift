import LXDAPI
import LXDCore
import SQLite

/// A managed network row.
struct NetworkRecord: Sendable, Equatable {
    var id: Int64 = 0
    var name: String
    var type: String
    var description: String = ""
    var config: [String: String] = [:]

    var put: NetworkPut { NetworkPut(config: config, description: description) }
}

extension Database {
    private func networkRecord(_ row: Row) -> NetworkRecord {
        NetworkRecord(
            id: row.int64("id") ?? 0,
            name: row.string("name") ?? "",
            type: row.string("type") ?? "",
            description: row.string("description") ?? "",
            config: JSONColumn.decode([String: String].self, row.string("config"), default: [:]))
    }

    func networks() throws -> [NetworkRecord] {
        try connection.query("SELECT * FROM networks ORDER BY name").map(networkRecord)
    }

    func network(named name: String) throws -> NetworkRecord? {
        try connection.queryOne("SELECT * FROM networks WHERE name = ?", [.text(name)]).map(networkRecord)
    }

    func createNetwork(_ record: NetworkRecord) throws {
        try connection.transaction {
            if try connection.queryOne("SELECT id FROM networks WHERE name = ?", [.text(record.name)]) != nil {
                throw LXDError.badRequest("The network already exists")
            }
            try connection.run(
                "INSERT INTO networks (name, type, description, config) VALUES (?, ?, ?, ?)",
                [.text(record.name), .text(record.type), .text(record.description), .text(JSONColumn.encode(record.config))])
        }
    }

    func updateNetwork(name: String, put: NetworkPut) throws {
        try connection.run(
            "UPDATE networks SET description = ?, config = ? WHERE name = ?",
            [.text(put.description), .text(JSONColumn.encode(put.config)), .text(name)])
    }

    func renameNetwork(from oldName: String, to newName: String) throws {
        try connection.run("UPDATE networks SET name = ? WHERE name = ?", [.text(newName), .text(oldName)])
    }

    func deleteNetwork(name: String) throws {
        try connection.run("DELETE FROM networks WHERE name = ?", [.text(name)])
    }
}
