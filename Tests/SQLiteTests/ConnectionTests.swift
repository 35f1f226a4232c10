import Testing

@testable import SQLite

@Suite struct ConnectionTests {
    private func openMigrated() throws -> Connection {
        let connection = try Connection(path: ":memory:")
        try connection.migrate([
            Migration(version: 1, sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER)"),
            Migration(version: 2, sql: "ALTER TABLE items ADD COLUMN note TEXT"),
        ])
        return connection
    }

    @Test func migrationsRunOnceInOrder() throws {
        let connection = try openMigrated()
        #expect(connection.userVersion == 2)
        // Running them again changes nothing (ALTER would fail if re-applied).
        try connection.migrate([
            Migration(version: 1, sql: "CREATE TABLE items (id INTEGER)"),
            Migration(version: 2, sql: "ALTER TABLE items ADD COLUMN note TEXT"),
        ])
        #expect(connection.userVersion == 2)
    }

    /// A migration numbered below the highest one applied still runs once (branches that
    /// landed in another order), and a database from before the tracking table keeps what its
    /// `user_version` says it has.
    @Test func lowerNumberedMigrationLandingLateStillRuns() throws {
        let connection = try openMigrated()
        try connection.migrate([
            Migration(version: 1, sql: "CREATE TABLE items (id INTEGER)"),
            Migration(version: 2, sql: "ALTER TABLE items ADD COLUMN note TEXT"),
            Migration(version: 30, sql: "CREATE TABLE later (id INTEGER)"),
        ])
        try connection.migrate([
            Migration(version: 1, sql: "CREATE TABLE items (id INTEGER)"),
            Migration(version: 2, sql: "ALTER TABLE items ADD COLUMN note TEXT"),
            Migration(version: 10, sql: "CREATE TABLE landed_late (id INTEGER)"),
            Migration(version: 30, sql: "CREATE TABLE later (id INTEGER)"),
        ])
        #expect(try connection.queryOne("SELECT name FROM sqlite_master WHERE name = 'landed_late'") != nil)
        #expect(connection.userVersion == 30)

        let legacy = try Connection(path: ":memory:")
        try legacy.execute("CREATE TABLE items (id INTEGER); PRAGMA user_version = 2")
        try legacy.migrate([
            Migration(version: 1, sql: "CREATE TABLE items (id INTEGER)"),
            Migration(version: 2, sql: "ALTER TABLE items ADD COLUMN note TEXT"),
            Migration(version: 3, sql: "ALTER TABLE items ADD COLUMN size INTEGER"),
        ])
        try legacy.run("INSERT INTO items (id, size) VALUES (1, 2)")
        #expect(legacy.userVersion == 3)
    }

    @Test func bindsAndReadsEveryType() throws {
        let connection = try openMigrated()
        try connection.run("INSERT INTO items (name, size, note) VALUES (?, ?, ?)", [.text("a'b\"c"), .integer(42), .null])
        let row = try #require(try connection.queryOne("SELECT id, name, size, note FROM items WHERE name = ?", [.text("a'b\"c")]))
        #expect(row.string("name") == "a'b\"c")
        #expect(row.int64("size") == 42)
        #expect(row.string("note") == nil)
        #expect(row.int64("id") == connection.lastInsertRowID)
    }

    @Test func failedTransactionRollsBack() throws {
        let connection = try openMigrated()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction {
                try connection.run("INSERT INTO items (name) VALUES ('x')")
                throw Abort()
            }
        }
        #expect(try connection.query("SELECT * FROM items").isEmpty)
    }

    @Test func nestedTransactionRollsBackInnerOnly() throws {
        let connection = try openMigrated()
        struct Abort: Error {}
        try connection.transaction {
            try connection.run("INSERT INTO items (name) VALUES ('outer')")
            _ = try? connection.transaction {
                try connection.run("INSERT INTO items (name) VALUES ('inner')")
                throw Abort()
            }
        }
        #expect(try connection.query("SELECT name FROM items").compactMap { $0.string("name") } == ["outer"])
    }

    @Test func uniqueViolationIsReported() throws {
        let connection = try openMigrated()
        try connection.run("INSERT INTO items (name) VALUES ('dup')")
        do {
            try connection.run("INSERT INTO items (name) VALUES ('dup')")
            Issue.record("duplicate insert succeeded")
        } catch let error as SQLiteError {
            #expect(error.isConstraintViolation)
            #expect(error.message.contains("UNIQUE"))
        }
    }
}
