import CACore
import Foundation
import Synchronization

/// Reader connections, opened when first needed up to `limit`, each lent to one `Store.read` at a time.
final class ReaderPool: Sendable {
    private let limit: Int
    private let openConnection: @Sendable () async throws -> DatabaseConnection
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var idle: [DatabaseConnection] = []
        /// Connections open or being opened.
        var count = 0
        var waiting: [CheckedContinuation<DatabaseConnection?, Never>] = []
        var closed = false
    }

    init(limit: Int, open: @escaping @Sendable () async throws -> DatabaseConnection) {
        self.limit = max(1, limit)
        self.openConnection = open
    }

    private enum Grant {
        case connection(DatabaseConnection)
        case openNew
        case wait
        case closed
    }

    func acquire() async throws -> DatabaseConnection {
        let grant: Grant = state.withLock { state in
            if state.closed { return .closed }
            if let connection = state.idle.popLast() { return .connection(connection) }
            if state.count < limit {
                state.count += 1
                return .openNew
            }
            return .wait
        }
        switch grant {
        case .connection(let connection):
            return connection
        case .openNew:
            do {
                return try await openConnection()
            } catch {
                state.withLock { $0.count -= 1 }
                throw error
            }
        case .closed:
            throw CAError(.storage, "the database is closed")
        case .wait:
            let handed: DatabaseConnection? = await withCheckedContinuation { continuation in
                let immediate: DatabaseConnection?? = state.withLock { state in
                    if state.closed { return .some(nil) }
                    if let connection = state.idle.popLast() { return .some(connection) }
                    state.waiting.append(continuation)
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
            guard let handed else { throw CAError(.storage, "the database is closed") }
            return handed
        }
    }

    /// Returns a connection; one that is not `reusable` (its state is unknown after a failure) is closed.
    func release(_ connection: DatabaseConnection, reusable: Bool) {
        enum Next {
            case handTo(CheckedContinuation<DatabaseConnection?, Never>)
            case kept
            case close
        }
        let next: Next = state.withLock { state in
            if state.closed || !reusable {
                state.count -= 1
                return .close
            }
            if !state.waiting.isEmpty { return .handTo(state.waiting.removeFirst()) }
            state.idle.append(connection)
            return .kept
        }
        switch next {
        case .handTo(let waiter): waiter.resume(returning: connection)
        case .kept: break
        case .close: Task { await connection.shutdown() }
        }
        // A closed connection leaves room: a waiter opens its own.
        if case .close = next, !reusable { wakeOneWaiterToOpen() }
    }

    private func wakeOneWaiterToOpen() {
        // Waiters are resumed with a connection only; one left waiting after a close gets the next release.
        // To keep it from waiting forever when nothing else is running, open a replacement for it now.
        let waiter: CheckedContinuation<DatabaseConnection?, Never>? = state.withLock { state in
            guard !state.closed, !state.waiting.isEmpty, state.count < limit else { return nil }
            state.count += 1
            return state.waiting.removeFirst()
        }
        guard let waiter else { return }
        Task {
            do {
                waiter.resume(returning: try await openConnection())
            } catch {
                state.withLock { $0.count -= 1 }
                waiter.resume(returning: nil)
            }
        }
    }

    func shutdown() async {
        let (idle, waiting) = state.withLock { state in
            state.closed = true
            defer {
                state.idle.removeAll()
                state.waiting.removeAll()
            }
            return (state.idle, state.waiting)
        }
        for waiter in waiting { waiter.resume(returning: nil) }
        for connection in idle { await connection.shutdown() }
    }
}
