import Foundation
import Testing
@testable import CAStore
import TestSupport
import CACore

/// ACME nonces: a nonce's use is recorded once, and forgotten when it has expired anyway.
@Suite(.timeLimit(.minutes(10))) struct NonceStoreTests {
    @Test func aNonceIsUsedOnceAndUsedNoncesAreCleanedUpAfterExpiry() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.write { try await $0.markNonceUsed("fresh", expiresAt: now.addingTimeInterval(3_600)) })
        #expect(try await !store.write { try await $0.markNonceUsed("fresh", expiresAt: now.addingTimeInterval(3_600)) }, "a nonce is good once")
        #expect(try await store.write { try await $0.markNonceUsed("stale", expiresAt: now.addingTimeInterval(-1)) })
        #expect(try await store.write { try await $0.deleteExpiredNonces(now: now) } == 1)
        #expect(try await !store.write { try await $0.markNonceUsed("fresh", expiresAt: now.addingTimeInterval(3_600)) })
        await store.shutdown()
    }

    @Test func aSecretIsCreatedOnceAndThenSharedByEveryConnection() async throws {
        let database = try TemporaryDatabase()
        let first = try await StoreTests.open(database)
        let second = try await StoreTests.open(database)
        #expect(try await first.write { try await $0.secret(named: "key") { "one" } } == "one")
        #expect(try await second.write { try await $0.secret(named: "key") { "two" } } == "one")
        #expect(try await second.write { try await $0.secret(named: "other") { "two" } } == "two")
        await first.shutdown()
        await second.shutdown()
    }
}
