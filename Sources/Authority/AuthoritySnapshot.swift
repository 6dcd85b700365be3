import CACore
import CAStore
import Foundation
import Synchronization

/// The CAs as last read, kept for a second, so that a signature needs no read of its own: the CA, its chain
/// and its configuration come from here, and the write transaction that stores the certificate checks that
/// the CA is still as it was (``Transaction/authorityIsUnchanged(_:)``). A stale copy therefore never decides
/// anything: when the check fails, or the copy refuses a request, the signature is made again from a fresh read.
final class AuthoritySnapshot: Sendable {
    static let lifetime: TimeInterval = 1

    private struct Copy {
        let authorities: [AuthorityRecord]
        let readAt: Date
    }

    private let copy = Mutex<Copy?>(nil)

    /// The CAs as read less than a second ago, if they were.
    func recent(now: Date = Date()) -> [AuthorityRecord]? {
        copy.withLock { copy in
            guard let copy, now.timeIntervalSince(copy.readAt) < Self.lifetime, now >= copy.readAt else { return nil }
            return copy.authorities
        }
    }

    func remember(_ authorities: [AuthorityRecord], readAt: Date) {
        copy.withLock { $0 = Copy(authorities: authorities, readAt: readAt) }
    }

    /// Called after this process changes a CA, so that it never works from the copy from before.
    func forget() {
        copy.withLock { $0 = nil }
    }
}

extension Transaction {
    /// Whether the CA still is what `record` says in everything a signature depends on: enabled, not revoked,
    /// the same configuration (templates, hash). Runs inside the write transaction that stores the certificate.
    func authorityIsUnchanged(_ record: AuthorityRecord) async throws -> Bool {
        guard let current = try await authority(serial: record.serial) else { return false }
        return current.enabled == record.enabled && current.revocation == nil && record.revocation == nil
            && current.configuration == record.configuration && current.certificateDER == record.certificateDER
    }
}
