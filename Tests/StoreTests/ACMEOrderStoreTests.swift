import Foundation
import Testing
@testable import CAStore
import TestSupport
import CACore

/// ACME orders as stored: read back whole, and cleaned up when expired unless they produced a certificate.
@Suite(.timeLimit(.minutes(10))) struct ACMEOrderStoreTests {
    static func order(_ id: String, account: String, expiresAt: Date, certificate: String? = nil, now: Date) -> ACMEOrderRecord {
        ACMEOrderRecord(
            id: id, accountID: account, status: certificate == nil ? .pending : .valid, expiresAt: expiresAt,
            identifiers: [ACMEIdentifier(type: "dns", value: "\(id).example.test")], notAfter: now.addingTimeInterval(86_400),
            profile: "webserver", certificateSerial: certificate, createdAt: now)
    }

    @Test func ordersRoundTripAndExpiredOnesWithoutCertificateAreCleanedUp() async throws {
        let database = try TemporaryDatabase()
        let store = try await StoreTests.open(database)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.write { try await $0.insertAuthority(StoreTests.authority(serial: "AA")) }
        try await store.write { try await $0.insertACMEAccount(ACMEAccountRecord(
            id: "acct", authoritySerial: "AA", thumbprint: "t", jwk: "{}", status: .valid, contact: [], termsAgreed: true, createdAt: now)) }

        let past = now.addingTimeInterval(-60)
        let future = now.addingTimeInterval(3_600)
        for (order, expires) in [("expired", past), ("issued", past), ("open", future)] {
            let record = Self.order(order, account: "acct", expiresAt: expires, certificate: order == "issued" ? "0A" : nil, now: now)
            let authorization = ACMEAuthorizationRecord(
                id: "authz-\(order)", orderID: order, identifier: record.identifiers[0], wildcard: false, status: .pending, expiresAt: expires)
            let challenge = ACMEChallengeRecord(id: "chall-\(order)", authorizationID: authorization.id, type: "http-01", token: "tok", status: .pending)
            try await store.write { try await $0.insertACMEOrder(record, authorizations: [authorization], challenges: [challenge]) }
        }
        #expect(try await store.write { try await $0.acmeOrder(id: "open") } == Self.order("open", account: "acct", expiresAt: future, now: now))
        #expect(try await store.write { try await $0.acmeOrder(certificateSerial: "0A") }?.id == "issued")
        #expect(try await store.write { try await $0.acmeOrderIDs(account: "acct") }.sorted() == ["expired", "issued", "open"])

        let deleted = try await store.write { try await $0.deleteExpiredACMEOrders(now: now) }
        #expect(deleted.orders == 1 && deleted.authorizations == 2)
        #expect(try await store.write { try await $0.acmeOrder(id: "expired") } == nil)
        #expect(try await store.write { try await $0.acmeOrder(id: "issued") } != nil, "an order with a certificate stays for revokeCert and ARI")
        #expect(try await store.write { try await $0.acmeAuthorization(id: "authz-issued") } == nil)
        #expect(try await store.write { try await $0.acmeChallenge(id: "chall-open") } != nil)
        await store.shutdown()
    }
}
