import Foundation
import Testing
@testable import CAStore

/// ACME nonces: good once, not after they expire, and cleaned up when expired.
@Suite struct NonceStoreTests {
    @Test func aNonceIsGoodOnceAndOnlyUntilItExpires() async throws {
        let path = try StoreTests.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try await Store.openSQLite(path: path)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.insertNonce("fresh", expiresAt: now.addingTimeInterval(3_600))
        try await store.insertNonce("stale", expiresAt: now.addingTimeInterval(-1))
        try await store.insertNonce("kept", expiresAt: now.addingTimeInterval(3_600))

        #expect(try await store.consumeNonce("fresh", now: now))
        #expect(try await !store.consumeNonce("fresh", now: now), "a nonce is good once")
        #expect(try await !store.consumeNonce("never-issued", now: now))
        #expect(try await store.deleteExpiredNonces(now: now) == 1)
        #expect(try await !store.consumeNonce("stale", now: now))
        #expect(try await store.consumeNonce("kept", now: now))
        await store.shutdown()
    }
}
