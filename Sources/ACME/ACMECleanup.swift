import CAAuthority
import CAStore
import Foundation

/// `acme-cleanup`: removes what ACME leaves behind and nobody can use any more. Today that is expired
/// nonces; expired orders and authorizations join when orders exist.
public enum ACMECleanup {
    public struct Outcome: Sendable {
        public let expiredNonces: Int
    }

    public static func run(_ authority: Authority, now: Date = Date()) async throws -> Outcome {
        let nonces = try await authority.store.transaction { try await authority.store.deleteExpiredNonces(now: now) }
        return Outcome(expiredNonces: nonces)
    }
}
