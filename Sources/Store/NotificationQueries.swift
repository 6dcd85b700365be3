import CACore
import Foundation
import SQLKit

/// A watcher of an unexpired, unrevoked certificate and the smallest threshold already mailed to them.
public struct WatchedExpiry: Sendable, Equatable {
    public var certificate: ExpiringCertificate
    public var email: String
    /// nil when no expiry mail was sent to this watcher for this certificate yet.
    public var lowestNotified: Int?

    public init(certificate: ExpiringCertificate, email: String, lowestNotified: Int?) {
        self.certificate = certificate
        self.email = email
        self.lowestNotified = lowestNotified
    }
}

extension Transaction {
    /// Watchers of certificates that are not revoked and expire after `now` but no later than `horizon`,
    /// soonest first. The range on `not_after` is read from the listing index, and each watcher's smallest
    /// notified threshold from the primary key of `expiry_notifications`.
    public func watchedExpiries(after now: Date, until horizon: Date) async throws -> [WatchedExpiry] {
        try await run {
            try await database.raw(Self.watchedExpiriesQuery(after: now, until: horizon)).all().map { row in
                WatchedExpiry(
                    certificate: ExpiringCertificate(
                        serial: try row.decode(column: "serial", as: String.self),
                        commonName: try row.decode(column: "common_name", as: String.self),
                        authorityName: try row.decode(column: "authority_name", as: String.self),
                        notAfter: Date(storedSeconds: try row.decode(column: "not_after", as: Int64.self))),
                    email: try row.decode(column: "email", as: String.self),
                    lowestNotified: try row.decode(column: "lowest_notified", as: Int64?.self).map { Int($0) })
            }
        }
    }

    static func watchedExpiriesQuery(after now: Date, until horizon: Date) -> SQLQueryString {
        """
        SELECT c.serial, c.common_name, c.not_after, a.name AS authority_name, w.email,
        (SELECT MIN(n.threshold_days) FROM expiry_notifications n
         WHERE n.certificate_serial = c.serial AND n.email = w.email) AS lowest_notified
        FROM certificates c
        JOIN certificate_watchers w ON w.certificate_serial = c.serial
        JOIN certificate_authorities a ON a.serial = c.authority_serial
        WHERE c.not_after > \(bind: now.storedSeconds) AND c.not_after <= \(bind: horizon.storedSeconds)
        AND c.revoked_at IS NULL
        ORDER BY c.not_after, c.serial, w.email
        """
    }

    /// Watchers of OpenSSH certificates that are not revoked and expire after `now` but no later than `horizon`.
    public func watchedSSHExpiries(after now: Date, until horizon: Date) async throws -> [WatchedExpiry] {
        try await run {
            try await database.raw(
                """
                SELECT c.serial, c.key_id, c.valid_before, c.authority_fingerprint, a.name AS authority_name, w.email,
                (SELECT MIN(n.threshold_days) FROM ssh_expiry_notifications n
                 WHERE n.authority_fingerprint = c.authority_fingerprint AND n.serial = c.serial AND n.email = w.email) AS lowest_notified
                FROM ssh_certificates c
                JOIN ssh_certificate_watchers w ON w.authority_fingerprint = c.authority_fingerprint AND w.serial = c.serial
                JOIN ssh_authorities a ON a.fingerprint = c.authority_fingerprint
                WHERE c.valid_before > \(bind: now.storedSeconds) AND c.valid_before <= \(bind: horizon.storedSeconds)
                AND c.revoked_at IS NULL
                ORDER BY c.valid_before, c.serial, w.email
                """
            ).all().map { row in
                WatchedExpiry(
                    certificate: ExpiringCertificate(
                        serial: String(try row.decode(column: "serial", as: Int64.self)),
                        commonName: try row.decode(column: "key_id", as: String.self),
                        authorityName: try row.decode(column: "authority_name", as: String.self),
                        notAfter: Date(storedSeconds: try row.decode(column: "valid_before", as: Int64.self)),
                        kind: .openSSH(authorityFingerprint: try row.decode(column: "authority_fingerprint", as: String.self))),
                    email: try row.decode(column: "email", as: String.self),
                    lowestNotified: try row.decode(column: "lowest_notified", as: Int64?.self).map { Int($0) })
            }
        }
    }

    /// Records a delivered expiry mail. Recording it twice (two runs that raced) changes nothing.
    public func recordExpiryNotification(for certificate: ExpiringCertificate, email: String, threshold: Int, sentAt: Date) async throws {
        guard case .openSSH(let fingerprint) = certificate.kind else {
            return try await recordExpiryNotification(serial: certificate.serial, email: email, threshold: threshold, sentAt: sentAt)
        }
        try await run {
            try await database.raw(
                """
                INSERT INTO ssh_expiry_notifications (authority_fingerprint, serial, email, threshold_days, sent_at)
                VALUES (\(bind: fingerprint), \(bind: Int64(certificate.serial) ?? 0), \(bind: email), \(bind: threshold), \(bind: sentAt.storedSeconds))
                ON CONFLICT DO NOTHING
                """
            ).run()
        }
    }

    public func recordExpiryNotification(serial: String, email: String, threshold: Int, sentAt: Date) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO expiry_notifications (certificate_serial, email, threshold_days, sent_at)
                VALUES (\(bind: serial), \(bind: email), \(bind: threshold), \(bind: sentAt.storedSeconds))
                ON CONFLICT DO NOTHING
                """
            ).run()
        }
    }
}
