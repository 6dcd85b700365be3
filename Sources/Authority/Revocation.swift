import CACore
import CAStore
import Foundation

extension Authority {
    /// Revokes a certificate. The revocation is committed before this returns; revoking twice is an error.
    public func revoke(_ identifier: String, reason: RevocationReason, compromisedAt: Date?) async throws -> CertificateRecord {
        let record = try await resolveCertificate(identifier)
        guard record.revocation == nil else {
            throw CAError(.conflict, "certificate \(SerialNumberText.colonSeparated(record.serial)) is already revoked")
        }
        let revocation = RevocationRecord(revokedAt: Date(), reason: reason, compromisedAt: compromisedAt)
        let changed = try await store.write { transaction in
            let changed = try await transaction.revokeCertificate(serial: record.serial, revocation: revocation)
            if changed {
                try await transaction.recordStatusChange(authority: record.authoritySerial, serial: record.serial)
                try await transaction.audit("revoke", target: record.serial, detail: Self.describe(revocation))
            }
            return changed
        }
        guard changed else {
            throw CAError(.conflict, "certificate \(SerialNumberText.colonSeparated(record.serial)) is already revoked")
        }
        var revoked = record
        revoked.revocation = revocation
        return revoked
    }

    /// Revokes a CA certificate: its parent's CRLs and OCSP responder (`ca/`) then report it. A root has no
    /// parent to say so; revoking one only stops swift-ca from using it.
    public func revokeAuthority(_ identifier: String, reason: RevocationReason, compromisedAt: Date?) async throws -> AuthorityRecord {
        let record = try await resolveAuthority(identifier)
        let name = record.name
        guard record.revocation == nil else { throw CAError(.conflict, "CA \"\(name)\" is already revoked") }
        let revocation = RevocationRecord(revokedAt: Date(), reason: reason, compromisedAt: compromisedAt)
        let changed = try await store.write { transaction in
            let changed = try await transaction.revokeAuthority(serial: record.serial, revocation: revocation)
            if changed, let parent = record.parentSerial {
                try await transaction.recordStatusChange(authority: parent, serial: record.serial)
            }
            if changed { try await transaction.audit("revoke-ca", target: record.serial, detail: Self.describe(revocation)) }
            return changed
        }
        guard changed else { throw CAError(.conflict, "CA \"\(name)\" is already revoked") }
        var revoked = record
        revoked.revocation = revocation
        return revoked
    }

    /// Revokes every certificate of a CA that is not revoked yet, in one transaction with its status changes and
    /// one audit row (benchmarks of CRLs over many entries). Returns how many were revoked.
    public func revokeAllCertificates(of identifier: String, reason: RevocationReason) async throws -> Int {
        let authority = try await resolveAuthority(identifier)
        let revocation = RevocationRecord(revokedAt: Date(), reason: reason, compromisedAt: nil)
        return try await store.write { transaction in
            let count = try await transaction.revokeAllCertificates(authority: authority.serial, revocation: revocation)
            try await transaction.audit(
                "revoke-all", target: authority.serial, detail: "\(count) certificates, \(Self.describe(revocation))")
            return count
        }
    }

    /// Parses `--compromised`: ISO 8601 with a time zone, as django-ca requires.
    public static func parseCompromisedTime(_ text: String) throws -> Date {
        try parseTime(text, option: "--compromised")
    }

    /// An ISO 8601 time with a time zone; the error names the option it came from.
    public static func parseTime(_ text: String, option: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw CAError(
            .invalidInput,
            "\(option) \"\(text)\" is not an ISO 8601 time with a time zone (for example 2026-11-27T10:00:00Z)")
    }

    public func watchers(of record: CertificateRecord) async throws -> [String] {
        try await store.read { try await $0.watchers(of: record.serial) }
    }

    public func changeWatchers(_ identifier: String, add: [String], remove: [String]) async throws -> [String] {
        let record = try await resolveCertificate(identifier)
        let added = try add.map(Self.emailAddress)
        let removed = try remove.map(Self.emailAddress)
        try await store.write { transaction in
            for email in added { try await transaction.addWatcher(email, to: record.serial) }
            for email in removed { try await transaction.removeWatcher(email, from: record.serial) }
            if !added.isEmpty || !removed.isEmpty {
                let detail = (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: " ")
                try await transaction.audit("watchers", target: record.serial, detail: detail)
            }
        }
        return try await store.read { try await $0.watchers(of: record.serial) }
    }

    public func listCertificates(_ filter: CertificateFilter) async throws -> [CertificateSummary] {
        try await store.read { try await $0.certificateSummaries(filter) }
    }

    /// The listing streamed row by row (`list-certs` over very many certificates).
    public func forEachCertificate(
        _ filter: CertificateFilter, _ body: @escaping @Sendable (CertificateSummary) -> Void
    ) async throws {
        try await store.read { try await $0.forEachCertificateSummary(filter, body) }
    }
}
