internal import CSQLite3

/// A value as SQLite stores it.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case float(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// One connection to an SQLite file through the system's libsqlite3, used synchronously by the one thread that
/// runs its transaction (see `DatabaseThread`). Statements are prepared once per connection and kept, so a
/// statement that repeats (every one swift-ca issues, with its values bound) is parsed and planned once.
public final class SQLiteHandle: @unchecked Sendable {
    // @unchecked: the store lends a connection to one transaction at a time, and SQLite is opened without its
    // own mutex (SQLITE_OPEN_NOMUTEX) for that reason.
    private var database: OpaquePointer?
    private var statements: [String: PreparedStatement] = [:]
    /// Bounds the cache should a caller ever build statements with values in their text.
    private static let maximumCachedStatements = 256

    private struct PreparedStatement {
        let handle: OpaquePointer
        let columnNames: [String]
    }

    public init(path: String) throws {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw SQLiteFailure(code: status, message: message)
        }
        database = opened
        sqlite3_extended_result_codes(opened, 1)
        // Writers of other processes (a `sign-cert` beside `serve`) hold the lock for one transaction: wait for it.
        sqlite3_busy_timeout(opened, Int32.max)
        _ = csqlite3_skip_checkpoint_on_close(opened)
    }

    deinit {
        close()
    }

    public func close() {
        for statement in statements.values { sqlite3_finalize(statement.handle) }
        statements.removeAll()
        if let database { sqlite3_close_v2(database) }
        database = nil
    }

    /// Runs one statement with `binds` for its `?` parameters, handing each result row to `onRow`.
    public func query(_ sql: String, _ binds: [SQLiteValue], _ onRow: (SQLiteValues) throws -> Void) throws {
        let statement = try prepared(sql)
        try step(statement, binds) { try onRow(SQLiteValues(names: statement.columnNames, values: Self.columns(of: statement))) }
    }

    /// Runs one statement and hands each row to `onRow` as a view of SQLite's own buffers: nothing is copied or
    /// allocated per row, for queries that stream a million rows (CRLs). The view is valid only during the call.
    public func forEachRow(_ sql: String, _ binds: [SQLiteValue], _ onRow: (SQLiteRowView) throws -> Void) throws {
        let statement = try prepared(sql)
        try step(statement, binds) { try onRow(SQLiteRowView(statement: statement.handle)) }
    }

    /// Binds, steps through every row calling `onRow`, and leaves the cached statement reset for its next use.
    private func step(_ statement: PreparedStatement, _ binds: [SQLiteValue], _ onRow: () throws -> Void) throws {
        defer {
            sqlite3_reset(statement.handle)
            sqlite3_clear_bindings(statement.handle)
        }
        for (index, value) in binds.enumerated() {
            try bind(value, at: Int32(index + 1), in: statement.handle)
        }
        while true {
            let status = sqlite3_step(statement.handle)
            switch status {
            case SQLITE_ROW: try onRow()
            case SQLITE_DONE: return
            default: throw failure(status)
            }
        }
    }

    /// Copies the whole database into a new file at `path` with SQLite's online backup, in one step: the copy is one
    /// read transaction, a consistent snapshot, while writers on other connections carry on (WAL). The copy is left
    /// in rollback-journal mode, one self-contained file.
    public func backup(into path: String) throws {
        guard let database else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        let destination = try SQLiteHandle(path: path)
        defer { destination.close() }
        guard let target = destination.database,
            let backup = sqlite3_backup_init(target, "main", database, "main")
        else {
            throw destination.failure(sqlite3_errcode(destination.database))
        }
        let stepped = sqlite3_backup_step(backup, -1)
        let finished = sqlite3_backup_finish(backup)
        guard stepped == SQLITE_DONE else { throw SQLiteFailure(code: stepped, message: String(cString: sqlite3_errstr(stepped))) }
        guard finished == SQLITE_OK else { throw destination.failure(finished) }
        try destination.query("PRAGMA journal_mode=DELETE", []) { _ in }
    }

    private func prepared(_ sql: String) throws -> PreparedStatement {
        if let cached = statements[sql] { return cached }
        guard let database else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        var handle: OpaquePointer?
        let status = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard status == SQLITE_OK, let handle else { throw failure(status) }
        let names = (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
        if statements.count >= Self.maximumCachedStatements {
            for statement in statements.values { sqlite3_finalize(statement.handle) }
            statements.removeAll()
        }
        let statement = PreparedStatement(handle: handle, columnNames: names)
        statements[sql] = statement
        return statement
    }

    private func bind(_ value: SQLiteValue, at index: Int32, in statement: OpaquePointer) throws {
        let status: Int32
        switch value {
        case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
        case .float(let number): status = sqlite3_bind_double(statement, index, number)
        case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, csqlite3_transient())
        case .blob(let bytes):
            status = bytes.withUnsafeBytes { bytes in
                // An empty blob has no base address; bound as such it would be NULL.
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
                return sqlite3_bind_blob(statement, index, base, Int32(bytes.count), csqlite3_transient())
            }
        case .null: status = sqlite3_bind_null(statement, index)
        }
        guard status == SQLITE_OK else { throw failure(status) }
    }

    private static func columns(of statement: PreparedStatement) -> [SQLiteValue] {
        let handle = statement.handle
        return (0..<Int32(statement.columnNames.count)).map { column in
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(handle, column))
            case SQLITE_FLOAT:
                return .float(sqlite3_column_double(handle, column))
            case SQLITE_TEXT:
                let count = Int(sqlite3_column_bytes(handle, column))
                guard let text = sqlite3_column_text(handle, column) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(handle, column))
                guard let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
                return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
            default:
                return .null
            }
        }
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
        return SQLiteFailure(code: status, message: message)
    }
}

/// The current row of a statement, read in place by column position. Use it only inside the `forEachRow` call that
/// gave it: the next step of the statement changes what it reads.
public struct SQLiteRowView {
    fileprivate let statement: OpaquePointer

    /// The column's integer; nil when it is NULL.
    public func integer(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    /// Calls `body` with the column's UTF-8 text, in SQLite's buffer; nil when it is NULL.
    public func withText<Result>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result) rethrows -> Result {
        guard let text = sqlite3_column_text(statement, column) else { return try body(nil) }
        return try body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))))
    }
}

/// One result row: its values by column position, found by name.
public struct SQLiteValues: Sendable {
    public let names: [String]
    public let values: [SQLiteValue]

    public func column(_ name: String) -> SQLiteValue? {
        names.firstIndex(of: name).map { values[$0] }
    }
}

/// An error SQLite reported, with its extended result code and message.
public struct SQLiteFailure: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension SQLiteValue {
    public var integer: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    public var string: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}
