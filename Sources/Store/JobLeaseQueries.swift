import CACore
import Foundation
import SQLKit

/// Cluster-wide scheduling of periodic jobs: one row per job says when it is next due and which node, if any,
/// holds it until when. Every claim is one conditional UPDATE, so among nodes sharing the database exactly
/// one wins each due time, and a holder that dies loses the job when its lease runs out.
extension Transaction {
    /// Takes `job` for `node` if it is due and nobody holds a live lease. Returns false when another node
    /// has it or it is not due yet.
    public func claimJob(_ job: String, node: String, now: Date, leaseSeconds: TimeInterval) async throws -> Bool {
        try await run {
            try await database.raw(
                """
                INSERT INTO job_leases (name, holder, lease_expires_at, next_due_at)
                VALUES (\(bind: job), NULL, 0, 0) ON CONFLICT (name) DO NOTHING
                """
            ).run()
            return try await database.raw(
                """
                UPDATE job_leases SET holder = \(bind: node),
                lease_expires_at = \(bind: now.addingTimeInterval(leaseSeconds).storedSeconds)
                WHERE name = \(bind: job) AND next_due_at <= \(bind: now.storedSeconds)
                AND (holder IS NULL OR lease_expires_at <= \(bind: now.storedSeconds))
                RETURNING name
                """
            ).first() != nil
        }
    }

    /// Extends a lease while a long run goes on. Returns false if the lease was lost (it ran out and
    /// another node took the job), so that the caller can tell its run may overlap another.
    public func renewJobLease(_ job: String, node: String, now: Date, leaseSeconds: TimeInterval) async throws -> Bool {
        try await run {
            try await database.raw(
                """
                UPDATE job_leases SET lease_expires_at = \(bind: now.addingTimeInterval(leaseSeconds).storedSeconds)
                WHERE name = \(bind: job) AND holder = \(bind: node) RETURNING name
                """
            ).first() != nil
        }
    }

    /// Ends a run: the lease is released and the job is next due `nextDue`, rounded up to the second so that
    /// two runs are never closer than the job's interval.
    public func finishJob(_ job: String, node: String, nextDue: Date) async throws {
        try await run {
            try await database.raw(
                """
                UPDATE job_leases SET holder = NULL, lease_expires_at = 0,
                next_due_at = \(bind: Int64(nextDue.timeIntervalSince1970.rounded(.up)))
                WHERE name = \(bind: job) AND holder = \(bind: node)
                """
            ).run()
        }
    }

    /// Every job's row, for `swift-ca jobs` and tests.
    public func jobLeases() async throws -> [JobLease] {
        try await run {
            try await database.raw(
                "SELECT name, holder, lease_expires_at, next_due_at FROM job_leases ORDER BY name"
            ).all().map { row in
                JobLease(
                    name: try row.decode(column: "name", as: String.self),
                    holder: try row.decode(column: "holder", as: String?.self),
                    leaseExpiresAt: Date(storedSeconds: try row.decode(column: "lease_expires_at", as: Int64.self)),
                    nextDueAt: Date(storedSeconds: try row.decode(column: "next_due_at", as: Int64.self)))
            }
        }
    }
}

/// One job's scheduling state.
public struct JobLease: Sendable, Equatable {
    public var name: String
    public var holder: String?
    public var leaseExpiresAt: Date
    public var nextDueAt: Date
}
