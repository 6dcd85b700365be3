import Foundation
import Testing
@testable import CAStore
import TestSupport
import CACore

/// Job leases and the signing queue decide which node does what; each claim must have exactly one winner.
@Suite(.timeLimit(.minutes(10))) struct JobLeaseStoreTests {
    @Test func oneNodeWinsEachDueTimeAndADeadHoldersLeaseRunsOut() async throws {
        let database = try TemporaryDatabase()
        let first = try await StoreTests.open(database)
        let second = try await StoreTests.open(database)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await first.write { try await $0.claimJob("crls", node: "a", now: now, leaseSeconds: 60) })
        #expect(try await !second.write { try await $0.claimJob("crls", node: "b", now: now, leaseSeconds: 60) }, "a live lease keeps others out")
        #expect(try await first.write { try await $0.renewJobLease("crls", node: "a", now: now.addingTimeInterval(30), leaseSeconds: 60) })
        #expect(try await !second.write { try await $0.renewJobLease("crls", node: "b", now: now, leaseSeconds: 60) }, "only the holder renews")
        try await first.write { try await $0.finishJob("crls", node: "a", nextDue: now.addingTimeInterval(10.2)) }
        #expect(try await !second.write { try await $0.claimJob("crls", node: "b", now: now.addingTimeInterval(10), leaseSeconds: 60) }, "not due yet")
        #expect(try await second.write { try await $0.claimJob("crls", node: "b", now: now.addingTimeInterval(11), leaseSeconds: 60) })
        // b dies holding the job: nobody gets it until the lease runs out, then one node does.
        #expect(try await !first.write { try await $0.claimJob("crls", node: "a", now: now.addingTimeInterval(70), leaseSeconds: 60) })
        #expect(try await first.write { try await $0.claimJob("crls", node: "a", now: now.addingTimeInterval(71), leaseSeconds: 60) })
        try await second.write { try await $0.finishJob("crls", node: "b", nextDue: now.addingTimeInterval(500)) }
        #expect(try await first.write { try await $0.jobLeases() }.first?.holder == "a", "a finish by a node that lost its lease changes nothing")
        await first.shutdown()
        await second.shutdown()
    }

    @Test func aQueuedSigningIsClaimedOnceUntilItsClaimRunsOut() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        try await store.write { try await $0.insertAuthority(StoreTests.authority(serial: "AA")) }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<2 {
            try await store.write { try await $0.enqueueSigning(QueuedSigning(
                id: "q\(index)", purpose: "acme-order", reference: "order\(index)", authoritySerial: "AA", csrDER: [0x30, 0x00],
                request: "{}", createdAt: now.addingTimeInterval(Double(index)))) }
        }
        #expect(try await store.write { try await $0.claimQueuedSigning(node: "a", now: now, claimSeconds: 60) }?.id == "q0")
        #expect(try await store.write { try await $0.claimQueuedSigning(node: "b", now: now, claimSeconds: 60) }?.id == "q1")
        #expect(try await store.write { try await $0.claimQueuedSigning(node: "c", now: now, claimSeconds: 60) } == nil)
        #expect(try await store.write { try await $0.claimQueuedSigning(node: "c", now: now.addingTimeInterval(61), claimSeconds: 60) }?.id == "q0")
        #expect(try await store.write { try await $0.deleteQueuedSigning(id: "q0") })
        #expect(try await !store.write { try await $0.deleteQueuedSigning(id: "q0") })
        try await store.write { try await $0.recordNodeSeen(node: "a", role: .all, at: now) }
        try await store.write { try await $0.recordNodeSeen(node: "a", role: .all, at: now.addingTimeInterval(5)) }
        #expect(try await store.write { try await $0.lastSeenNode(role: .all, now: now.addingTimeInterval(6)) } == now.addingTimeInterval(5))
        #expect(try await store.write { try await $0.lastSeenNode(role: .public, now: now) } == nil)
        await store.shutdown()
    }
}
