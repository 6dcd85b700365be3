import Foundation
import SQLKit
import Testing
@testable import CAStore
import TestSupport

/// The notification job's query: only watched, unrevoked certificates inside the window, each watcher
/// with the smallest threshold recorded, read through the `not_after` index.
@Suite(.timeLimit(.minutes(10))) struct NotificationStoreTests {
    @Test func watchedExpiriesCarryTheSmallestNotifiedThreshold() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        try await store.write { try await $0.insertAuthority(StoreTests.authority(serial: "AA")) }
        // Every certificate expires one day after `issued`.
        let issued = Date(timeIntervalSince1970: 1_800_000_000)
        let records = [
            StoreTests.certificate(serial: "01", authority: "AA", revoked: false),
            StoreTests.certificate(serial: "02", authority: "AA", revoked: true),
            StoreTests.certificate(serial: "03", authority: "AA", revoked: false),
        ]
        try await store.write { transaction in try await transaction.insertCertificates(records) }
        for serial in ["01", "02"] { try await store.write({ try await $0.addWatcher("ops@example.com", to: serial) }) }
        try await store.write { try await $0.addWatcher("dev@example.com", to: "01") }
        try await store.write { try await $0.recordExpiryNotification(serial: "01", email: "ops@example.com", threshold: 7, sentAt: issued) }
        try await store.write { try await $0.recordExpiryNotification(serial: "01", email: "ops@example.com", threshold: 3, sentAt: issued) }
        try await store.write { try await $0.recordExpiryNotification(serial: "01", email: "ops@example.com", threshold: 3, sentAt: issued) }

        let found = try await store.write { try await $0.watchedExpiries(after: issued, until: issued.addingTimeInterval(2 * 86_400)) }
        #expect(found.map { $0.email } == ["dev@example.com", "ops@example.com"])
        #expect(found.map { $0.lowestNotified } == [nil, 3])
        #expect(found.first?.certificate.authorityName == "CA AA")
        #expect(found.first?.certificate.notAfter == issued.addingTimeInterval(86_400))
        // Outside the window (expired, or expiring after the horizon) nothing is returned.
        #expect(try await store.write { try await $0.watchedExpiries(after: issued.addingTimeInterval(86_400), until: issued.addingTimeInterval(9 * 86_400)) }.isEmpty)
        #expect(try await store.write { try await $0.watchedExpiries(after: issued, until: issued.addingTimeInterval(3_600)) }.isEmpty)

        // The plan is SQLite's to explain; PostgreSQL chooses by its statistics.
        guard store.dialect == .sqlite else {
            await store.shutdown()
            return
        }
        var explained = SQLQueryString("EXPLAIN QUERY PLAN ")
        explained.appendInterpolation(Transaction.watchedExpiriesQuery(after: issued, until: issued))
        let finalQuery = explained
        let plan = try await store.read { try await $0.database.raw(finalQuery).all().map { try $0.decode(column: "detail", as: String.self) } }
        // Certificates come from a range on the listing index; everything else by primary key.
        #expect(plan.contains { $0.hasPrefix("SEARCH c USING COVERING INDEX certificates_listing (not_after>? AND not_after<?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.contains("INDEX") }, "\(plan)")
        await store.shutdown()
    }
}
