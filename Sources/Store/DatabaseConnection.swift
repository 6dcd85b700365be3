import CACore
import CASQLite
import Foundation
import Logging
import PostgresNIO
import SQLKit
import SQLiteKit

/// One connection to the database. Only `Store` holds connections, and it lends each to one transaction at
/// a time, so nothing here guards against concurrent use.
final class DatabaseConnection: @unchecked Sendable {
    // @unchecked: the store lends a connection to one transaction at a time (see WriteQueue, ReaderPool).
    private(set) var database: any SQLDatabase
    /// The SQLite connection itself, for the statements that bind and read values without SQLKit's Codable.
    let sqlite: SQLiteHandle?
    /// The PostgreSQL connection itself, for the listings that read rows without SQLKit's Codable.
    private(set) var postgres: PostgresConnection?
    /// The thread every transaction on an SQLite connection runs on; nil for PostgreSQL, whose driver is asynchronous.
    let thread: DatabaseThread?
    let dialect: Store.Dialect
    private var close: @Sendable () async throws -> Void
    /// For a network database: whether the connection was lost, and how to open a new one.
    var reconnection: Reconnection?
    /// SQLite's `synchronous` setting this connection has now, so that it changes only when a batch needs it.
    var synchronousFull = true

    /// A fresh connection to the same database, replacing one the server or the network closed.
    struct Reconnection: Sendable {
        let isClosed: @Sendable () -> Bool
        let reopen: @Sendable () async throws -> (
            database: any SQLDatabase, postgres: PostgresConnection, reconnection: Reconnection, close: @Sendable () async throws -> Void
        )
    }

    init(
        database: any SQLDatabase, dialect: Store.Dialect, sqlite: SQLiteHandle? = nil, postgres: PostgresConnection? = nil,
        thread: DatabaseThread? = nil, close: @escaping @Sendable () async throws -> Void
    ) {
        self.database = database
        self.postgres = postgres
        self.dialect = dialect
        self.sqlite = sqlite
        self.thread = thread
        self.close = close
    }

    /// Runs `body` on this connection's thread (SQLite), or where the caller runs (PostgreSQL): one hop per
    /// transaction, none per statement.
    func onOwnThread<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(thread, operation: body)
    }

    /// Opens a new connection if the database closed the old one (a restarted PostgreSQL, a dropped
    /// network), so that a long-running server node recovers by itself. Called only between transactions:
    /// a transaction whose connection was lost fails, and the next one gets the new connection.
    func reconnectIfClosed() async throws {
        guard let reconnection, reconnection.isClosed() else { return }
        do {
            let fresh = try await reconnection.reopen()
            try? await close()
            database = fresh.database
            postgres = fresh.postgres
            close = fresh.close
            self.reconnection = fresh.reconnection
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.storage, "the database connection was lost and cannot be opened again: \(Store.describe(error))")
        }
    }

    func shutdown() async {
        try? await close()
    }

    func execute(_ statement: String) async throws {
        try await run { try await self.database.raw(SQLQueryString(statement)).run() }
    }

    /// Maps driver errors to a CAError so that no raw SQLite message reaches a user without context.
    func run<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as CAError {
            throw error
        } catch where Store.isUnstorableText(error) {
            // PostgreSQL's text cannot hold NUL; that is bad input from the user, not a failing database.
            throw CAError(.invalidInput, "text containing a NUL character cannot be stored")
        } catch {
            throw CAError(.storage, "database error: \(Store.describe(error))")
        }
    }

    /// Opens (creating if needed) the SQLite database at `path`. A reader connection refuses writes, so that a
    /// statement that writes inside `Store.read` fails instead of committing outside the writer's order.
    /// `portableOnly` hides the SQLite connection from the queries that use it directly, so that tests can check
    /// that their portable SQLKit path writes and reads the same rows.
    static func openSQLite(path: String, reader: Bool, portableOnly: Bool = false) async throws -> DatabaseConnection {
        var logger = Logger(label: "swift-ca.store")
        logger.logLevel = .critical
        let handle: SQLiteHandle
        do {
            handle = try SQLiteHandle(path: path)
        } catch {
            throw CAError(.storage, "cannot open the database \(path): \(error)")
        }
        let thread = DatabaseThread(name: reader ? "swift-ca sqlite reader" : "swift-ca sqlite writer")
        let opened = DatabaseConnection(
            database: SQLiteSQLDatabase(handle: handle, logger: logger), dialect: .sqlite, sqlite: portableOnly ? nil : handle,
            thread: thread
        ) {
            handle.close()
            thread.stop()
        }
        do {
            // WAL lets readers (list, view, the OCSP responder) run while the writer commits; synchronous=FULL
            // makes a commit durable before the store reports success; a 64 MiB page cache keeps bulk inserts and
            // 100k-row listings from re-reading pages. A reader refuses writes (query_only).
            let setup = reader
                ? ["PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536", "PRAGMA query_only=ON"]
                : ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536"]
            try await opened.onOwnThread {
                for pragma in setup { try await opened.execute(pragma) }
            }
        } catch {
            await opened.shutdown()
            if let error = error as? CAError { throw error }
            throw CAError(.storage, "cannot prepare the database \(path): \(error)")
        }
        return opened
    }
}
