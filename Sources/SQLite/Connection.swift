import CSQLite
import CShim

/// A value bound to or read from a statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
    public init(_ value: Int) { self = .integer(Int64(value)) }
}

/// One result row, by column name.
public struct Row: Sendable {
    public let columns: [String: SQLValue]

    public func string(_ name: String) -> String? {
        switch columns[name] {
        case .text(let text): text
        case .integer(let value): String(value)
        case .real(let value): String(value)
        default: nil
        }
    }

    public func int64(_ name: String) -> Int64? {
        switch columns[name] {
        case .integer(let value): value
        case .text(let text): Int64(text)
        case .real(let value): Int64(value)
        default: nil
        }
    }

    public func bool(_ name: String) -> Bool { (int64(name) ?? 0) != 0 }
}

/// A numbered schema step; `Connection.migrate` applies each one the database has not recorded.
public struct Migration: Sendable {
    public let version: Int
    public let sql: String

    public init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }
}

/// SQLite's result code and message, with the statement that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String

    public var description: String { message }
    /// A UNIQUE or PRIMARY KEY constraint failed (LXD maps these to 409).
    public var isConstraintViolation: Bool { code & 0xff == SQLITE_CONSTRAINT }
}

/// An open database. Not thread-safe: the daemon confines it to the `Database` actor's thread.
public final class Connection {
    private let handle: OpaquePointer
    private var statementCache: [String: OpaquePointer] = [:]
    private var transactionDepth = 0

    /// Opens or creates `path` (":memory:" for tests) in WAL mode with foreign keys on.
    public init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw SQLiteError(code: status, message: "Failed opening database \"\(path)\": \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
        try execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
    }

    deinit {
        for statement in statementCache.values { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    /// Runs one or more statements without parameters or results.
    public func execute(_ sql: String) throws {
        var errorText: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorText)
        if status != SQLITE_OK {
            let message = errorText.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorText)
            throw SQLiteError(code: status, message: message)
        }
    }

    /// Runs a statement that returns no rows.
    public func run(_ sql: String, _ parameters: [SQLValue] = []) throws {
        _ = try query(sql, parameters)
    }

    /// Runs a statement and collects its rows.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [Row] {
        let statement = try prepare(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(parameters, to: statement)
        var rows: [Row] = []
        let count = sqlite3_column_count(statement)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status) }
            var columns: [String: SQLValue] = [:]
            for index in 0..<count {
                let name = String(cString: sqlite3_column_name(statement, index))
                columns[name] = value(statement, index)
            }
            rows.append(Row(columns: columns))
        }
        return rows
    }

    public func queryOne(_ sql: String, _ parameters: [SQLValue] = []) throws -> Row? {
        try query(sql, parameters).first
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in a transaction (a savepoint when nested): committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let savepoint = "sp\(transactionDepth)"
        try execute(transactionDepth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        do {
            let result = try body()
            transactionDepth -= 1
            try execute(transactionDepth == 0 ? "COMMIT" : "RELEASE \(savepoint)")
            return result
        } catch {
            transactionDepth -= 1
            if transactionDepth == 0 {
                try? execute("ROLLBACK")
            } else {
                try? execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
            }
            throw error
        }
    }

    /// Applies every migration the database has not had yet, in version order, each in its own
    /// transaction. Applied versions are recorded one by one (`schema_migrations`), so that a
    /// migration numbered below one already applied (branches landing in another order) still
    /// runs; a database from before that table counts every version up to its `user_version`.
    public func migrate(_ migrations: [Migration]) throws {
        let hasTable = try queryOne("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") != nil
        let legacyVersion = try queryOne("PRAGMA user_version")?.int64("user_version") ?? 0
        try transaction {
            try execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            if !hasTable {
                for migration in migrations where Int64(migration.version) <= legacyVersion {
                    try run("INSERT OR IGNORE INTO schema_migrations (version) VALUES (?)", [.integer(Int64(migration.version))])
                }
            }
        }
        let applied = Set(try query("SELECT version FROM schema_migrations").compactMap { $0.int64("version") })
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(Int64(migration.version)) {
            try transaction {
                try execute(migration.sql)
                try run("INSERT INTO schema_migrations (version) VALUES (?)", [.integer(Int64(migration.version))])
                let highest = max(Int64(migration.version), try queryOne("PRAGMA user_version")?.int64("user_version") ?? 0)
                try execute("PRAGMA user_version = \(highest)")
            }
        }
    }

    public var userVersion: Int64 { (try? queryOne("PRAGMA user_version")?.int64("user_version")) ?? 0 }

    private func prepare(_ sql: String) throws -> OpaquePointer {
        if let cached = statementCache[sql] { return cached }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        statementCache[sql] = statement
        return statement
    }

    private func bind(_ parameters: [SQLValue], to statement: OpaquePointer) throws {
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch parameter {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let value): status = sqlite3_bind_int64(statement, index, value)
            case .real(let value): status = sqlite3_bind_double(statement, index, value)
            case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, lxd_sqlite_transient())
            case .blob(let bytes):
                status = bytes.withUnsafeBytes {
                    sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), lxd_sqlite_transient())
                }
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
    }

    private func value(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, index) else { return .text("") }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard let bytes = sqlite3_column_blob(statement, index), count > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    private func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }
}

@available(*, unavailable)
extension Connection: Sendable {}
