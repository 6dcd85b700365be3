import CACore
import Foundation
import SQLKit

/// An ACME account (RFC 8555 §7.1.2) as stored: one per CA and account key.
public struct ACMEAccountRecord: Sendable, Equatable {
    public var id: String
    public var authoritySerial: String
    /// RFC 7638 thumbprint of the account key: how newAccount finds an existing account.
    public var thumbprint: String
    /// The account key as its JWK JSON (RFC 7638 members only).
    public var jwk: String
    /// `valid`, `deactivated` or `revoked`.
    public var status: ACMEStatus
    /// Contact URLs (`mailto:`), as a JSON array.
    public var contact: [String]
    public var termsAgreed: Bool
    public var createdAt: Date

    public init(
        id: String, authoritySerial: String, thumbprint: String, jwk: String, status: ACMEStatus, contact: [String],
        termsAgreed: Bool, createdAt: Date
    ) {
        self.id = id
        self.authoritySerial = authoritySerial
        self.thumbprint = thumbprint
        self.jwk = jwk
        self.status = status
        self.contact = contact
        self.termsAgreed = termsAgreed
        self.createdAt = createdAt
    }
}

extension Transaction {
    /// Records a nonce's single use; false if it was used before. Rows stay until the nonce would have
    /// expired anyway, so that the table holds only nonces that could still be replayed.
    public func markNonceUsed(_ value: String, expiresAt: Date) async throws -> Bool {
        try await run {
            try await database.raw(
                """
                INSERT INTO acme_nonces (value, expires_at) VALUES (\(bind: value), \(bind: expiresAt.storedSeconds))
                ON CONFLICT (value) DO NOTHING RETURNING value
                """
            ).first() != nil
        }
    }

    /// The secret called `name`, created from `make` by the first node that asks; every later call, on any
    /// node, gets the same value.
    public func secret(named name: String, make: @Sendable () -> String) async throws -> String {
        try await run {
            try await database.raw(
                "INSERT INTO secrets (name, value) VALUES (\(bind: name), \(bind: make())) ON CONFLICT (name) DO NOTHING"
            ).run()
            guard let row = try await database.raw("SELECT value FROM secrets WHERE name = \(bind: name)").first() else {
                throw CAError(.storage, "the secret \(name) could not be stored")
            }
            return try row.decode(column: "value", as: String.self)
        }
    }

    /// Removes used nonces that have expired (they are refused by their expiry now); returns how many.
    public func deleteExpiredNonces(now: Date) async throws -> Int {
        try await run {
            try await database.raw(
                "DELETE FROM acme_nonces WHERE expires_at <= \(bind: now.storedSeconds) RETURNING value"
            ).all().count
        }
    }

