import Foundation
import LXDAPI
import LXDCore
import SQLite

/// The daemon's state in SQLite (`$LXD_DIR/database/swiftlxd.db`). An actor whose executor is
/// a dedicated thread: every query blocks that thread, never the cooperative pool.
actor Database {
    /// Our database file name; Debian's LXD keeps `local.db` and a dqlite `global/` beside it.
    static let fileName = "swiftlxd.db"

    private nonisolated let executor: ThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    // Isolated to the actor, hence to `executor`'s thread.
    let connection: Connection

    /// Opens (creating if needed) and migrates the database at `path` (":memory:" in tests).
    init(path: String) throws {
        executor = ThreadExecutor(name: "lxd-database")
        connection = try Connection(path: path)
        try connection.migrate(Schema.migrations)
    }
}

/// JSON columns (config and devices maps) in and out of SQLite text.
enum JSONColumn {
    static func encode(_ value: some Encodable) -> String {
        guard let data = try? LXDJSON.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, default defaultValue: T) -> T {
        guard let text, let value = try? LXDJSON.decode(type, from: Data(text.utf8)) else { return defaultValue }
        return value
    }
}
