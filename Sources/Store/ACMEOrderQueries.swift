import CACore
import Foundation
import SQLKit

/// An identifier an order asks for (RFC 8555 §7.1.3): `dns` or `ip` (RFC 8738).
public struct ACMEIdentifier: Sendable, Codable, Hashable {
    public var type: String
    public var value: String

    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }
}

/// An ACME order (RFC 8555 §7.1.3) as stored.
public struct ACMEOrderRecord: Sendable, Equatable {
    public var id: String
    public var accountID: String
    /// `pending`, `ready`, `processing`, `valid` or `invalid`.
    public var status: ACMEStatus
    public var expiresAt: Date
    public var identifiers: [ACMEIdentifier]
    public var notBefore: Date?
    public var notAfter: Date?
    public var profile: String?
    /// ARI (RFC 9773): the certificate this order replaces, as its renewalInfo identifier.
    public var replaces: String?
    /// The problem document (JSON) that made the order invalid.
    public var error: String?
    public var certificateSerial: String?
    public var createdAt: Date

    public init(
        id: String, accountID: String, status: ACMEStatus, expiresAt: Date, identifiers: [ACMEIdentifier], notBefore: Date? = nil,
        notAfter: Date? = nil, profile: String? = nil, replaces: String? = nil, error: String? = nil,
        certificateSerial: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.accountID = accountID
        self.status = status
        self.expiresAt = expiresAt
        self.identifiers = identifiers
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.profile = profile
        self.replaces = replaces
        self.error = error
        self.certificateSerial = certificateSerial
        self.createdAt = createdAt
    }
}

/// An authorization (RFC 8555 §7.1.4): one identifier of one order.
public struct ACMEAuthorizationRecord: Sendable, Equatable {
    public var id: String
    public var orderID: String
    /// The identifier without the `*.` of a wildcard (RFC 8555 §7.1.4).
    public var identifier: ACMEIdentifier
    public var wildcard: Bool
    /// `pending`, `valid`, `invalid` or `deactivated` (expiry is computed from `expiresAt`).
    public var status: ACMEStatus
    public var expiresAt: Date

    public init(id: String, orderID: String, identifier: ACMEIdentifier, wildcard: Bool, status: ACMEStatus, expiresAt: Date) {
        self.id = id
        self.orderID = orderID
        self.identifier = identifier
        self.wildcard = wildcard
        self.status = status
        self.expiresAt = expiresAt
    }
}

/// A challenge (RFC 8555 §7.1.5) of an authorization.
public struct ACMEChallengeRecord: Sendable, Equatable {
    public var id: String
    public var authorizationID: String
    /// `http-01`, `dns-01` or `tls-alpn-01`.
    public var type: String
    public var token: String
    /// `pending`, `processing`, `valid` or `invalid`.
    public var status: ACMEStatus
    public var validatedAt: Date?
    /// The problem document (JSON) of a failed validation.
    public var error: String?

    public init(id: String, authorizationID: String, type: String, token: String, status: ACMEStatus, validatedAt: Date? = nil, error: String? = nil) {
        self.id = id
        self.authorizationID = authorizationID
        self.type = type
        self.token = token
        self.status = status
        self.validatedAt = validatedAt
        self.error = error
    }
}

extension Transaction {
    /// Stores a new order with its authorizations and challenges; the caller wraps it in a transaction.
    /// How many orders `accountID` created after `since`, and when the oldest of them was created (nil for none).
    public func acmeOrdersCreated(account accountID: String, since: Date) async throws -> (count: Int, oldest: Date?) {
        try await run {
            let row = try await database.raw(
                """
                SELECT COUNT(*) AS orders, MIN(created_at) AS oldest FROM acme_orders
                WHERE account_id = \(bind: accountID) AND created_at > \(bind: since.storedSeconds)
                """
            ).first()
            let count = try row?.decode(column: "orders", as: Int64.self) ?? 0
            let oldest = try row?.decode(column: "oldest", as: Int64?.self)
            return (Int(count), oldest.map(Date.init(storedSeconds:)))
        }
    }

