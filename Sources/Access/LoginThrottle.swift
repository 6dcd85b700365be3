import CACore
import CAStore
import Foundation

/// Counts login attempts per user name and per source address in the database, so that every node of an
/// installation counts the same attempts. After `limit` failures within `window` seconds, further attempts
/// for that name or from that address are refused without checking the password until the oldest failure
/// ages out: that caps password guessing at `limit` tries per window for the whole installation, and keeps
/// bcrypt from being used to load the server.
public struct LoginThrottle: Sendable {
    let store: Store
    let limit: Int
    let window: TimeInterval

    /// An attempt that has been counted; a successful login takes it back.
    public struct Attempt: Sendable {
        let rowIDs: [Int64]
        let userKey: String
    }

    /// The message of a refused login; the wait also travels as a number (`CAError.retryAfterSeconds`).
    static func refusal(waitSeconds: Int) -> String {
        "too many failed logins; try again in \(waitSeconds) seconds"
    }

    public init(store: Store, limit: Int, window: TimeInterval) {
        self.store = store
        self.limit = limit
        self.window = window
    }

    /// Counts an attempt for `userName` from `source`, or refuses it (``CAError/rateLimited(_:retryAfterSeconds:)``)
    /// when either has used up its attempts. The count is bookkeeping: a power loss that forgets the last few
    /// only gives back as many guesses, so its commit does not wait for the disk.
    public func begin(userName: String, source: String, now: Date = Date()) async throws -> Attempt {
        let userKey = "user:" + userName
        let reservation = try await store.write(durability: .deferred) { transaction in
            try await transaction.reserveLoginAttempt(
                keys: [userKey, "address:" + source], limit: limit, window: window, now: now)
        }
        switch reservation {
        case .reserved(let rowIDs):
            return Attempt(rowIDs: rowIDs, userKey: userKey)
        case .refused(let seconds):
            throw CAError.rateLimited(Self.refusal(waitSeconds: seconds), retryAfterSeconds: seconds)
        }
    }

    /// A successful login clears the user name's count (not the address's: one right password must not reset a
    /// guessing run against other names), and its own attempt stops counting against the address.
    public func succeeded(_ attempt: Attempt, in transaction: Transaction) async throws {
        try await transaction.forgetLoginAttempts(rowIDs: attempt.rowIDs, clearing: attempt.userKey)
    }
}
