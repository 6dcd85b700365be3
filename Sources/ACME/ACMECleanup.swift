import CACore
import CAAuthority
import CAStore
import Foundation

/// `acme-cleanup`: removes what ACME leaves behind and nobody can use any more: expired nonces, expired
/// authorizations with their challenges, and expired orders that never got a certificate.
public enum ACMECleanup {
    public struct Outcome: Sendable {
        public let expiredNonces: Int
        public let expiredOrders: Int
        public let expiredAuthorizations: Int
    }

    public static func run(_ authority: Authority, now: Date = Date()) async throws -> Outcome {
        try await authority.store.write(durability: .deferred) { transaction in
            let nonces = try await transaction.deleteExpiredNonces(now: now)
            let deleted = try await transaction.deleteExpiredACMEOrders(now: now)
            return Outcome(expiredNonces: nonces, expiredOrders: deleted.orders, expiredAuthorizations: deleted.authorizations)
        }
    }
}
