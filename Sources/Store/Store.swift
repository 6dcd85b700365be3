import CACore
import Foundation
import Logging
import SQLKit
import SQLiteKit

/// The only code that touches the database. Front ends and the authority layer call these methods;
/// none of them writes SQL of its own.
///
/// SQL is written once over SQLKit and runs on SQLite (the embedded default) and PostgreSQL (several
/// nodes on one database). A `Store` owns one connection, and methods must not be called concurrently
/// from several tasks: the command line runs one operation per process, and concurrent writers are
/// serialised by the database: SQLite's write lock (`BEGIN IMMEDIATE` plus an unbounded busy handler),
/// or on PostgreSQL one transaction-scoped advisory lock that every write transaction takes first.
public final class Store: @unchecked Sendable {
    // @unchecked: the connection is only used from one task at a time (see above).
    private(set) var database: any SQLDatabase
    /// The SQLite connection itself, for the bulk insert that binds values without SQLKit's encoders.
    let sqlite: SQLiteConnection?
    public let dialect: Dialect
    private var close: @Sendable () async throws -> Void
    /// For a network database: whether the connection was lost, and how to open a new one.
    var reconnection: Reconnection?
    /// Statements inside a transaction must never move to a new connection, where they would commit alone.
    private var transactionDepth = 0

    public enum Dialect: Sendable {
        case sqlite, postgres
    }

    /// A fresh connection to the same database, replacing one the server or the network closed.
    struct Reconnection: Sendable {
        let isClosed: @Sendable () -> Bool
        let reopen: @Sendable () async throws -> (database: any SQLDatabase, reconnection: Reconnection, close: @Sendable () async throws -> Void)
    }

    init(
        database: any SQLDatabase, dialect: Dialect, sqlite: SQLiteConnection? = nil,
        close: @escaping @Sendable () async throws -> Void
    ) {
        self.database = database
        self.dialect = dialect
        self.sqlite = sqlite
        self.close = close
    }

    /// Opens a new connection if the database closed the old one (a restarted PostgreSQL, a dropped
    /// network), so that a long-running server node recovers by itself. Never inside a transaction: that
    /// transaction fails, and the next statement after it gets the new connection.
    private func reconnectIfClosed() async throws {
        guard let reconnection, transactionDepth == 0, reconnection.isClosed() else { return }
        do {
            let fresh = try await reconnection.reopen()
            try? await close()
            database = fresh.database
            close = fresh.close
            self.reconnection = fresh.reconnection
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.storage, "the database connection was lost and cannot be opened again: \(Self.describe(error))")
        }
    }

    /// When a commit reaches the disk.
    public enum Durability: Sendable {
        /// Before the commit returns (`synchronous=FULL`): certificates, revocations, CAs.
        case everyCommit
        /// With a later commit or checkpoint (`synchronous=NORMAL` in WAL mode): a power loss may forget
        /// the last commits but never corrupts the database. For records a client can simply recreate,
        /// such as ACME nonces, orders and challenges, where an fsync per request would cap throughput.
        case deferred
    }

    /// Opens the database at `location` and applies pending migrations.
    public static func open(_ location: DatabaseLocation, durability: Durability = .everyCommit) async throws -> Store {
        switch location {
        case .sqlite(let path): return try await openSQLite(path: path, durability: durability)
        case .postgres(let postgres): return try await openPostgres(postgres, durability: durability)
        }
    }

    /// Opens (creating if needed) the SQLite database at `path` and applies pending migrations.
    public static func openSQLite(path: String, durability: Durability = .everyCommit) async throws -> Store {
        var logger = Logger(label: "swift-ca.store")
        logger.logLevel = .critical
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw CAError(.storage, "cannot open the database \(path): \(error)")
        }
        let store = Store(database: connection.sql(), dialect: .sqlite, sqlite: connection) { try await connection.close() }
        do {
            // WAL lets readers (list, view, the OCSP responder) run while a writer holds the lock;
            // synchronous=FULL makes a commit durable before we report success.
            try await store.database.raw("PRAGMA journal_mode=WAL").run()
            try await store.database.raw(durability == .everyCommit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL").run()
            try await store.database.raw("PRAGMA foreign_keys=ON").run()
            // A 64 MiB page cache keeps bulk inserts and 100k-row listings from re-reading pages.
            try await store.database.raw("PRAGMA cache_size=-65536").run()
            try await Migrations.apply(to: store)
        } catch let error as CAError {
            try? await connection.close()
            throw error
        } catch {
            try? await connection.close()
            throw CAError(.storage, "cannot prepare the database \(path): \(error)")
        }
        return store
    }

    public func shutdown() async {
        try? await close()
    }

    /// Runs `body` inside one write transaction: all of its changes are committed together or none is.
    public func transaction<Result: Sendable>(
        _ body: @Sendable () async throws -> Result
    ) async throws -> Result {
        try await reconnectIfClosed()
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        switch dialect {
        case .sqlite:
            try await execute("BEGIN IMMEDIATE")
        case .postgres:
            try await execute("BEGIN")
            do {
                // The same one-writer-at-a-time rule SQLite gives: checks made inside a transaction (is the
                // serial free, is the CRL number the next one, is the order still ready) stay true until it
                // commits, on every node. Reads never wait for it.
                try await execute("SELECT pg_advisory_xact_lock(\(Self.writerLockKey))")
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
        do {
            let result = try await body()
            try await execute("COMMIT")
            return result
        } catch {
            try? await database.raw("ROLLBACK").run()
            throw error
        }
    }

    /// The advisory lock key of write transactions on PostgreSQL ("swiftca" in ASCII).
    static let writerLockKey: Int64 = 0x73_77_69_66_74_63_61

    func execute(_ statement: String) async throws {
        try await run { try await self.database.raw(SQLQueryString(statement)).run() }
    }

    /// Maps driver errors to a CAError so that no raw SQLite message reaches a user without context.
    func run<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            try await reconnectIfClosed()
            return try await operation()
        } catch let error as CAError {
            throw error
        } catch where Self.isUnstorableText(error) {
            // PostgreSQL's text cannot hold NUL; that is bad input from the user, not a failing database.
            throw CAError(.invalidInput, "text containing a NUL character cannot be stored")
        } catch {
            throw CAError(.storage, "database error: \(Self.describe(error))")
        }
    }
}

extension Date {
    /// Timestamps are whole seconds since 1970 in a BIGINT column: portable and sortable.
    var storedSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(storedSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(storedSeconds)) }
}
