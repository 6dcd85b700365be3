import CAAccess
import CAAuthority
import CACore
import CAStore
import Foundation

/// Signing through the API on a node without CA keys (`serve --role public`): the request waits in
/// `signing_queue` beside an `api_orders` row, a node with keys signs it through the one issuance path
/// (`SigningQueueWorker`), and the client polls the order, as django-ca's API always works.
public enum APIOrderSigning {
    public static let purpose = "api-order"

    public enum Outcome: Sendable, Equatable {
        case issued(serial: String)
        case refused(String)
    }

    /// Writes the order and its queue entry in one transaction. Refused (503) when no signing node has been
    /// seen lately: the order would wait for nobody.
    static func queue(
        csr: [UInt8], request: SigningRequest, authority: AuthorityRecord, user: String, origin: RequestOrigin,
        on ca: Authority, now: Date = Date()
    ) async throws -> APIOrderRecord {
        let store = ca.store
        // The same liveness rule ACME finalization uses: three missed heartbeats and a little slack.
        let window = 3 * ca.settings.jobs.schedulerInterval + 2
        guard let lastSeen = try await store.lastSeenNode(role: "all", now: now), now.timeIntervalSince(lastSeen) <= window else {
            throw CAError(
                .keyAccess,
                "no node can sign: this server runs with --role public and no node with --role all has been seen in the last \(Int(window)) seconds")
        }
        let slug = randomSlug()
        let order = APIOrderRecord(
            slug: slug, authoritySerial: authority.serial, userName: user, source: origin.address, status: .pending,
            certificateSerial: nil, error: nil, createdAt: now, updatedAt: now)
        let entry = QueuedSigning(
            id: randomSlug(), purpose: purpose, reference: slug, authoritySerial: authority.serial, csrDER: csr,
            request: String(decoding: try JSONEncoder().encode(request), as: UTF8.self), createdAt: now)
        try await store.transaction {
            try await store.insertAPIOrder(order)
            try await store.enqueueSigning(entry)
        }
        return order
    }

    /// On a node with CA keys: signs a queued API order as its creator (the audit log names them and their
    /// address), and marks the order issued in the certificate's transaction, or failed with the reason.
    /// A storage failure leaves the entry queued for the next try.
    public static func process(_ entry: QueuedSigning, authority: Authority) async throws -> Outcome {
        let store = authority.store
        guard let order = try await store.apiOrder(slug: entry.reference) else {
            _ = try await store.deleteQueuedSigning(id: entry.id)
            return .refused("API order \(entry.reference) no longer exists")
        }
        let actor = AuditActor(name: order.userName, source: order.source)
        do {
            let request = try JSONDecoder().decode(SigningRequest.self, from: Data(entry.request.utf8))
            let issued = try await AuditActor.$current.withValue(actor) {
                try await authority.sign(csr: entry.csrDER, request: request, authority: entry.authoritySerial, password: nil) { record in
                    guard try await store.deleteQueuedSigning(id: entry.id) else {
                        throw CAError(.conflict, "the signing request was handled by another node")
                    }
                    guard try await store.finishAPIOrder(
                        slug: order.slug, status: .issued, certificateSerial: record.serial, error: nil, at: Date())
                    else { throw CAError(.conflict, "API order \(order.slug) is no longer pending") }
                }
            }
            return .issued(serial: issued.record.serial)
        } catch let error as CAError where error.kind == .storage {
            throw error
        } catch {
            let reason = (error as? CAError)?.message ?? "the queued signing request cannot be read"
            try await store.transaction {
                guard try await store.deleteQueuedSigning(id: entry.id) else { return }
                _ = try await store.finishAPIOrder(slug: order.slug, status: .failed, certificateSerial: nil, error: reason, at: Date())
            }
            return .refused(reason)
        }
    }

    /// 128 random bits in base64url: unguessable, so that knowing a slug is not a way in (the creator check is).
    static func randomSlug() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
