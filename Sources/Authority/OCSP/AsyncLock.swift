import Foundation

/// Mutual exclusion for async code: one holder at a time, waiters resumed in order. A `Store` owns one
/// connection that must not be used by two tasks at once, and the server's request handlers are many tasks.
public final class AsyncLock: @unchecked Sendable {
    // @unchecked: `locked` and `waiters` are only touched under `state`.
    private let state = NSLock()
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func withLock<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let acquired: Bool = state.withLock {
            if locked { return false }
            locked = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let handedOver: Bool = state.withLock {
                // The holder may have released between the first check and now.
                if !locked {
                    locked = true
                    return true
                }
                waiters.append(continuation)
                return false
            }
            if handedOver { continuation.resume() }
        }
    }

    private func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock {
            if waiters.isEmpty {
                locked = false
                return nil
            }
            // Ownership passes straight to the next waiter; `locked` stays true.
            return waiters.removeFirst()
        }
        next?.resume()
    }
}
