import CACore
import Foundation
import SQLKit

/// An OpenSSH CA: a key and a name, with no X.509 certificate. Its SHA-256 key fingerprint identifies it.
public struct SSHAuthorityRecord: Sendable, Equatable {
    public var fingerprint: String
    public var name: String
    /// The CA's public key blob (RFC 4253 §6.6).
    public var publicKey: [UInt8]
    public var keyBackend: String
    public var keyLocation: String
    /// What `init-ca` was given as the subject, if anything: it only names the CA.
    public var comment: String
    /// The REST API may see and use this CA (`--api-enable`).
    public var apiEnabled: Bool
    public var createdAt: Date

    public init(
        fingerprint: String, name: String, publicKey: [UInt8], keyBackend: String, keyLocation: String, comment: String,
        apiEnabled: Bool = false, createdAt: Date
    ) {
        self.fingerprint = fingerprint
        self.name = name
        self.publicKey = publicKey
        self.keyBackend = keyBackend
        self.keyLocation = keyLocation
        self.comment = comment
        self.apiEnabled = apiEnabled
        self.createdAt = createdAt
    }
}

/// An OpenSSH certificate as stored: the fields people search and list by, and the certificate itself.
public struct SSHCertificateRecord: Sendable, Equatable {
    public var authorityFingerprint: String
    /// Unique per CA; below 2^63 so that every database stores it as a plain integer.
    public var serial: UInt64
    public var type: SSHCertificateType
    public var keyID: String
    public var principals: [String]
    public var validAfter: Date
    /// nil for a certificate valid forever.
    public var validBefore: Date?
    public var publicKeyFingerprint: String
    public var certificate: [UInt8]
    public var revocation: RevocationRecord?
    public var createdAt: Date

    public init(
        authorityFingerprint: String, serial: UInt64, type: SSHCertificateType, keyID: String, principals: [String], validAfter: Date,
        validBefore: Date?, publicKeyFingerprint: String, certificate: [UInt8], revocation: RevocationRecord?, createdAt: Date
    ) {
        self.authorityFingerprint = authorityFingerprint
        self.serial = serial
        self.type = type
        self.keyID = keyID
        self.principals = principals
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.publicKeyFingerprint = publicKeyFingerprint
        self.certificate = certificate
        self.revocation = revocation
        self.createdAt = createdAt
    }
}

/// Where an OpenSSH certificate stands, as lists and pages show it.
public enum SSHCertificateStatus: String, Sendable {
    case valid, expired, revoked
    case notYetValid = "not yet valid"
}

extension SSHCertificateRecord {
    public func status(at now: Date) -> SSHCertificateStatus {
        if revocation != nil { return .revoked }
        if let validBefore, validBefore <= now { return .expired }
        if validAfter > now { return .notYetValid }
        return .valid
    }
}

extension Transaction {
    static let sshAuthorityColumns = "fingerprint, name, public_key, key_backend, key_location, comment, api_enabled, created_at"
    static let sshCertificateColumns = """
        authority_fingerprint, serial, certificate_type, key_id, principals, valid_after, valid_before, public_key_fingerprint, \
        certificate, revoked_at, revoked_reason, compromised_at, created_at
        """

