import CACore
import Foundation
import SQLKit

/// A revocation recorded in `status_changes`.
public struct StatusChange: Sendable, Equatable {
    public var id: Int64
    /// The CA whose responder and CRLs answer for the revoked certificate (the parent, for a revoked CA).
    public var authoritySerial: String
    public var serial: String
}

/// What the OCSP responder needs to know of one certificate.
public struct CertificateStatus: Sendable, Equatable {
    public var notAfter: Date
    public var revocation: RevocationRecord?

    public init(notAfter: Date, revocation: RevocationRecord?) {
        self.notAfter = notAfter
        self.revocation = revocation
    }
}

/// A pre-signed OCSP response as stored.
public struct StoredOCSPResponse: Sendable, Equatable {
    public var authoritySerial: String
    public var serial: String
    public var thisUpdate: Date
    public var nextUpdate: Date
    public var responseDER: [UInt8]

    public init(authoritySerial: String, serial: String, thisUpdate: Date, nextUpdate: Date, responseDER: [UInt8]) {
        self.authoritySerial = authoritySerial
        self.serial = serial
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.responseDER = responseDER
    }
}

extension Transaction {
    /// Records that a certificate of `authority` changed status and drops its pre-signed response. Call inside
    /// the transaction that revokes, so that nobody can see the revocation without the change, or the reverse.
    public func recordStatusChange(authority: String, serial: String, at date: Date = Date()) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO status_changes (authority_serial, serial, changed_at)
                VALUES (\(bind: authority), \(bind: serial), \(bind: date.storedSeconds))
                """
            ).run()
            try await database.raw(
                "DELETE FROM ocsp_responses WHERE authority_serial = \(bind: authority) AND serial = \(bind: serial)"
            ).run()
        }
    }

    /// Changes after `id`, oldest first, at most `limit` of them.
    public func statusChanges(after id: Int64, limit: Int = 10_000) async throws -> [StatusChange] {
        try await run {
            try await database.raw(
                """
                SELECT id, authority_serial, serial FROM status_changes WHERE id > \(bind: id) ORDER BY id LIMIT \(bind: limit)
                """
            ).all().map { row in
                StatusChange(
                    id: try row.decode(column: "id", as: Int64.self),
                    authoritySerial: try row.decode(column: "authority_serial", as: String.self),
                    serial: try row.decode(column: "serial", as: String.self))
            }
        }
    }

    /// The id of the newest change, 0 if there is none: where a server starts reading.
    public func latestStatusChangeID() async throws -> Int64 {
        try await run {
            try await database.raw("SELECT MAX(id) AS latest FROM status_changes").first()?
                .decode(column: "latest", as: Int64?.self) ?? 0
        }
    }

    /// When a certificate of the CA last changed status; nil if none ever did.
    public func latestStatusChange(authority: String) async throws -> Date? {
        try await run {
            try await database.raw(
                "SELECT MAX(changed_at) AS latest FROM status_changes WHERE authority_serial = \(bind: authority)"
            ).first()?.decode(column: "latest", as: Int64?.self).map(Date.init(storedSeconds:))
        }
    }

    /// The status of an end-entity certificate issued by `authority`; nil if it never issued that serial.
    public func certificateStatus(authority: String, serial: String) async throws -> CertificateStatus? {
        try await status(in: "certificates", issuerColumn: "authority_serial", issuer: authority, serial: serial)
    }

    /// The status of a CA that `authority` issued; nil if it has no such child.
    public func childAuthorityStatus(parent authority: String, serial: String) async throws -> CertificateStatus? {
        try await status(in: "certificate_authorities", issuerColumn: "parent_serial", issuer: authority, serial: serial)
    }

    /// Both tables keep expiry and revocation in the same columns; only the issuer's column differs.
    private func status(in table: String, issuerColumn: String, issuer: String, serial: String) async throws
        -> CertificateStatus?
    {
        try await run {
            try await database.raw(
                """
                SELECT not_after, revoked_at, revoked_reason, compromised_at FROM \(unsafeRaw: table)
                WHERE serial = \(bind: serial) AND \(unsafeRaw: issuerColumn) = \(bind: issuer)
                """
            ).first().map { row in
                CertificateStatus(
                    notAfter: Date(storedSeconds: try row.decode(column: "not_after", as: Int64.self)),
                    revocation: try Transaction.revocation(from: row))
            }
        }
    }

    /// Marks a CA revoked unless it already is; false if it was. Call inside `transaction`.
    public func revokeAuthority(serial: String, revocation: RevocationRecord) async throws -> Bool {
        try await run {
            try await database.raw(
                """
                UPDATE certificate_authorities SET revoked_at = \(bind: revocation.revokedAt.storedSeconds),
                revoked_reason = \(bind: revocation.reason.rawValue), compromised_at = \(bind: revocation.compromisedAt?.storedSeconds),
                updated_at = \(bind: Date().storedSeconds)
                WHERE serial = \(bind: serial) AND revoked_at IS NULL RETURNING serial
                """
            ).first() != nil
        }
    }
}

extension Transaction {
    /// The newest unrevoked responder certificate the CA made for itself (profile `ocsp`).
    public func latestResponderCertificate(authority: String) async throws -> CertificateRecord? {
        try await responderCertificates(authority: authority, limit: 1).first
    }

    /// A CA's unrevoked responder certificates, the one that expires last first (the newest first among equals).
    public func responderCertificates(authority: String, limit: Int) async throws -> [CertificateRecord] {
        try await run {
            try await database.raw(
                """
                SELECT \(unsafeRaw: Self.certificateColumns) FROM certificates
                WHERE authority_serial = \(bind: authority) AND autogenerated = 1 AND profile = 'ocsp' AND revoked_at IS NULL
                ORDER BY not_after DESC, created_at DESC, serial LIMIT \(bind: limit)
                """
            ).all().map(Self.certificate(from:))
        }
    }

    /// Responder certificates of a CA that expired before `date`, whose keys can be deleted.
    public func expiredResponderCertificates(authority: String, before date: Date) async throws -> [String] {
        try await run {
            try await database.raw(
                """
                SELECT serial FROM certificates
                WHERE authority_serial = \(bind: authority) AND autogenerated = 1 AND profile = 'ocsp'
                AND not_after < \(bind: date.storedSeconds)
                """
            ).all().map { try $0.decode(column: "serial", as: String.self) }
        }
    }

    public func storedOCSPResponse(authority: String, serial: String) async throws -> StoredOCSPResponse? {
        try await run {
            try await database.raw(
                """
                SELECT this_update, next_update, response_der FROM ocsp_responses
                WHERE authority_serial = \(bind: authority) AND serial = \(bind: serial)
                """
            ).first().map { row in
                StoredOCSPResponse(
                    authoritySerial: authority, serial: serial,
                    thisUpdate: Date(storedSeconds: try row.decode(column: "this_update", as: Int64.self)),
                    nextUpdate: Date(storedSeconds: try row.decode(column: "next_update", as: Int64.self)),
                    responseDER: [UInt8](try row.decode(column: "response_der", as: Data.self)))
            }
        }
    }

    /// Saves pre-signed responses, replacing older ones. Call inside the transaction that read the statuses
    /// they were signed from, so that a revocation cannot slip in between and be overwritten by "good".
    public func saveOCSPResponses(_ responses: [StoredOCSPResponse]) async throws {
        try await run {
            for response in responses {
                try await database.raw(
                    """
                    INSERT INTO ocsp_responses (authority_serial, serial, this_update, next_update, response_der)
                    VALUES (\(bind: response.authoritySerial), \(bind: response.serial), \(bind: response.thisUpdate.storedSeconds),
                    \(bind: response.nextUpdate.storedSeconds), \(bind: Data(response.responseDER)))
                    ON CONFLICT (authority_serial, serial) DO UPDATE SET this_update = excluded.this_update,
                    next_update = excluded.next_update, response_der = excluded.response_der
                    """
                ).run()
            }
        }
    }

    /// Serials and statuses of a CA's certificates valid at `date` whose stored response is missing or ends
    /// before `renewBefore`, at most `limit`, in serial order after `afterSerial`.
    public func certificatesNeedingOCSPResponses(
        authority: String, validAt date: Date, renewBefore: Date, afterSerial: String, limit: Int
    ) async throws -> [(serial: String, status: CertificateStatus)] {
        try await run {
            try await database.raw(
                """
                SELECT c.serial, c.not_after, c.revoked_at, c.revoked_reason, c.compromised_at FROM certificates c
                LEFT JOIN ocsp_responses r ON r.authority_serial = c.authority_serial AND r.serial = c.serial
                WHERE c.authority_serial = \(bind: authority) AND c.not_after > \(bind: date.storedSeconds)
                AND c.serial > \(bind: afterSerial)
                AND (r.next_update IS NULL OR r.next_update < \(bind: renewBefore.storedSeconds))
                ORDER BY c.serial LIMIT \(bind: limit)
                """
            ).all().map { row in
                (
                    serial: try row.decode(column: "serial", as: String.self),
                    status: CertificateStatus(
                        notAfter: Date(storedSeconds: try row.decode(column: "not_after", as: Int64.self)),
                        revocation: try Transaction.revocation(from: row))
                )
            }
        }
    }
}
