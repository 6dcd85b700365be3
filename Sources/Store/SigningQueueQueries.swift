import CACore
import Foundation
import SQLKit

/// A request for a CA signature, written by a node that holds no CA key (`serve --role public`) and
/// signed by a node that does. The row lives until the certificate is stored, in the same transaction.
public struct QueuedSigning: Sendable, Equatable {
    public var id: String
    /// What the certificate is for, so that the signer knows what to update with it: `acme-order`.
    public var purpose: String
    /// The object of that purpose (the ACME order's id).
    public var reference: String
    public var authoritySerial: String
    public var csrDER: [UInt8]
    /// The SigningRequest as JSON, owned by the authority layer.
    public var request: String
    public var createdAt: Date

    public init(
        id: String, purpose: String, reference: String, authoritySerial: String, csrDER: [UInt8], request: String,
        createdAt: Date
    ) {
        self.id = id
        self.purpose = purpose
        self.reference = reference
        self.authoritySerial = authoritySerial
        self.csrDER = csrDER
        self.request = request
        self.createdAt = createdAt
    }
}

extension Transaction {
    public func enqueueSigning(_ entry: QueuedSigning) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO signing_queue (id, purpose, reference, authority_serial, csr_der, request, claimed_by, claimed_until, created_at)
                VALUES (\(bind: entry.id), \(bind: entry.purpose), \(bind: entry.reference), \(bind: entry.authoritySerial),
                \(bind: Data(entry.csrDER)), \(bind: entry.request), NULL, 0, \(bind: entry.createdAt.storedSeconds))
                """
            ).run()
        }
    }

    /// Takes the oldest request nobody holds (or whose holder's claim ran out) for `node` until
    /// `now + claimSeconds`. One UPDATE, so two signing nodes never take the same request.
    public func claimQueuedSigning(node: String, now: Date, claimSeconds: TimeInterval) async throws -> QueuedSigning? {
        try await run {
            // Signing nodes poll four times a second and the queue is almost always empty: a read first keeps
            // those polls from taking SQLite's write lock (and PostgreSQL's row locks) for nothing.
            guard try await database.raw(
                "SELECT id FROM signing_queue WHERE claimed_until <= \(bind: now.storedSeconds) LIMIT 1"
            ).first() != nil else { return nil }
            return try await database.raw(
                """
                UPDATE signing_queue SET claimed_by = \(bind: node),
                claimed_until = \(bind: now.addingTimeInterval(claimSeconds).storedSeconds)
                WHERE id = (SELECT id FROM signing_queue WHERE claimed_until <= \(bind: now.storedSeconds)
                            ORDER BY created_at, id LIMIT 1)
                AND claimed_until <= \(bind: now.storedSeconds)
                RETURNING id, purpose, reference, authority_serial, csr_der, request, created_at
                """
            ).first().map { row in
                QueuedSigning(
                    id: try row.decode(column: "id", as: String.self),
                    purpose: try row.decode(column: "purpose", as: String.self),
                    reference: try row.decode(column: "reference", as: String.self),
                    authoritySerial: try row.decode(column: "authority_serial", as: String.self),
                    csrDER: [UInt8](try row.decode(column: "csr_der", as: Data.self)),
                    request: try row.decode(column: "request", as: String.self),
                    createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)))
            }
        }
    }

    /// Removes a request once it was signed or failed for good. Returns false if it was gone already.
    public func deleteQueuedSigning(id: String) async throws -> Bool {
        try await run {
            try await database.raw("DELETE FROM signing_queue WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    /// Notes that `node` with `role` is alive; every node calls it on each scheduler tick. Nodes unseen for a
    /// day are forgotten.
    public func recordNodeSeen(node: String, role: NodeRole, at date: Date) async throws {
        try await run {
            try await database.raw("DELETE FROM server_nodes WHERE last_seen < \(bind: date.addingTimeInterval(-86_400).storedSeconds)").run()
            try await database.raw(
                """
                INSERT INTO server_nodes (node, role, last_seen) VALUES (\(bind: node), \(bind: role.rawValue), \(bind: date.storedSeconds))
                ON CONFLICT (node) DO UPDATE SET role = excluded.role, last_seen = excluded.last_seen
                """
            ).run()
        }
    }

    /// When a node of `role` was last seen; nil if never.
    public func lastSeenNode(role: NodeRole, now: Date) async throws -> Date? {
        try await run {
            try await database.raw(
                "SELECT MAX(last_seen) AS seen FROM server_nodes WHERE role = \(bind: role.rawValue)"
            ).first()?.decode(column: "seen", as: Int64?.self).map(Date.init(storedSeconds:))
        }
    }
}
