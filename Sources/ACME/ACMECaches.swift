import CACore
import CAStore
import Foundation

/// Accounts by id with their parsed keys, kept for a second: every request after newAccount names its
/// account, and reading and parsing it per request cost more than checking the signature. Changes made
/// here are applied at once (``forget(_:)``); changes by another node show within that second.
final class ACMEAccountCache: @unchecked Sendable {
    // @unchecked: `entries` is only touched under `lock`.
    struct Entry {
        let account: ACMEAccountRecord
        let key: JSONWebKey
        let readAt: Date
    }

    static let lifetime: TimeInterval = 1
    /// Beyond this many accounts the cache starts again empty, which bounds its memory.
    static let capacity = 10_000
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    func account(_ id: String, now: Date = Date(), read: () async throws -> ACMEAccountRecord?) async throws -> (ACMEAccountRecord, JSONWebKey)? {
        if let entry = lock.withLock({ entries[id] }), now.timeIntervalSince(entry.readAt) < Self.lifetime {
            return (entry.account, entry.key)
        }
        guard let account = try await read() else { return nil }
        let key = try ACMEService.key(of: account)
        lock.withLock {
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = Entry(account: account, key: key, readAt: now)
        }
        return (account, key)
    }

    func forget(_ id: String) {
        _ = lock.withLock { entries.removeValue(forKey: id) }
    }
}

/// The nonce mint, created once its secret has been read from (or first written to) the database.
final class ACMENonceMintHolder: @unchecked Sendable {
    // @unchecked: `mint` is only touched under `lock`.
    private let lock = NSLock()
    private var mint: ReplayNonceMint?

    func mint(read: () async throws -> String) async throws -> ReplayNonceMint {
        if let mint = lock.withLock({ mint }) { return mint }
        guard let secret = Base64URL.decode(try await read()), secret.count >= 32 else {
            throw ACMEProblem(.serverInternal, "the stored nonce secret cannot be read", status: 500)
        }
        let made = ReplayNonceMint(secret: secret)
        lock.withLock { mint = made }
        return made
    }
}
