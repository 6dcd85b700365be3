import CACore
import CAStore
import Foundation

/// What a queued signing request completes once a node with CA keys has signed it.
public enum SigningQueuePurpose: String, Sendable, CaseIterable {
    /// An ACME order finalized on a public node: it turns `valid` (or `invalid`) with the signature.
    case acmeOrder = "acme-order"
    /// A REST API order made on a public node: it turns `issued` (or `failed`).
    case apiOrder = "api-order"
}

/// What became of a queued signing request.
public enum QueuedSigningOutcome: Sendable, Equatable {
    case issued(serial: String)
    case refused(String)
}

/// Signing on behalf of nodes without CA keys (`serve --role public`): the request waits in `signing_queue`
/// beside the record it completes, a node with keys claims it, signs it through the one issuance path, and
/// completes the record in the certificate's own transaction. ACME and REST API orders share every step.
extension Authority {
    /// How recently a signing node must have been seen for a public node to queue work for it: three of its
    /// heartbeats (one per CA_JOB_INTERVAL), and two seconds for clocks and commits.
    public var signingNodeWindow: TimeInterval { 3 * settings.jobs.schedulerInterval + 2 }

    /// Whether a node with CA keys has shown itself within `signingNodeWindow`.
    public func signingNodeIsAlive(now: Date = Date()) async throws -> Bool {
        guard let lastSeen = try await store.read({ try await $0.lastSeenNode(role: .all, now: now) }) else { return false }
        return now.timeIntervalSince(lastSeen) <= signingNodeWindow
    }

    /// ACME finalization on a node with keys: signs, and the order turns `valid` in the certificate's transaction.
    /// Of two concurrent finalizations of one order, one issues; the other finds the order no longer ready.
    public func finalizeACMEOrder(
        _ orderID: String, csr: [UInt8], request: SigningRequest, authority serial: String
    ) async throws -> IssuedCertificate {
        try await sign(
            csr: csr, request: request, authority: serial, password: settings.configuredPassword(forSerial: serial), auditDetail: nil
        ) { transaction, record in
            guard var order = try await transaction.acmeOrder(id: orderID), order.status == .ready else {
                throw ACMEProblem.orderNotReady("the order is no longer ready")
            }
            order.status = .valid
            order.certificateSerial = record.serial
            try await transaction.updateACMEOrder(order)
        }
    }

    /// ACME finalization on a public node: the order turns `processing` and its CSR waits for a signing node.
    public func queueACMEOrder(
        _ orderID: String, csr: [UInt8], request: SigningRequest, authority serial: String, now: Date = Date()
    ) async throws -> ACMEOrderRecord {
        let entry = try Self.queueEntry(.acmeOrder, reference: orderID, csr: csr, request: request, authority: serial, now: now)
        return try await store.write { transaction in
            guard var order = try await transaction.acmeOrder(id: orderID), order.status == .ready else {
                throw ACMEProblem.orderNotReady("the order is no longer ready")
            }
            order.status = .processing
            try await transaction.updateACMEOrder(order)
            try await transaction.enqueueSigning(entry)
            return order
        }
    }

    /// REST API signing on a node with keys: signs at once and records an order that is already issued, in the
    /// certificate's transaction. django-ca's API answers every signature with an order, and clients written for
    /// it take the order's slug and poll `…/orders/{slug}/`; here they find it issued, with the certificate's serial.
    public func signAPIOrder(
        csr: [UInt8], request: SigningRequest, authority identifier: String, password: String? = nil, user: String, source: String,
        admitting: @escaping @Sendable (AuthorityRecord) throws -> Void = { _ in }
    ) async throws -> (certificate: IssuedCertificate, order: APIOrderRecord) {
        try await signRecordingAPIOrder(
            csr: csr, request: request, authority: identifier, password: password, auditDetail: nil, user: user, source: source,
            admitting: admitting)
    }

    /// `resign` for the REST API: the new certificate and its issued order, as `signAPIOrder` makes them.
    public func resignAPIOrder(
        _ identifier: String, expiresDays: Int?, watchers: [String], password: String? = nil, user: String, source: String
    ) async throws -> (certificate: IssuedCertificate, order: APIOrderRecord) {
        let replay = try await resignRequest(identifier, expiresDays: expiresDays, watchers: watchers)
        return try await signRecordingAPIOrder(
            csr: replay.csr, request: replay.request, authority: replay.original.authoritySerial, password: password,
            auditDetail: "re-signs \(replay.original.serial)", user: user, source: source, admitting: { _ in })
    }

    private func signRecordingAPIOrder(
        csr: [UInt8], request: SigningRequest, authority identifier: String, password: String?, auditDetail: String?, user: String,
        source: String,
        admitting: @escaping @Sendable (AuthorityRecord) throws -> Void
    ) async throws -> (certificate: IssuedCertificate, order: APIOrderRecord) {
        let slug = Self.randomSlug()
        let now = Date()
        func order(for record: CertificateRecord) -> APIOrderRecord {
            APIOrderRecord(
                slug: slug, authoritySerial: record.authoritySerial, userName: user, source: source, status: .issued,
                certificateSerial: record.serial, error: nil, createdAt: now, updatedAt: now)
        }
        let issued = try await sign(
            csr: csr, request: request, authority: identifier, password: password, auditDetail: auditDetail,
            completing: { transaction, record in try await transaction.insertAPIOrder(order(for: record)) }, admitting: admitting)
        return (issued, order(for: issued.record))
    }

