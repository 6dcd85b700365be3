import CACore
import Foundation
import SQLKit
import CASQLite

/// The only code that touches the database, as a service that any number of tasks share: it owns its
/// connections and hands each transaction one of them, so callers never take turns by hand.
///
/// There are two ways in:
/// - `read { transaction in … }` runs on a reader connection inside one snapshot;
/// - `write { transaction in … }` runs on the one writer connection inside one transaction that is durable
///   when `write` returns. Concurrent writers share one commit (group commit, see `WriteQueue`).
///
/// The query methods live on `Transaction`, so a statement never runs outside the transaction of the closure
/// that issued it. SQL is written once over SQLKit and runs on SQLite (the embedded default; WAL, one writer
/// and several readers) and PostgreSQL (several nodes on one database; a pool, and one transaction-scoped
/// advisory lock that every write transaction takes first, so writers from all nodes form one order).
public final class Store: Sendable {
    public let dialect: Dialect
    let writer: WriteQueue
    private let readers: ReaderPool
    /// The SQLite file; nil on PostgreSQL.
    private let sqlitePath: String?

    public enum Dialect: Sendable {
        case sqlite, postgres
    }

    /// When a commit reaches the disk.
    public enum Durability: Sendable {
        /// Before the commit returns (SQLite's `synchronous=FULL`, PostgreSQL's `synchronous_commit=on`):
        /// certificates, revocations, CAs, everything a client is told has happened.
        case everyCommit
        /// With a later commit or checkpoint (`synchronous=NORMAL` in WAL mode, `synchronous_commit=off`): a
        /// power loss may forget the last commits but never corrupts the database. For records a client simply
        /// recreates, such as ACME nonces, orders and challenges, where an fsync per request would cap throughput.
        case deferred
    }

    private init(dialect: Dialect, writer: WriteQueue, readers: ReaderPool, sqlitePath: String? = nil) {
        self.dialect = dialect
        self.writer = writer
        self.readers = readers
        self.sqlitePath = sqlitePath
    }

    /// Connections a store opens at most for reading, besides its writer. They open when first needed, so a
    /// command that only writes opens one connection.
    public static let defaultReaderCount = 4

    /// Opens the database at `location` and applies pending migrations.
    public static func open(_ location: DatabaseLocation, readers: Int = defaultReaderCount) async throws -> Store {
        try await open(location, readers: readers, portableOnly: false)
    }

    static func open(_ location: DatabaseLocation, readers: Int, portableOnly: Bool) async throws -> Store {
        switch location {
        case .sqlite(let path):
            let writer = try await DatabaseConnection.openSQLite(path: path, reader: false, portableOnly: portableOnly)
            do {
                try await writer.onOwnThread { try await Migrations.apply(on: writer) }
            } catch {
                await writer.shutdown()
                throw error
            }
            return Store(
                dialect: .sqlite, writer: WriteQueue(connection: writer),
                readers: ReaderPool(limit: readers) {
                    try await DatabaseConnection.openSQLite(path: path, reader: true, portableOnly: portableOnly)
                }, sqlitePath: path)
        case .postgres(let postgres):
            let writer = try await openPostgres(postgres, migrating: true)
            return Store(
                dialect: .postgres, writer: WriteQueue(connection: writer),
                readers: ReaderPool(limit: readers) { try await openPostgres(postgres, migrating: false) })
        }
    }

    /// Runs `body` inside one snapshot of the database on a reader connection. Writing is refused.
    public func read<Result>(_ body: (Transaction) async throws -> Result) async throws -> Result {
        let connection = try await readers.acquire()
        var reusable = false
        defer { readers.release(connection, reusable: reusable) }
        return try await connection.onOwnThread {
            try await read(on: connection, reusable: &reusable, body)
        }
    }

    private func read<Result>(
        on connection: DatabaseConnection, reusable: inout Bool, _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        try await connection.reconnectIfClosed()
        let begin = dialect == .postgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"
        try await connection.execute(begin)
        let transaction = Transaction(connection: connection)
        defer { transaction.end() }
        do {
            let result = try await body(transaction)
            try await connection.execute("COMMIT")
            reusable = true
            return result
        } catch {
            // A connection whose rollback failed is in an unknown state: the pool closes it.
            do {
                try await connection.execute("ROLLBACK")
                reusable = true
            } catch {}
            throw error
        }
    }

    /// Runs `body` inside one write transaction: all of its changes are committed together or none is, and
    /// they are committed (and, with `.everyCommit`, on disk) when this returns. A failing `body` rolls back
    /// its own changes only, never those of a concurrent writer it shares a commit with.
    public func write<Result>(
        durability: Durability = .everyCommit, _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        try await writer.write(durability: durability, body)
    }

    /// Writes a consistent copy of the SQLite database to a new file at `path` with SQLite's online backup, on a
    /// connection of its own: writers on this store and in other processes carry on meanwhile. PostgreSQL databases
    /// are copied with `pg_dump`, which this refuses to replace.
    public func backupDatabase(into path: String) async throws {
        guard let sqlitePath else {
            throw CAError(.invalidInput, "a PostgreSQL database is backed up with pg_dump, not by swift-ca")
        }
        do {
            try await Task.detached {
                let source = try SQLiteHandle(path: sqlitePath)
                defer { source.close() }
                try source.backup(into: path)
            }.value
        } catch let error as SQLiteFailure {
            throw CAError(.storage, "the database could not be copied: \(error.message)")
        }
    }

    /// The newest schema migration this swift-ca knows: what a backup records, so that a restore can tell.
    public static var schemaVersion: Int { Migrations.all.last?.version ?? 0 }

    /// Closes every connection. Transactions still running fail.
    public func shutdown() async {
        await writer.shutdown()
        await readers.shutdown()
    }
}

extension Date {
    /// Timestamps are whole seconds since 1970 in a BIGINT column: portable and sortable.
    var storedSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(storedSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(storedSeconds)) }
}
