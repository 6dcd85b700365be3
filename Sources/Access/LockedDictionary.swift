import Foundation

/// A dictionary behind a lock, for small caches shared by request handlers.
final class LockedDictionary<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = NSLock()

    func update<Result>(_ key: Key, _ body: (inout Value?) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&values[key])
    }

    func removeAll(where shouldRemove: (Key, Value) -> Bool) {
        lock.lock()
        defer { lock.unlock() }
        values = values.filter { !shouldRemove($0.key, $0.value) }
    }
}