    /// REST API signing on a public node: a pending order and its queue entry, in one transaction.
    public func queueAPIOrder(
        csr: [UInt8], request: SigningRequest, authority serial: String, user: String, source: String, now: Date = Date()
    ) async throws -> APIOrderRecord {
        let slug = Self.randomSlug()
        let order = APIOrderRecord(
            slug: slug, authoritySerial: serial, userName: user, source: source, status: .pending,
            certificateSerial: nil, error: nil, createdAt: now, updatedAt: now)
        let entry = try Self.queueEntry(.apiOrder, reference: slug, csr: csr, request: request, authority: serial, now: now)
        try await store.write { transaction in
            try await transaction.insertAPIOrder(order)
            try await transaction.enqueueSigning(entry)
        }
        return order
    }

    /// Takes the oldest request no other node holds (for `claimSeconds`), and records this node as alive.
    public func claimQueuedSigning(node: String, now: Date = Date(), claimSeconds: TimeInterval) async throws -> QueuedSigning? {
        try await store.write { try await $0.claimQueuedSigning(node: node, now: now, claimSeconds: claimSeconds) }
    }

    /// Records that this signing node is alive, so that public nodes queue work for it.
    public func recordSigningNodeSeen(node: String, at date: Date = Date()) async throws {
        try await store.write(durability: .deferred) { try await $0.recordNodeSeen(node: node, role: .all, at: date) }
    }

    /// Signs a claimed request and completes its record in the certificate's transaction, or, if the CA refuses,
    /// removes it and marks the record failed with the reason. A storage failure leaves it queued for the next try.
    public func signQueued(_ entry: QueuedSigning) async throws -> QueuedSigningOutcome {
        guard let purpose = SigningQueuePurpose(rawValue: entry.purpose) else {
            _ = try await store.write { try await $0.deleteQueuedSigning(id: entry.id) }
            return .refused("unknown purpose \(entry.purpose)")
        }
        // An API order is signed as its creator: the audit log names them and their address.
        var actor = AuditActor(name: "queue", source: "signing queue")
        if purpose == .apiOrder {
            guard let order = try await store.read({ try await $0.apiOrder(slug: entry.reference) }) else {
                _ = try await store.write { try await $0.deleteQueuedSigning(id: entry.id) }
                return .refused("API order \(entry.reference) no longer exists")
            }
            actor = AuditActor(name: order.userName, source: order.source)
        } else if let order = try await store.read({ try await $0.acmeOrder(id: entry.reference) }) {
            actor = AuditActor(name: "acme:\(order.accountID)", source: "signing queue")
        }
        do {
            let request = try JSONDecoder().decode(SigningRequest.self, from: Data(entry.request.utf8))
            let issued = try await AuditActor.$current.withValue(actor) {
                try await sign(
                    csr: entry.csrDER, request: request, authority: entry.authoritySerial,
                    password: settings.configuredPassword(forSerial: entry.authoritySerial), auditDetail: nil
                ) { transaction, record in
                    guard try await transaction.deleteQueuedSigning(id: entry.id) else {
                        throw CAError(.conflict, "the signing request was handled by another node")
                    }
                    try await Self.complete(purpose, reference: entry.reference, in: transaction, with: .issued(serial: record.serial))
                }
            }
            return .issued(serial: issued.record.serial)
        } catch let error as CAError where error.kind == .storage {
            throw error
        } catch {
            let caError = error as? CAError ?? CAError(.invalidInput, "the queued signing request cannot be read")
            try await store.write { transaction in
                guard try await transaction.deleteQueuedSigning(id: entry.id) else { return }
                try await Self.complete(purpose, reference: entry.reference, in: transaction, with: .refused(caError))
            }
            return .refused(caError.message)
        }
    }

    private enum Completion {
        case issued(serial: String)
        case refused(CAError)
    }

    /// Moves the record a queue entry completes to its outcome, unless it has already left the waiting state.
    private static func complete(
        _ purpose: SigningQueuePurpose, reference: String, in transaction: Transaction, with completion: Completion
    ) async throws {
        switch purpose {
        case .acmeOrder:
            guard var order = try await transaction.acmeOrder(id: reference), order.status == .processing else {
                if case .issued = completion { throw CAError(.conflict, "ACME order \(reference) is no longer processing") }
                return
            }
            switch completion {
            case .issued(let serial):
                order.status = .valid
                order.certificateSerial = serial
            case .refused(let error):
                order.status = .invalid
                order.error = ACMEProblem(error).jsonText
            }
            try await transaction.updateACMEOrder(order)
        case .apiOrder:
            let finished: Bool
            switch completion {
            case .issued(let serial):
                finished = try await transaction.finishAPIOrder(
                    slug: reference, status: .issued, certificateSerial: serial, error: nil, at: Date())
            case .refused(let error):
                finished = try await transaction.finishAPIOrder(
                    slug: reference, status: .failed, certificateSerial: nil, error: error.message, at: Date())
            }
            if !finished, case .issued = completion { throw CAError(.conflict, "API order \(reference) is no longer pending") }
        }
    }

    private static func queueEntry(
        _ purpose: SigningQueuePurpose, reference: String, csr: [UInt8], request: SigningRequest, authority: String, now: Date
    ) throws -> QueuedSigning {
        QueuedSigning(
            id: randomSlug(), purpose: purpose.rawValue, reference: reference, authoritySerial: authority, csrDER: csr,
            request: String(decoding: try JSONEncoder().encode(request), as: UTF8.self), createdAt: now)
    }

    /// 128 random bits in base64url: unguessable, so that knowing one is not a way in.
    static func randomSlug() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
