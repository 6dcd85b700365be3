import CACore
import Foundation
import SQLKit
import CASQLite

/// A CRL as stored: the latest one per CA and scope, with the number it carries.
public struct RevocationListRecord: Sendable, Equatable {
    public var authoritySerial: String
    public var scope: String
    public var number: Int
    public var thisUpdate: Date
    public var nextUpdate: Date
    public var crlDER: [UInt8]?
    /// The newest `status_changes` id the CRL's entries were read after: a delta CRL on this base lists the changes
    /// after it. Nil for CRLs stored before it was recorded.
    public var statusChangeID: Int64?

    public init(
        authoritySerial: String, scope: String, number: Int, thisUpdate: Date, nextUpdate: Date, crlDER: [UInt8]?,
        statusChangeID: Int64? = nil
    ) {
        self.authoritySerial = authoritySerial
        self.scope = scope
        self.number = number
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.crlDER = crlDER
        self.statusChangeID = statusChangeID
    }
}

/// A revoked certificate as a CRL lists it.
public struct RevokedCertificateSummary: Sendable, Equatable {
    /// The stored hex serial.
    public var serial: String
    public var revokedAt: Date
    public var reason: RevocationReason
    public var compromisedAt: Date?

    public init(serial: String, revokedAt: Date, reason: RevocationReason, compromisedAt: Date?) {
        self.serial = serial
        self.revokedAt = revokedAt
        self.reason = reason
        self.compromisedAt = compromisedAt
    }
}

/// Takes the revoked certificates of a CRL one call each, on the database's thread, as the store reads them: a CRL
/// over a million certificates never holds them as values.
public protocol RevokedCertificateSink: AnyObject, Sendable {
    /// One revoked certificate. `hexSerial` is the stored serial's text, valid only during the call.
    func add(hexSerial: UnsafeBufferPointer<UInt8>, revokedAtSeconds: Int64, reason: RevocationReason, compromisedAtSeconds: Int64?)
}

extension RevokedCertificateSink {
    public func add(_ revoked: RevokedCertificateSummary) {
        var serial = revoked.serial
        serial.withUTF8 { digits in
            add(hexSerial: digits, revokedAtSeconds: revoked.revokedAt.storedSeconds, reason: revoked.reason,
                compromisedAtSeconds: revoked.compromisedAt?.storedSeconds)
        }
    }
}

extension Transaction {
    public func revocationList(authority: String, scope: String) async throws -> RevocationListRecord? {
        try await run {
            try await database.raw(
                """
                SELECT authority_serial, scope, number, this_update, next_update, crl_der, status_change_id
                FROM certificate_revocation_lists WHERE authority_serial = \(bind: authority) AND scope = \(bind: scope)
                """
            ).first().map { row in
                RevocationListRecord(
                    authoritySerial: try row.decode(column: "authority_serial", as: String.self),
                    scope: try row.decode(column: "scope", as: String.self),
                    number: try row.decode(column: "number", as: Int.self),
                    thisUpdate: Date(storedSeconds: try row.decode(column: "this_update", as: Int64.self)),
                    nextUpdate: Date(storedSeconds: try row.decode(column: "next_update", as: Int64.self)),
                    crlDER: try row.decode(column: "crl_der", as: Data?.self).map { [UInt8]($0) },
                    statusChangeID: try row.decode(column: "status_change_id", as: Int64?.self))
            }
        }
    }

    /// The next CRL number of a CA's sequence (0 for the first): one above every number reserved in it and every
    /// stored CRL that takes its numbers from it. Reserve it with ``reserveRevocationListNumber(authority:sequence:number:)``
    /// in the same write transaction, so that two processes never issue the same number (write transactions run one
    /// at a time, on every node).
    ///
    /// - Parameters:
    ///   - sequence: The complete CRL's scope key, which its deltas share (RFC 5280 §5.2.4), or a shard's.
    ///   - sharing: Further scope keys whose stored CRLs number from the sequence: the delta's.
    public func nextRevocationListNumber(authority: String, scope sequence: String, sharing: [String] = []) async throws -> Int {
        let scopes = [sequence] + sharing
        return try await run {
            var query = SQLQueryString(
                """
                SELECT MAX(number) AS number FROM (
                SELECT last_number AS number FROM crl_number_sequences WHERE authority_serial = \(bind: authority) AND sequence = \(bind: sequence)
                UNION ALL SELECT number FROM certificate_revocation_lists WHERE authority_serial = \(bind: authority) AND scope IN (
                """)
            for (index, scope) in scopes.enumerated() {
                query.appendInterpolation(index == 0 ? "\(bind: scope)" as SQLQueryString : ", \(bind: scope)")
            }
            query.appendLiteral(")) numbers")
            let latest = try await database.raw(query).first()?.decode(column: "number", as: Int?.self)
            return latest.map { $0 + 1 } ?? 0
        }
    }