    public func insertACMEAccount(_ account: ACMEAccountRecord) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO acme_accounts (id, authority_serial, thumbprint, jwk, status, contact, terms_agreed, created_at)
                VALUES (\(bind: account.id), \(bind: account.authoritySerial), \(bind: account.thumbprint), \(bind: account.jwk),
                \(bind: account.status.rawValue), \(bind: try Self.encodeContact(account.contact)), \(bind: account.termsAgreed ? 1 : 0),
                \(bind: account.createdAt.storedSeconds))
                """
            ).run()
        }
    }

    public func acmeAccount(authority: String, thumbprint: String) async throws -> ACMEAccountRecord? {
        try await run {
            try await database.raw(
                """
                SELECT \(unsafeRaw: Self.acmeAccountColumns) FROM acme_accounts
                WHERE authority_serial = \(bind: authority) AND thumbprint = \(bind: thumbprint)
                """
            ).first().map(Self.acmeAccount(from:))
        }
    }

    public func acmeAccount(id: String) async throws -> ACMEAccountRecord? {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.acmeAccountColumns) FROM acme_accounts WHERE id = \(bind: id)"
            ).first().map(Self.acmeAccount(from:))
        }
    }

    /// Saves an account's contact and status (the only fields an account update may change).
    public func updateACMEAccount(_ account: ACMEAccountRecord) async throws {
        try await run {
            try await database.raw(
                """
                UPDATE acme_accounts SET contact = \(bind: try Self.encodeContact(account.contact)), status = \(bind: account.status.rawValue)
                WHERE id = \(bind: account.id)
                """
            ).run()
        }
    }

    static let acmeAccountColumns = "id, authority_serial, thumbprint, jwk, status, contact, terms_agreed, created_at"

    static func acmeAccount(from row: any SQLRow) throws -> ACMEAccountRecord {
        let contactJSON = try row.decode(column: "contact", as: String.self)
        let contact = (try? JSONDecoder().decode([String].self, from: Data(contactJSON.utf8))) ?? []
        return ACMEAccountRecord(
            id: try row.decode(column: "id", as: String.self),
            authoritySerial: try row.decode(column: "authority_serial", as: String.self),
            thumbprint: try row.decode(column: "thumbprint", as: String.self),
            jwk: try row.decode(column: "jwk", as: String.self),
            status: try row.decode(column: "status", as: ACMEStatus.self),
            contact: contact,
            termsAgreed: try row.decode(column: "terms_agreed", as: Int.self) != 0,
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    static func encodeContact(_ contact: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(contact), as: UTF8.self)
    }
}

/// An External Account Binding key (RFC 8555 §7.3.4), created by `swift-ca acme-eab`.
public struct ACMEExternalAccountKeyRecord: Sendable, Equatable {
    public var keyID: String
    /// nil: the key is good for every CA.
    public var authoritySerial: String?
    /// The HMAC key, base64url as the client is given it.
    public var macKey: String
    public var comment: String
    /// The account the key was bound to; a key binds one account only.
    public var accountID: String?
    public var createdAt: Date

    public init(keyID: String, authoritySerial: String?, macKey: String, comment: String, accountID: String?, createdAt: Date) {
        self.keyID = keyID
        self.authoritySerial = authoritySerial
        self.macKey = macKey
        self.comment = comment
        self.accountID = accountID
        self.createdAt = createdAt
    }
}

extension Transaction {
    /// A key change (RFC 8555 §7.3.5): the account keeps its id, its key and thumbprint are replaced.
    public func updateACMEAccountKey(id: String, thumbprint: String, jwk: String) async throws {
        try await run {
            try await database.raw(
                "UPDATE acme_accounts SET thumbprint = \(bind: thumbprint), jwk = \(bind: jwk) WHERE id = \(bind: id)"
            ).run()
        }
    }

    public func insertExternalAccountKey(_ key: ACMEExternalAccountKeyRecord) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO acme_external_account_keys (key_id, authority_serial, mac_key, comment, account_id, created_at)
                VALUES (\(bind: key.keyID), \(bind: key.authoritySerial), \(bind: key.macKey), \(bind: key.comment),
                \(bind: key.accountID), \(bind: key.createdAt.storedSeconds))
                """
            ).run()
        }
    }

    public func externalAccountKey(id: String) async throws -> ACMEExternalAccountKeyRecord? {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.externalKeyColumns) FROM acme_external_account_keys WHERE key_id = \(bind: id)"
            ).first().map(Self.externalKey(from:))
        }
    }

    public func externalAccountKeys() async throws -> [ACMEExternalAccountKeyRecord] {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.externalKeyColumns) FROM acme_external_account_keys ORDER BY created_at, key_id"
            ).all().map(Self.externalKey(from:))
        }
    }

    /// Binds an unused key to an account; false if another account took it first.
    public func bindExternalAccountKey(id: String, account: String) async throws -> Bool {
        try await run {
            try await database.raw(
                """
                UPDATE acme_external_account_keys SET account_id = \(bind: account)
                WHERE key_id = \(bind: id) AND account_id IS NULL RETURNING key_id
                """
            ).first() != nil
        }
    }

    static let externalKeyColumns = "key_id, authority_serial, mac_key, comment, account_id, created_at"

    static func externalKey(from row: any SQLRow) throws -> ACMEExternalAccountKeyRecord {
        ACMEExternalAccountKeyRecord(
            keyID: try row.decode(column: "key_id", as: String.self),
            authoritySerial: try row.decode(column: "authority_serial", as: String?.self),
            macKey: try row.decode(column: "mac_key", as: String.self),
            comment: try row.decode(column: "comment", as: String.self),
            accountID: try row.decode(column: "account_id", as: String?.self),
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)))
    }
}
