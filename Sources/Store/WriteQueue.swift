import CACore
import Foundation
import Synchronization

/// The writer connection and the order in which write transactions use it, with group commit.
///
/// Each `write` runs its body in the caller's own task (so task-local values such as the audit actor stay
/// with it). Writers queue for the connection; while one runs, those that arrive wait. When a writer's body
/// has finished and others are waiting, it does not commit: it hands the open transaction to the next writer
/// and waits for the commit that will hold its work. The last writer of such a batch commits for all of them,
/// so the durable commit (an fsync with SQLite, a WAL flush with PostgreSQL) is paid once per batch.
///
/// Every writer after the first in a batch runs inside a savepoint: if its body fails, only its own changes
/// roll back, and the writers before it still commit.
final class WriteQueue: Sendable {
    private let connection: DatabaseConnection
    private let state = Mutex(State())
    /// Bound one transaction's size and age, and so the wait of its first writer and how long the write lock
    /// (SQLite's, or PostgreSQL's advisory lock that every node's writers share) is held under a flood of writers.
    static let maximumBatch = 64
    static let maximumBatchAge = Duration.milliseconds(20)

    private struct State: ~Copyable {
        var busy = false
        /// Writers waiting for the connection, in arrival order; each is resumed with whether the store closed.
        var waiting: [Waiting] = []
        /// Whether a transaction is open on the connection, holding the work of `committing`.
        var transactionOpen = false
        /// Writers whose work is in the open transaction and who wait for its commit.
        var committing: [CheckedContinuation<Void, any Error>] = []
        /// Writers whose work is in the open transaction, including the one running now.
        var batchSize = 0
        /// When the open transaction began.
        var batchStarted = ContinuousClock.now
        /// Whether the open transaction's commit waits for the disk. Its first writer decides: SQLite cannot
        /// change `synchronous` inside a transaction, so a writer that needs the disk joins only such a batch.
        var batchSyncs = true
        var closed = false
        /// Commits made, for metrics and for tests of group commit.
        var commits = 0
    }

    private struct Waiting {
        let continuation: CheckedContinuation<Bool, Never>
        let durability: Store.Durability
    }

    init(connection: DatabaseConnection) {
        self.connection = connection
    }

    func write<Result>(durability: Store.Durability, _ body: (Transaction) async throws -> Result) async throws -> Result {
        try await acquire(durability)
        return try await connection.onOwnThread { try await writeHoldingConnection(durability: durability, body) }
    }

