import CACore
import CAStore
import Foundation

/// Periodic jobs run once per interval across every node that shares the database: a node runs a job only
/// while it holds the job's lease.
extension Authority {
    /// Takes the lease of a job that is due and that no live lease holds; false if another node has it or it is not due.
    public func claimJob(_ name: String, node: String, now: Date = Date(), leaseSeconds: TimeInterval) async throws -> Bool {
        try await store.write { try await $0.claimJob(name, node: node, now: now, leaseSeconds: leaseSeconds) }
    }

    /// Extends a lease this node holds; false if it has lost it.
    public func renewJobLease(_ name: String, node: String, now: Date = Date(), leaseSeconds: TimeInterval) async throws -> Bool {
        try await store.write { try await $0.renewJobLease(name, node: node, now: now, leaseSeconds: leaseSeconds) }
    }

    /// Gives the lease back and says when the job is next due.
    public func finishJob(_ name: String, node: String, nextDue: Date) async throws {
        try await store.write { try await $0.finishJob(name, node: node, nextDue: nextDue) }
    }

    /// Every job's lease, for `list-jobs`.
    public func jobLeases() async throws -> [JobLease] {
        try await store.read { try await $0.jobLeases() }
    }
}
