import Foundation

/// Counts failed logins per user name and per source address. After `limit` failures within `window`
/// seconds, further attempts for that name or from that address are refused without checking the
/// password until the oldest failure ages out, which caps password guessing at `limit` tries per window
/// and keeps bcrypt from being used to load the server. Counts are kept per node: with N nodes an attacker
/// gets at most N × limit tries per window.
public final class LoginThrottle: Sendable {
    private let limit: Int
    private let window: TimeInterval
    private let failures = LockedDictionary<String, [Date]>()

    /// The message of a refused login; the wait also travels as a number (`CAError.retryAfterSeconds`).
    static func refusal(waitSeconds: Int) -> String {
        "too many failed logins; try again in \(waitSeconds) seconds"
    }

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `keys` may try again, or nil if they may try now.
    public func retryAfter(_ keys: [String], now: Date = Date()) -> TimeInterval? {
        var longest: TimeInterval?
        for key in keys {
            let recent = failures.update(key) { list in
                list = (list ?? []).filter { now.timeIntervalSince($0) < window }
                if list?.isEmpty == true { list = nil }
                return list ?? []
            }
            if recent.count >= limit, let oldest = recent.first {
                let wait = window - now.timeIntervalSince(oldest)
                longest = max(longest ?? 0, max(1, wait))
            }
        }
        return longest
    }

    public func recordFailure(_ keys: [String], now: Date = Date()) {
        for key in keys {
            _ = failures.update(key) { list in
                list = (list ?? []).filter { now.timeIntervalSince($0) < window } + [now]
                return list ?? []
            }
        }
    }

    /// A successful login clears the user name's count (not the address's: one right password must not
    /// reset a guessing run against other names).
    public func recordSuccess(_ key: String) {
        _ = failures.update(key) { list in
            list = nil
            return []
        }
    }
}

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
