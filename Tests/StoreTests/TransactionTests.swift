import CACore
import Foundation
import Testing
import TestSupport
@testable import CAStore

/// The store's promises to its callers: writers that run at once share commits without sharing failures,
/// reads cannot write, and a transaction's handle is dead once its closure has returned.
@Suite(.timeLimit(.minutes(10))) struct TransactionTests {
    static func entry(_ detail: String) -> AuditEntry {
        AuditEntry(at: Date(timeIntervalSince1970: 1_800_000_000), actor: "test", source: "test", action: "probe", target: "t", detail: detail)
    }

    /// A write that has recorded `detail` and stays open until `release` is called.
    static func openWrite(_ store: Store, recording detail: String) async -> (writer: Task<Void, any Error>, release: () -> Void) {
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let writer = Task {
            try await store.write { transaction in
                try await transaction.recordAudit(Self.entry(detail))
                startedSignal.yield()
                for await _ in release { break }
            }
        }
        for await _ in started { break }
        return (writer, { releaseSignal.yield() })
    }

    static func details(_ store: Store) async throws -> Set<String> {
        var filter = AuditFilter()
        filter.limit = 10_000
        return Set(try await store.read { try await $0.auditEntries(filter) }.map(\.detail))
    }

    @Test func concurrentWritersAreAllStoredAndShareCommits() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        let before = store.writer.commitCount
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { try await store.write { try await $0.recordAudit(Self.entry("w\(index)")) } }
            }
            try await group.waitForAll()
        }
        #expect(try await Self.details(store) == Set((0..<200).map { "w\($0)" }))
        let commits = store.writer.commitCount - before
        #expect(commits >= 1 && commits < 200, "200 concurrent writers made \(commits) commits")
        await store.shutdown()
    }

    /// Writers B (fails) and C queue behind A and join its transaction: B's row goes, A's and C's stay.
    @Test func aFailingWriterInASharedCommitRollsBackOnlyItsOwnChanges() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        let (first, release) = await Self.openWrite(store, recording: "a")
        let failing = Task {
            try await store.write { transaction in
                try await transaction.recordAudit(Self.entry("b"))
                throw CAError(.conflict, "b refuses")
            }
        }
        let third = Task { try await store.write { try await $0.recordAudit(Self.entry("c")) } }
        while store.writer.waitingCount < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        release()
        try await first.value
        await #expect(throws: CAError(.conflict, "b refuses")) { try await failing.value }
        try await third.value
        #expect(try await Self.details(store) == ["a", "c"])
        await store.shutdown()
    }

    @Test func aReadCannotWrite() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        await #expect(throws: CAError.self) {
            try await store.read { try await $0.recordAudit(Self.entry("read")) }
        }
        #expect(try await Self.details(store).isEmpty)
        await store.shutdown()
    }

    @Test func aHandleKeptPastItsTransactionRefusesStatements() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        let kept = try await store.write { $0 }
        await #expect(throws: CAError(.storage, "a database statement was issued after its transaction ended")) {
            try await kept.recordAudit(Self.entry("late"))
        }
        let keptReader = try await store.read { $0 }
        await #expect(throws: CAError.self) { _ = try await keptReader.auditEntries(AuditFilter()) }
        #expect(try await Self.details(store).isEmpty)
        await store.shutdown()
    }

    /// A read that starts while a write is open sees the database as it was before that write.
    @Test func aReadSeesOnlyCommittedChanges() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        try await store.write { try await $0.recordAudit(Self.entry("committed")) }
        let (writer, release) = await Self.openWrite(store, recording: "open")
        #expect(try await Self.details(store) == ["committed"])
        release()
        try await writer.value
        #expect(try await Self.details(store) == ["committed", "open"])
        await store.shutdown()
    }
}