    private func writeHoldingConnection<Result>(
        durability: Store.Durability, _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        let joinsOpenTransaction = state.withLock { state in
            state.batchSize += 1
            return state.transactionOpen
        }
        if !joinsOpenTransaction {
            do {
                try await begin(syncing: durability == .everyCommit)
            } catch {
                state.withLock { $0.batchSize = 0 }
                releaseConnection()
                throw error
            }
            state.withLock { state in
                state.transactionOpen = true
                state.batchStarted = .now
                state.batchSyncs = durability == .everyCommit
            }
        }

        let transaction = Transaction(connection: connection)
        let outcome: Swift.Result<Result, any Error>
        var transactionBroken = false
        if joinsOpenTransaction {
            do {
                try await connection.execute("SAVEPOINT writer")
                do {
                    let value = try await body(transaction)
                    try await connection.execute("RELEASE SAVEPOINT writer")
                    outcome = .success(value)
                } catch {
                    outcome = .failure(error)
                    do {
                        try await connection.execute("ROLLBACK TO SAVEPOINT writer")
                        try await connection.execute("RELEASE SAVEPOINT writer")
                    } catch {
                        transactionBroken = true
                    }
                }
            } catch {
                outcome = .failure(error)
                transactionBroken = true
            }
            transaction.end()
            if case .failure = outcome { state.withLock { $0.batchSize -= 1 } }
        } else {
            do {
                outcome = .success(try await body(transaction))
            } catch {
                outcome = .failure(error)
                // The transaction holds this writer's work only: it all goes.
                transactionBroken = true
            }
            transaction.end()
        }

        if transactionBroken {
            await abandonTransaction(because: outcome.failureOrStorageError)
            return try outcome.get()
        }
        // Hand the open transaction on while others wait and the batch has room; else commit it.
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard let first = state.waiting.first, state.batchSize < Self.maximumBatch,
                ContinuousClock.now - state.batchStarted < Self.maximumBatchAge,
                state.batchSyncs || first.durability == .deferred
            else { return nil }
            return state.waiting.removeFirst().continuation
        }
        if let next {
            if case .failure(let error) = outcome {
                next.resume(returning: false)
                throw error
            }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { $0.committing.append(continuation) }
                next.resume(returning: false)
            }
            return try outcome.get()
        }
        let commitResult = await commitOpenTransaction()
        // A writer whose own body failed reports that, whatever became of the others' commit.
        let value = try outcome.get()
        try commitResult.get()
        return value
    }

    /// Waits until this writer holds the connection.
    private func acquire(_ durability: Store.Durability) async throws {
        let closed: Bool = await withCheckedContinuation { continuation in
            let resumeNow: Bool? = state.withLock { state in
                if state.closed { return true }
                if !state.busy {
                    state.busy = true
                    return false
                }
                state.waiting.append(Waiting(continuation: continuation, durability: durability))
                return nil
            }
            if let resumeNow { continuation.resume(returning: resumeNow) }
        }
        if closed { throw CAError(.storage, "the database is closed") }
    }

    /// Gives the connection (with no transaction open) to the next waiting writer, or marks it free.
    private func releaseConnection() {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume(returning: false)
    }

    private func begin(syncing: Bool) async throws {
        try await connection.reconnectIfClosed()
        switch connection.dialect {
        case .sqlite:
            if connection.synchronousFull != syncing {
                try await connection.execute(syncing ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL")
                connection.synchronousFull = syncing
            }
            try await connection.execute("BEGIN IMMEDIATE")
        case .postgres:
            try await connection.execute("BEGIN")
            do {
                if !syncing { try await connection.execute("SET LOCAL synchronous_commit = off") }
                // The same one-writer-at-a-time rule SQLite gives, across nodes: checks made inside a transaction
                // (is the serial free, is the CRL number the next one, is the order still ready) stay true until
                // it commits, on every node. Reads never wait for it.
                try await connection.execute("SELECT pg_advisory_xact_lock(\(Store.writerLockKey))")
            } catch {
                try? await connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Commits the open transaction for every writer in it, wakes them, and passes the connection on.
    private func commitOpenTransaction() async -> Swift.Result<Void, any Error> {
        let result: Swift.Result<Void, any Error>
        do {
            try await connection.execute("COMMIT")
            result = .success(())
        } catch {
            try? await connection.execute("ROLLBACK")
            result = .failure(error)
        }
        finishBatch(with: result)
        return result
    }

    /// After a failure that leaves the transaction unusable: rolls back, fails every writer whose work was in
    /// it, and passes the connection on.
    private func abandonTransaction(because error: any Error) async {
        try? await connection.execute("ROLLBACK")
        finishBatch(with: .failure(error))
    }

    /// Commits made so far: fewer than writes when concurrent writers shared them.
    var commitCount: Int { state.withLock { $0.commits } }

    /// Writers waiting for the connection now.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    private func finishBatch(with result: Swift.Result<Void, any Error>) {
        let committed = state.withLock { state in
            if case .success = result { state.commits += 1 }
            state.transactionOpen = false
            state.batchSize = 0
            defer { state.committing.removeAll() }
            return state.committing
        }
        for writer in committed { writer.resume(with: result) }
        releaseConnection()
    }

    func shutdown() async {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for writer in waiting { writer.continuation.resume(returning: true) }
        await connection.shutdown()
    }
}

extension Result {
    /// The error of a failure; a success here means the caller found the transaction broken without an error.
    fileprivate var failureOrStorageError: any Error {
        if case .failure(let error) = self { return error }
        return CAError(.storage, "the write transaction was lost")
    }
}

extension Store {
    /// The advisory lock key of write transactions on PostgreSQL ("swiftca" in ASCII).
    static let writerLockKey: Int64 = 0x73_77_69_66_74_63_61
}