    public func insertACMEOrder(
        _ order: ACMEOrderRecord, authorizations: [ACMEAuthorizationRecord], challenges: [ACMEChallengeRecord]
    ) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO acme_orders (id, account_id, status, expires_at, identifiers, not_before, not_after, profile, replaces,
                error, certificate_serial, created_at)
                VALUES (\(bind: order.id), \(bind: order.accountID), \(bind: order.status.rawValue), \(bind: order.expiresAt.storedSeconds),
                \(bind: try Self.encodeIdentifiers(order.identifiers)), \(bind: order.notBefore?.storedSeconds),
                \(bind: order.notAfter?.storedSeconds), \(bind: order.profile), \(bind: order.replaces), \(bind: order.error),
                \(bind: order.certificateSerial), \(bind: order.createdAt.storedSeconds))
                """
            ).run()
            for authorization in authorizations {
                try await database.raw(
                    """
                    INSERT INTO acme_authorizations (id, order_id, identifier_type, identifier_value, wildcard, status, expires_at)
                    VALUES (\(bind: authorization.id), \(bind: authorization.orderID), \(bind: authorization.identifier.type),
                    \(bind: authorization.identifier.value), \(bind: authorization.wildcard ? 1 : 0), \(bind: authorization.status.rawValue),
                    \(bind: authorization.expiresAt.storedSeconds))
                    """
                ).run()
            }
            for challenge in challenges {
                try await database.raw(
                    """
                    INSERT INTO acme_challenges (id, authorization_id, type, token, status, validated_at, error)
                    VALUES (\(bind: challenge.id), \(bind: challenge.authorizationID), \(bind: challenge.type), \(bind: challenge.token),
                    \(bind: challenge.status.rawValue), \(bind: challenge.validatedAt?.storedSeconds), \(bind: challenge.error))
                    """
                ).run()
            }
        }
    }

    public func acmeOrder(id: String) async throws -> ACMEOrderRecord? {
        try await run {
            try await database.raw("SELECT \(unsafeRaw: Self.orderColumns) FROM acme_orders WHERE id = \(bind: id)")
                .first().map(Self.order(from:))
        }
    }

    /// The order that produced a certificate, if it came from ACME.
    public func acmeOrder(certificateSerial serial: String) async throws -> ACMEOrderRecord? {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.orderColumns) FROM acme_orders WHERE certificate_serial = \(bind: serial)"
            ).first().map(Self.order(from:))
        }
    }

    /// The ids of an account's orders, oldest first.
    public func acmeOrderIDs(account: String) async throws -> [String] {
        try await run {
            try await database.raw(
                "SELECT id FROM acme_orders WHERE account_id = \(bind: account) ORDER BY created_at, id"
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    public func updateACMEOrder(_ order: ACMEOrderRecord) async throws {
        try await run {
            try await database.raw(
                """
                UPDATE acme_orders SET status = \(bind: order.status.rawValue), error = \(bind: order.error),
                certificate_serial = \(bind: order.certificateSerial) WHERE id = \(bind: order.id)
                """
            ).run()
        }
    }

    public func acmeAuthorizations(order: String) async throws -> [ACMEAuthorizationRecord] {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.authorizationColumns) FROM acme_authorizations WHERE order_id = \(bind: order) ORDER BY id"
            ).all().map(Self.authorization(from:))
        }
    }

    public func acmeAuthorization(id: String) async throws -> ACMEAuthorizationRecord? {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.authorizationColumns) FROM acme_authorizations WHERE id = \(bind: id)"
            ).first().map(Self.authorization(from:))
        }
    }

    public func updateACMEAuthorizationStatus(id: String, status: ACMEStatus) async throws {
        try await run {
            try await database.raw("UPDATE acme_authorizations SET status = \(bind: status.rawValue) WHERE id = \(bind: id)").run()
        }
    }

    /// The identifiers an account holds valid, unexpired authorizations for (revokeCert by an account that
    /// is authorised for every name of a certificate, RFC 8555 §7.6).
    public func validAuthorizedIdentifiers(account: String, now: Date) async throws -> Set<ACMEIdentifier> {
        try await run {
            let rows = try await database.raw(
                """
                SELECT a.identifier_type, a.identifier_value FROM acme_authorizations a JOIN acme_orders o ON o.id = a.order_id
                WHERE o.account_id = \(bind: account) AND a.status = 'valid' AND a.expires_at > \(bind: now.storedSeconds)
                """
            ).all()
            return Set(try rows.map {
                ACMEIdentifier(
                    type: try $0.decode(column: "identifier_type", as: String.self),
                    value: try $0.decode(column: "identifier_value", as: String.self))
            })
        }
    }

    public func acmeChallenges(authorization: String) async throws -> [ACMEChallengeRecord] {
        try await run {
            try await database.raw(
                "SELECT \(unsafeRaw: Self.challengeColumns) FROM acme_challenges WHERE authorization_id = \(bind: authorization) ORDER BY type"
            ).all().map(Self.challenge(from:))
        }
    }

    public func acmeChallenge(id: String) async throws -> ACMEChallengeRecord? {
        try await run {
            try await database.raw("SELECT \(unsafeRaw: Self.challengeColumns) FROM acme_challenges WHERE id = \(bind: id)")
                .first().map(Self.challenge(from:))
        }
    }

    public func updateACMEChallenge(_ challenge: ACMEChallengeRecord) async throws {
        try await run {
            try await database.raw(
                """
                UPDATE acme_challenges SET status = \(bind: challenge.status.rawValue), validated_at = \(bind: challenge.validatedAt?.storedSeconds),
                error = \(bind: challenge.error) WHERE id = \(bind: challenge.id)
                """
            ).run()
        }
    }

    /// Deletes expired authorizations (with their challenges) and expired orders that never got a
    /// certificate. Orders with a certificate stay: they tie it to its account for revokeCert and ARI.
    /// Returns how many orders and authorizations were deleted.
    public func deleteExpiredACMEOrders(now: Date) async throws -> (orders: Int, authorizations: Int) {
        try await run {
            let cutoff = now.storedSeconds
            try await database.raw(
                """
                DELETE FROM acme_challenges WHERE authorization_id IN (
                SELECT a.id FROM acme_authorizations a JOIN acme_orders o ON o.id = a.order_id
                WHERE a.expires_at <= \(bind: cutoff) OR (o.expires_at <= \(bind: cutoff) AND o.certificate_serial IS NULL))
                """
            ).run()
            let authorizations = try await database.raw(
                """
                DELETE FROM acme_authorizations WHERE expires_at <= \(bind: cutoff) OR order_id IN (
                SELECT id FROM acme_orders WHERE expires_at <= \(bind: cutoff) AND certificate_serial IS NULL) RETURNING id
                """
            ).all().count
            let orders = try await database.raw(
                "DELETE FROM acme_orders WHERE expires_at <= \(bind: cutoff) AND certificate_serial IS NULL RETURNING id"
            ).all().count
            return (orders, authorizations)
        }
    }

    static let orderColumns =
        "id, account_id, status, expires_at, identifiers, not_before, not_after, profile, replaces, error, certificate_serial, created_at"
    static let authorizationColumns = "id, order_id, identifier_type, identifier_value, wildcard, status, expires_at"
    static let challengeColumns = "id, authorization_id, type, token, status, validated_at, error"

    static func order(from row: any SQLRow) throws -> ACMEOrderRecord {
        let identifiersJSON = try row.decode(column: "identifiers", as: String.self)
        return ACMEOrderRecord(
            id: try row.decode(column: "id", as: String.self),
            accountID: try row.decode(column: "account_id", as: String.self),
            status: try row.decode(column: "status", as: ACMEStatus.self),
            expiresAt: Date(storedSeconds: try row.decode(column: "expires_at", as: Int64.self)),
            identifiers: try JSONDecoder().decode([ACMEIdentifier].self, from: Data(identifiersJSON.utf8)),
            notBefore: try row.decode(column: "not_before", as: Int64?.self).map(Date.init(storedSeconds:)),
            notAfter: try row.decode(column: "not_after", as: Int64?.self).map(Date.init(storedSeconds:)),
            profile: try row.decode(column: "profile", as: String?.self),
            replaces: try row.decode(column: "replaces", as: String?.self),
            error: try row.decode(column: "error", as: String?.self),
            certificateSerial: try row.decode(column: "certificate_serial", as: String?.self),
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    static func authorization(from row: any SQLRow) throws -> ACMEAuthorizationRecord {
        ACMEAuthorizationRecord(
            id: try row.decode(column: "id", as: String.self),
            orderID: try row.decode(column: "order_id", as: String.self),
            identifier: ACMEIdentifier(
                type: try row.decode(column: "identifier_type", as: String.self),
                value: try row.decode(column: "identifier_value", as: String.self)),
            wildcard: try row.decode(column: "wildcard", as: Int.self) != 0,
            status: try row.decode(column: "status", as: ACMEStatus.self),
            expiresAt: Date(storedSeconds: try row.decode(column: "expires_at", as: Int64.self)))
    }

    static func challenge(from row: any SQLRow) throws -> ACMEChallengeRecord {
        ACMEChallengeRecord(
            id: try row.decode(column: "id", as: String.self),
            authorizationID: try row.decode(column: "authorization_id", as: String.self),
            type: try row.decode(column: "type", as: String.self),
            token: try row.decode(column: "token", as: String.self),
            status: try row.decode(column: "status", as: ACMEStatus.self),
            validatedAt: try row.decode(column: "validated_at", as: Int64?.self).map(Date.init(storedSeconds:)),
            error: try row.decode(column: "error", as: String?.self))
    }

    static func encodeIdentifiers(_ identifiers: [ACMEIdentifier]) throws -> String {
        String(decoding: try JSONEncoder().encode(identifiers), as: UTF8.self)
    }
}

extension Transaction {
    /// Whether an order that is not invalid already replaces this certificate (ARI, RFC 9773 `replaces`).
    public func acmeOrderExists(replacing certificateIdentifier: String) async throws -> Bool {
        try await run {
            try await database.raw(
                "SELECT id FROM acme_orders WHERE replaces = \(bind: certificateIdentifier) AND status <> 'invalid' LIMIT 1"
            ).first() != nil
        }
    }
}
