import CACore
import Foundation
import Logging
import NIOCore
import SQLKit

/// Wraps a network connection's SQLDatabase so that a statement never waits on a connection that has
/// closed: when the connection closes (a restarted PostgreSQL, a dropped network, a terminated backend),
/// every statement still pending fails at once, and the store opens a new connection for the next one.
/// Without it, a statement queued in the instant the server dropped the connection was seen to wait forever,
/// and with it the periodic job that sent it.
struct ClosingConnectionGuard: SQLDatabase {
    let base: any SQLDatabase
    let pending: PendingStatements

    init(_ base: any SQLDatabase, closeFuture: EventLoopFuture<Void>) {
        self.base = base
        pending = PendingStatements()
        let pending = self.pending
        closeFuture.whenComplete { _ in pending.failAll() }
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = base.eventLoop.makePromise(of: Void.self)
        guard let ticket = pending.add(promise) else {
            promise.fail(CAError(.storage, "the database connection is closed"))
            return promise.futureResult
        }
        base.execute(sql: query, onRow).whenComplete { result in
            pending.complete(ticket, with: result)
        }
        return promise.futureResult
    }
}

/// The promises of statements in flight on one connection; each is completed exactly once, by its result
/// or by the connection closing, whichever comes first.
final class PendingStatements: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var promises: [Int: EventLoopPromise<Void>] = [:]
    private var nextTicket = 0
    private var closed = false

    /// nil once the connection closed.
    func add(_ promise: EventLoopPromise<Void>) -> Int? {
        lock.withLock {
            guard !closed else { return nil }
            nextTicket += 1
            promises[nextTicket] = promise
            return nextTicket
        }
    }

    func complete(_ ticket: Int, with result: Result<Void, any Error>) {
        guard let promise = lock.withLock({ promises.removeValue(forKey: ticket) }) else { return }
        promise.completeWith(result)
    }

    func failAll() {
        let waiting = lock.withLock {
            closed = true
            defer { promises.removeAll() }
            return Array(promises.values)
        }
        for promise in waiting { promise.fail(CAError(.storage, "the database connection closed")) }
    }
}
