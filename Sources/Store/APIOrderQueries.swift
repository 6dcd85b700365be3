import CACore
import Foundation
import SQLKit

/// A REST API signing request that a node without CA keys queued (django-ca's order): `pending` until a
/// signing node issues the certificate (`issued`, with its serial) or refuses it (`failed`, with the reason).
public struct APIOrderRecord: Sendable, Equatable {
    public var slug: String
    public var authoritySerial: String
    /// The user who created the order; nobody else may see it.
    public var userName: String
    /// The requester's address, for the audit entry of the signature made later on another node.
    public var source: String
    public var status: Status
    public var certificateSerial: String?
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date

    public enum Status: String, Sendable {
        case pending, issued, failed
    }

    public init(
        slug: String, authoritySerial: String, userName: String, source: String, status: Status, certificateSerial: String?,
        error: String?, createdAt: Date, updatedAt: Date
    ) {
        self.slug = slug
        self.authoritySerial = authoritySerial
        self.userName = userName
        self.source = source
        self.status = status
        self.certificateSerial = certificateSerial
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Transaction {
    static let apiOrderColumns = "slug, authority_serial, user_name, source, status, certificate_serial, error, created_at, updated_at"

    public func insertAPIOrder(_ order: APIOrderRecord) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO api_orders (\(unsafeRaw: Self.apiOrderColumns)) VALUES (\(bind: order.slug), \(bind: order.authoritySerial),
                \(bind: order.userName), \(bind: order.source), \(bind: order.status.rawValue), \(bind: order.certificateSerial),
                \(bind: order.error), \(bind: order.createdAt.storedSeconds), \(bind: order.updatedAt.storedSeconds))
                """
            ).run()
        }
    }

    public func apiOrder(slug: String) async throws -> APIOrderRecord? {
        try await run {
            try await database.raw("SELECT \(unsafeRaw: Self.apiOrderColumns) FROM api_orders WHERE slug = \(bind: slug)")
                .first().map { row in
                    APIOrderRecord(
                        slug: try row.decode(column: "slug", as: String.self),
                        authoritySerial: try row.decode(column: "authority_serial", as: String.self),
                        userName: try row.decode(column: "user_name", as: String.self),
                        source: try row.decode(column: "source", as: String.self),
                        status: APIOrderRecord.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                        certificateSerial: try row.decode(column: "certificate_serial", as: String?.self),
                        error: try row.decode(column: "error", as: String?.self),
                        createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)),
                        updatedAt: Date(storedSeconds: try row.decode(column: "updated_at", as: Int64.self)))
                }
        }
    }

    /// Moves a pending order to its outcome. Returns false if it was no longer pending, so that two signing
    /// nodes can never both finish one order.
    public func finishAPIOrder(
        slug: String, status: APIOrderRecord.Status, certificateSerial: String?, error: String?, at date: Date
    ) async throws -> Bool {
        try await run {
            try await database.raw(
                """
                UPDATE api_orders SET status = \(bind: status.rawValue), certificate_serial = \(bind: certificateSerial),
                error = \(bind: error), updated_at = \(bind: date.storedSeconds)
                WHERE slug = \(bind: slug) AND status = 'pending' RETURNING slug
                """
            ).first() != nil
        }
    }
}