    /// Records that `number` of a sequence was used (by a CRL written to a file, or one about to be stored), so that
    /// no later CRL of the sequence takes it or a lower one. The stored CRLs are not touched: in SQLite a row is
    /// rewritten whole, and a CRL's row can hold tens of megabytes.
    public func reserveRevocationListNumber(authority: String, sequence: String, number: Int) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO crl_number_sequences (authority_serial, sequence, last_number)
                VALUES (\(bind: authority), \(bind: sequence), \(bind: number))
                ON CONFLICT (authority_serial, sequence) DO UPDATE SET last_number = excluded.last_number
                WHERE excluded.last_number > crl_number_sequences.last_number
                """
            ).run()
        }
    }

    /// Stores a signed CRL as the one the server publishes for its scope key, unless a CRL with a higher number was
    /// stored meanwhile (by another process), so that the published numbers only grow. Returns whether it was stored.
    public func storeSignedRevocationList(_ record: RevocationListRecord) async throws -> Bool {
        guard let der = record.crlDER else { return false }
        return try await run {
            try await database.raw(
                """
                INSERT INTO certificate_revocation_lists (authority_serial, scope, number, this_update, next_update, crl_der, status_change_id)
                VALUES (\(bind: record.authoritySerial), \(bind: record.scope), \(bind: record.number), \(bind: record.thisUpdate.storedSeconds),
                \(bind: record.nextUpdate.storedSeconds), \(bind: Data(der)), \(bind: record.statusChangeID))
                ON CONFLICT (authority_serial, scope) DO UPDATE SET number = excluded.number, this_update = excluded.this_update,
                next_update = excluded.next_update, crl_der = excluded.crl_der, status_change_id = excluded.status_change_id
                WHERE excluded.number > certificate_revocation_lists.number OR length(certificate_revocation_lists.crl_der) IS NULL
                RETURNING number
                """
            ).first() != nil
        }
    }

    /// The stored CRL of a CA and scope key without its bytes (`crlDER` nil): what a server checks before re-reading
    /// it, and what a delta needs of its base. Nil when none was stored.
    ///
    /// `length(crl_der)` rather than `crl_der IS NOT NULL`: SQLite reads a blob's length from the row header but
    /// loads the whole blob to test it for NULL, 53 MB for a CRL over a million certificates, every second per CRL
    /// served.
    public func revocationListVersion(authority: String, scope: String) async throws -> RevocationListRecord? {
        try await run {
            try await database.raw(
                """
                SELECT number, this_update, next_update, status_change_id FROM certificate_revocation_lists
                WHERE authority_serial = \(bind: authority) AND scope = \(bind: scope) AND length(crl_der) IS NOT NULL
                """
            ).first().map { row in try Self.revocationListVersion(row, authority: authority, scope: scope) }
        }
    }

    /// Every stored CRL of a CA by scope key, without the CRLs' bytes: what a job compares before signing.
    public func revocationListVersions(authority: String) async throws -> [String: RevocationListRecord] {
        try await run {
            var versions: [String: RevocationListRecord] = [:]
            for row in try await database.raw(
                """
                SELECT scope, number, this_update, next_update, status_change_id FROM certificate_revocation_lists
                WHERE authority_serial = \(bind: authority) AND length(crl_der) IS NOT NULL
                """
            ).all() {
                let scope = try row.decode(column: "scope", as: String.self)
                versions[scope] = try Self.revocationListVersion(row, authority: authority, scope: scope)
            }
            return versions
        }
    }

    private static func revocationListVersion(_ row: any SQLRow, authority: String, scope: String) throws -> RevocationListRecord {
        RevocationListRecord(
            authoritySerial: authority, scope: scope, number: try row.decode(column: "number", as: Int.self),
            thisUpdate: Date(storedSeconds: try row.decode(column: "this_update", as: Int64.self)),
            nextUpdate: Date(storedSeconds: try row.decode(column: "next_update", as: Int64.self)), crlDER: nil,
            statusChangeID: try row.decode(column: "status_change_id", as: Int64?.self))
    }

    /// Revoked, not yet expired certificates of a CA, streamed in index order (a CRL over a million entries
    /// never sits in memory as records, and RFC 5280 does not ask for its entries to be sorted, so the
    /// database does not sort them either).
    ///
    /// - Parameter shard: Only the certificates issued into this CRL shard; nil for all of them.
    public func forEachRevokedCertificate(
        authority: String, shard: Int? = nil, notExpiredAt date: Date, into sink: any RevokedCertificateSink
    ) async throws {
        if let sqlite {
            // SQLite has no statistics here (no ANALYZE) and would pick the listing index, then read every row's DER
            // from the table: named, the covering index makes a CRL over a million certificates read 1/20 of the pages.
            var query = """
                SELECT serial, revoked_at, revoked_reason, compromised_at FROM certificates INDEXED BY certificates_revoked_by_shard
                WHERE authority_serial = ? AND revoked_at IS NOT NULL AND not_after > ?
                """
            var binds: [SQLiteValue] = [.text(authority), .integer(date.storedSeconds)]
            if let shard {
                query += " AND crl_shard = ?"
                binds.append(.integer(Int64(shard)))
            }
            let finalQuery = query
            let finalBinds = binds
            try await run {
                // Read in place, column by position: per row, this loop allocates nothing.
                try sqlite.forEachRow(finalQuery, finalBinds) { row in
                    guard let revokedAt = row.integer(1) else { throw CAError(.storage, "a revoked certificate has no revocation date") }
                    let reason = row.withText(2) { RevocationReason(stored: $0) }
                    try row.withText(0) { serial in
                        guard let serial else { throw CAError(.storage, "a revoked certificate has no serial") }
                        sink.add(hexSerial: serial, revokedAtSeconds: revokedAt, reason: reason, compromisedAtSeconds: row.integer(3))
                    }
                }
            }
            return
        }
        let failure = FirstError()
        var query: SQLQueryString = """
            SELECT serial, revoked_at, revoked_reason, compromised_at FROM certificates
            WHERE authority_serial = \(bind: authority) AND revoked_at IS NOT NULL AND not_after > \(bind: date.storedSeconds)
            """
        if let shard { query.appendInterpolation(" AND crl_shard = \(bind: shard)" as SQLQueryString) }
        let finalQuery = query
        try await run {
            try await database.raw(finalQuery).run { row in
                do {
                    sink.add(RevokedCertificateSummary(
                        serial: try row.decode(column: "serial", as: String.self),
                        revokedAt: Date(storedSeconds: try row.decode(column: "revoked_at", as: Int64.self)),
                        reason: RevocationReason(stored: try row.decode(column: "revoked_reason", as: String?.self)),
                        compromisedAt: try row.decode(column: "compromised_at", as: Int64?.self).map(Date.init(storedSeconds:))))
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw CAError(.storage, "a revoked certificate cannot be read: \(error)") }
    }

    /// Certificates and child CAs of a CA revoked by the status changes after `statusChangeID`: the entries of a delta
    /// CRL on a base that had seen the changes up to that id. Expired certificates are left out, as on the base.
    ///
    /// The few changes after the id are read first, by their ids alone, and each certificate found by its serial; the
    /// CA is checked on the certificate (a change is recorded under the issuer). SQLite takes CROSS JOIN as that order;
    /// without statistics it would otherwise scan the CA's certificates, or all its changes, PostgreSQL as a join.
    public func revocationsAfter(
        statusChangeID: Int64, authority: String, notExpiredAt date: Date
    ) async throws -> (certificates: [RevokedCertificateSummary], authorities: [RevokedCertificateSummary]) {
        func read(_ table: String, issuerColumn: String) async throws -> [RevokedCertificateSummary] {
            try await run {
                try await database.raw(
                    """
                    SELECT DISTINCT t.serial, t.revoked_at, t.revoked_reason, t.compromised_at
                    FROM status_changes s CROSS JOIN \(unsafeRaw: table) t
                    WHERE s.id > \(bind: statusChangeID) AND t.serial = s.serial
                    AND t.\(unsafeRaw: issuerColumn) = \(bind: authority) AND t.revoked_at IS NOT NULL
                    AND t.not_after > \(bind: date.storedSeconds)
                    """
                ).all().map { row in
                    RevokedCertificateSummary(
                        serial: try row.decode(column: "serial", as: String.self),
                        revokedAt: Date(storedSeconds: try row.decode(column: "revoked_at", as: Int64.self)),
                        reason: RevocationReason(stored: try row.decode(column: "revoked_reason", as: String?.self)),
                        compromisedAt: try row.decode(column: "compromised_at", as: Int64?.self).map(Date.init(storedSeconds:)))
                }
            }
        }
        return (
            try await read("certificates", issuerColumn: "authority_serial"),
            try await read("certificate_authorities", issuerColumn: "parent_serial")
        )
    }

    /// When a certificate of each CRL shard of a CA last changed status, among the changes after `statusChangeID`:
    /// which shard CRLs a job must sign again.
    public func latestStatusChangeByShard(authority: String, after statusChangeID: Int64) async throws -> [Int: Int64] {
        try await run {
            var latest: [Int: Int64] = [:]
            for row in try await database.raw(
                """
                SELECT c.crl_shard, MAX(s.id) AS latest FROM status_changes s CROSS JOIN certificates c
                WHERE s.id > \(bind: statusChangeID) AND c.serial = s.serial
                AND c.authority_serial = \(bind: authority) AND c.crl_shard IS NOT NULL
                GROUP BY c.crl_shard
                """
            ).all() {
                latest[try row.decode(column: "crl_shard", as: Int.self)] = try row.decode(column: "latest", as: Int64.self)
            }
            return latest
        }
    }

    /// The largest CRL shard number any certificate of the CA was issued into; nil if none was.
    public func highestCRLShard(authority: String) async throws -> Int? {
        try await run {
            try await database.raw(
                "SELECT MAX(crl_shard) AS shard FROM certificates WHERE authority_serial = \(bind: authority)"
            ).first()?.decode(column: "shard", as: Int?.self)
        }
    }

    /// Revoked child CAs of a CA (for the CA-scope CRL).
    public func revokedChildAuthorities(of authority: String) async throws -> [RevokedCertificateSummary] {
        try await allAuthorities().compactMap { child in
            guard child.parentSerial == authority, let revocation = child.revocation else { return nil }
            return RevokedCertificateSummary(
                serial: child.serial, revokedAt: revocation.revokedAt, reason: revocation.reason,
                compromisedAt: revocation.compromisedAt)
        }
    }
}

/// What OpenSSL's index.txt needs of a certificate.
public struct CertificateStatusSummary: Sendable, Equatable {
    public var serial: String
    public var subject: String
    public var notAfter: Date
    public var revocation: RevocationRecord?
}

extension Transaction {
    /// Every certificate of a CA (autogenerated ones included), streamed in serial order.
    public func forEachCertificateStatus(
        authority: String, _ body: @escaping @Sendable (CertificateStatusSummary) -> Void
    ) async throws {
        let failure = FirstError()
        try await run {
            try await database.raw(
                """
                SELECT serial, subject, not_after, revoked_at, revoked_reason, compromised_at FROM certificates
                WHERE authority_serial = \(bind: authority) ORDER BY serial
                """
            ).run { row in
                do {
                    body(CertificateStatusSummary(
                        serial: try row.decode(column: "serial", as: String.self),
                        subject: try row.decode(column: "subject", as: String.self),
                        notAfter: Date(storedSeconds: try row.decode(column: "not_after", as: Int64.self)),
                        revocation: try Transaction.revocation(from: row)))
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw CAError(.storage, "a certificate cannot be read: \(error)") }
    }
}

extension Transaction {
    /// Revokes every unrevoked certificate of a CA at once, returning how many changed (for retiring a CA,
    /// and for building large CRLs in benchmarks). Call inside `transaction`.
    public func revokeAllCertificates(authority: String, revocation: RevocationRecord) async throws -> Int {
        try await run {
            let revoked = try await database.raw(
                """
                UPDATE certificates SET revoked_at = \(bind: revocation.revokedAt.storedSeconds),
                revoked_reason = \(bind: revocation.reason.rawValue), compromised_at = \(bind: revocation.compromisedAt?.storedSeconds)
                WHERE authority_serial = \(bind: authority) AND revoked_at IS NULL RETURNING serial
                """
            ).all().count
            // The same record of each change a single revocation leaves, so that OCSP caches and CRLs learn of them.
            try await database.raw(
                """
                INSERT INTO status_changes (authority_serial, serial, changed_at)
                SELECT authority_serial, serial, \(bind: revocation.revokedAt.storedSeconds) FROM certificates
                WHERE authority_serial = \(bind: authority) AND revoked_at = \(bind: revocation.revokedAt.storedSeconds)
                """
            ).run()
            try await database.raw("DELETE FROM ocsp_responses WHERE authority_serial = \(bind: authority)").run()
            return revoked
        }
    }
}
