import CAStore
import Foundation

/// Coalesces the commits of concurrent signatures into one transaction, so that the database's durable
/// commit (an fsync with SQLite's synchronous=FULL, a WAL flush on PostgreSQL) is paid once per batch
/// instead of once per certificate. Callers wait until the commit that holds their work has finished.
///
/// One drainer at a time takes everything queued so far, waits for its turn on the connection and commits
/// it; work that arrives meanwhile forms the next batch. If a batch fails, each of its parts is committed
/// alone, so that one bad request (a duplicate, a refused order) fails only itself.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: `queue` and `draining` are only touched under `state`.
    typealias Work = @Sendable () async throws -> Void

    private struct Waiting: Sendable {
        let work: Work
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let state = NSLock()
    private var queue: [Waiting] = []
    private var draining = false
    /// Bounds one transaction's size (and the wait of its first caller) under a flood of requests.
    static let maximumBatch = 512

    func commit(_ work: @escaping Work, store: Store, turns: AsyncLock) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startsDrainer: Bool = state.withLock {
                queue.append(Waiting(work: work, continuation: continuation))
                if draining { return false }
                draining = true
                return true
            }
            // Detached: the drainer serves every caller, so it must not carry the first one's task-locals.
            if startsDrainer { Task.detached { await self.drain(store: store, turns: turns) } }
        }
    }

    private func drain(store: Store, turns: AsyncLock) async {
        while let batch = nextBatch() {
            do {
                try await turns.withLock { await Self.commit(batch, store: store) }
            } catch {
                // withLock rethrows only what its body throws, and the body resumes every caller itself.
            }
        }
    }

    private func nextBatch() -> [Waiting]? {
        state.withLock {
            guard !queue.isEmpty else {
                draining = false
                return nil
            }
            let batch = Array(queue.prefix(Self.maximumBatch))
            queue.removeFirst(batch.count)
            return batch
        }
    }

    private static func commit(_ batch: [Waiting], store: Store) async {
        do {
            try await store.transaction { for waiting in batch { try await waiting.work() } }
            for waiting in batch { waiting.continuation.resume() }
        } catch {
            guard batch.count > 1 else {
                batch[0].continuation.resume(throwing: error)
                return
            }
            for waiting in batch {
                do {
                    try await store.transaction { try await waiting.work() }
                    waiting.continuation.resume()
                } catch {
                    waiting.continuation.resume(throwing: error)
                }
            }
        }
    }
}