    public func insertSSHAuthority(_ record: SSHAuthorityRecord) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO ssh_authorities (\(unsafeRaw: Self.sshAuthorityColumns)) VALUES (\(bind: record.fingerprint), \(bind: record.name),
                \(bind: Data(record.publicKey)), \(bind: record.keyBackend), \(bind: record.keyLocation), \(bind: record.comment),
                \(bind: record.apiEnabled ? 1 : 0), \(bind: record.createdAt.storedSeconds))
                """
            ).run()
        }
    }

    public func setSSHAuthorityAPIEnabled(_ enabled: Bool, fingerprint: String) async throws {
        try await run {
            try await database.raw(
                "UPDATE ssh_authorities SET api_enabled = \(bind: enabled ? 1 : 0) WHERE fingerprint = \(bind: fingerprint)"
            ).run()
        }
    }

    public func sshAuthorities() async throws -> [SSHAuthorityRecord] {
        try await run {
            try await database.raw("SELECT \(unsafeRaw: Self.sshAuthorityColumns) FROM ssh_authorities ORDER BY name").all()
                .map(Self.sshAuthority(from:))
        }
    }

    static func sshAuthority(from row: any SQLRow) throws -> SSHAuthorityRecord {
        SSHAuthorityRecord(
            fingerprint: try row.decode(column: "fingerprint", as: String.self), name: try row.decode(column: "name", as: String.self),
            publicKey: [UInt8](try row.decode(column: "public_key", as: Data.self)),
            keyBackend: try row.decode(column: "key_backend", as: String.self),
            keyLocation: try row.decode(column: "key_location", as: String.self), comment: try row.decode(column: "comment", as: String.self),
            apiEnabled: try row.decode(column: "api_enabled", as: Int.self) != 0, createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    /// Inserts a certificate; false when its CA already has that serial (the caller draws another).
    public func insertSSHCertificate(_ record: SSHCertificateRecord) async throws -> Bool {
        try await run {
            let taken = try await database.raw(
                """
                SELECT 1 AS taken FROM ssh_certificates WHERE authority_fingerprint = \(bind: record.authorityFingerprint)
                AND serial = \(bind: Int64(record.serial))
                """
            ).first()
            guard taken == nil else { return false }
            try await database.raw(
                """
                INSERT INTO ssh_certificates (\(unsafeRaw: Self.sshCertificateColumns)) VALUES (\(bind: record.authorityFingerprint),
                \(bind: Int64(record.serial)), \(bind: record.type.name), \(bind: record.keyID), \(bind: record.principals.joined(separator: ",")),
                \(bind: record.validAfter.storedSeconds), \(bind: record.validBefore?.storedSeconds), \(bind: record.publicKeyFingerprint),
                \(bind: Data(record.certificate)), NULL, NULL, NULL, \(bind: record.createdAt.storedSeconds))
                """
            ).run()
            return true
        }
    }

    /// Certificates of one CA (or all), newest first.
    public func sshCertificates(authority fingerprint: String?, limit: Int = 10_000) async throws -> [SSHCertificateRecord] {
        try await run {
            let filter: SQLQueryString = fingerprint.map { "WHERE authority_fingerprint = \(bind: $0)" } ?? ""
            return try await database.raw(
                "SELECT \(unsafeRaw: Self.sshCertificateColumns) FROM ssh_certificates \(filter) ORDER BY created_at DESC, serial LIMIT \(bind: limit)"
            ).all().map(Self.sshCertificate(from:))
        }
    }

    /// Certificates with this serial, of any CA (two CAs may have used the same one).
    public func sshCertificates(serial: UInt64) async throws -> [SSHCertificateRecord] {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.sshCertificateColumns) FROM ssh_certificates WHERE serial = \(bind: Int64(serial))"
            ).all().map(Self.sshCertificate(from:))
        }
    }

    static func sshCertificate(from row: any SQLRow) throws -> SSHCertificateRecord {
        let principals = try row.decode(column: "principals", as: String.self)
        return SSHCertificateRecord(
            authorityFingerprint: try row.decode(column: "authority_fingerprint", as: String.self),
            serial: UInt64(try row.decode(column: "serial", as: Int64.self)),
            type: try SSHCertificateType(name: try row.decode(column: "certificate_type", as: String.self)),
            keyID: try row.decode(column: "key_id", as: String.self),
            principals: principals.isEmpty ? [] : principals.split(separator: ",").map(String.init),
            validAfter: Date(storedSeconds: try row.decode(column: "valid_after", as: Int64.self)),
            validBefore: try row.decode(column: "valid_before", as: Int64?.self).map(Date.init(storedSeconds:)),
            publicKeyFingerprint: try row.decode(column: "public_key_fingerprint", as: String.self),
            certificate: [UInt8](try row.decode(column: "certificate", as: Data.self)), revocation: try revocation(from: row),
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    /// Marks a certificate revoked; false if it was revoked already.
    public func revokeSSHCertificate(authority fingerprint: String, serial: UInt64, revocation: RevocationRecord) async throws -> Bool {
        try await run {
            let rows = try await database.raw(
                """
                UPDATE ssh_certificates SET revoked_at = \(bind: revocation.revokedAt.storedSeconds),
                revoked_reason = \(bind: revocation.reason.rawValue), compromised_at = \(bind: revocation.compromisedAt?.storedSeconds)
                WHERE authority_fingerprint = \(bind: fingerprint) AND serial = \(bind: Int64(serial)) AND revoked_at IS NULL
                RETURNING serial
                """
            ).all()
            return !rows.isEmpty
        }
    }

    /// The revoked serials of a CA and the time of its latest revocation, for its KRL.
    public func revokedSSHSerials(authority fingerprint: String) async throws -> (serials: [UInt64], latest: Date?) {
        try await run {
            let rows = try await database.raw(
                """
                SELECT serial, revoked_at FROM ssh_certificates WHERE authority_fingerprint = \(bind: fingerprint) AND revoked_at IS NOT NULL
                ORDER BY serial
                """
            ).all()
            var latest: Int64?
            var serials: [UInt64] = []
            for row in rows {
                serials.append(UInt64(try row.decode(column: "serial", as: Int64.self)))
                let revokedAt = try row.decode(column: "revoked_at", as: Int64.self)
                latest = max(latest ?? revokedAt, revokedAt)
            }
            return (serials, latest.map(Date.init(storedSeconds:)))
        }
    }

    public func sshWatchers(authority fingerprint: String, serial: UInt64) async throws -> [String] {
        try await run {
            try await database.raw(
                """
                SELECT email FROM ssh_certificate_watchers WHERE authority_fingerprint = \(bind: fingerprint)
                AND serial = \(bind: Int64(serial)) ORDER BY email
                """
            ).all().map { try $0.decode(column: "email", as: String.self) }
        }
    }

    public func addSSHWatcher(_ email: String, authority fingerprint: String, serial: UInt64) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO ssh_certificate_watchers (authority_fingerprint, serial, email) VALUES (\(bind: fingerprint), \(bind: Int64(serial)),
                \(bind: email)) ON CONFLICT DO NOTHING
                """
            ).run()
        }
    }

    public func removeSSHWatcher(_ email: String, authority fingerprint: String, serial: UInt64) async throws {
        try await run {
            try await database.raw(
                """
                DELETE FROM ssh_certificate_watchers WHERE authority_fingerprint = \(bind: fingerprint) AND serial = \(bind: Int64(serial))
                AND email = \(bind: email)
                """
            ).run()
        }
    }
}
