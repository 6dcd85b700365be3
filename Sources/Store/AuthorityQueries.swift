import CACore
import Foundation
import SQLKit

extension Transaction {
    static let authorityColumns = """
        serial, name, common_name, subject, parent_serial, not_before, not_after, enabled, certificate_der,
        key_backend, key_location, configuration, revoked_at, revoked_reason, compromised_at, created_at, updated_at
        """

    public func insertAuthority(_ record: AuthorityRecord) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO certificate_authorities (\(unsafeRaw: Self.authorityColumns)) VALUES (
                \(bind: record.serial), \(bind: record.name), \(bind: record.commonName), \(bind: record.subject),
                \(bind: record.parentSerial), \(bind: record.notBefore.storedSeconds), \(bind: record.notAfter.storedSeconds),
                \(bind: record.enabled ? 1 : 0), \(bind: Data(record.certificateDER)), \(bind: record.keyBackend),
                \(bind: record.keyLocation), \(bind: record.configuration),
                \(bind: record.revocation?.revokedAt.storedSeconds), \(bind: record.revocation?.reason.rawValue),
                \(bind: record.revocation?.compromisedAt?.storedSeconds),
                \(bind: record.createdAt.storedSeconds), \(bind: record.updatedAt.storedSeconds))
                """
            ).run()
        }
    }

    /// Saves the fields `edit-ca` may change; the certificate and key reference never change.
    public func updateAuthorityMetadata(_ record: AuthorityRecord) async throws {
        try await run {
            try await database.raw(
                """
                UPDATE certificate_authorities SET name = \(bind: record.name), enabled = \(bind: record.enabled ? 1 : 0),
                configuration = \(bind: record.configuration), updated_at = \(bind: Date().storedSeconds)
                WHERE serial = \(bind: record.serial)
                """
            ).run()
        }
    }

    public func allAuthorities() async throws -> [AuthorityRecord] {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.authorityColumns) FROM certificate_authorities ORDER BY not_after, name"
            ).all().map(Self.authority(from:))
        }
    }

    public func authority(serial: String) async throws -> AuthorityRecord? {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.authorityColumns) FROM certificate_authorities WHERE serial = \(bind: serial)"
            ).first().map(Self.authority(from:))
        }
    }

    static func authority(from row: any SQLRow) throws -> AuthorityRecord {
        AuthorityRecord(
            serial: try row.decode(column: "serial", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            commonName: try row.decode(column: "common_name", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            parentSerial: try row.decode(column: "parent_serial", as: String?.self),
            notBefore: Date(storedSeconds: try row.decode(column: "not_before", as: Int64.self)),
            notAfter: Date(storedSeconds: try row.decode(column: "not_after", as: Int64.self)),
            enabled: try row.decode(column: "enabled", as: Int.self) != 0,
            certificateDER: [UInt8](try row.decode(column: "certificate_der", as: Data.self)),
            keyBackend: try row.decode(column: "key_backend", as: String.self),
            keyLocation: try row.decode(column: "key_location", as: String.self),
            configuration: try row.decode(column: "configuration", as: String.self),
            revocation: try revocation(from: row),
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(storedSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    static func revocation(from row: any SQLRow) throws -> RevocationRecord? {
        guard let revokedAt = try row.decode(column: "revoked_at", as: Int64?.self) else { return nil }
        return RevocationRecord(
            revokedAt: Date(storedSeconds: revokedAt),
            reason: RevocationReason(stored: try row.decode(column: "revoked_reason", as: String?.self)),
            compromisedAt: try row.decode(column: "compromised_at", as: Int64?.self).map(Date.init(storedSeconds:))
        )
    }
}
