import CACore
import CAStore
import Foundation
import X509

/// An answer ready to be sent: the DER OCSPResponse and what HTTP caching headers need.
public struct OCSPAnswer: Sendable {
    public enum Source: String, Sendable {
        /// Served from the in-memory cache.
        case cache
        /// A response pre-signed by generate-ocsp-responses, read from the database.
        case stored
        /// Signed for this request.
        case signed
        /// An OCSP error status (malformedRequest, unauthorized, tryLater, internalError).
        case error
    }

    public let der: [UInt8]
    public let source: Source
    public let status: OCSPResponseStatus
    /// Set for responses HTTP caches may keep (one CertID, no nonce).
    public let cacheable: CachedOCSPResponse?

    public static func error(_ status: OCSPResponseStatus) -> OCSPAnswer {
        OCSPAnswer(der: OCSPResponse.error(status), source: .error, status: status, cacheable: nil)
    }
}

/// The RFC 6960 responder behind `ocsp/<SERIAL>/cert/` and `ocsp/<SERIAL>/ca/`.
///
/// Answers come from the in-memory cache, then from responses pre-signed into the database, and only
/// then are signed with the CA's delegated responder key. Revocations by any process are read from
/// `status_changes` by ``pollStatusChanges()`` and evict what they affect.
///
/// Request handlers run concurrently; each database read is its own `Store.read`.
public final class OCSPResponder: @unchecked Sendable {
    // @unchecked: `identities` and `lastChangeID` are guarded by `stateLock`; the rest is immutable or Sendable.
    private let authority: Authority
    private let cache: OCSPResponseCache
    private let stateLock = NSLock()
    private var identities: [String: ResponderIdentity] = [:]
    private var lastChangeID: Int64 = 0

    public init(authority: Authority) {
        self.authority = authority
        cache = OCSPResponseCache(capacity: authority.settings.ocsp.cacheEntries)
    }

    public var cachedResponseCount: Int { cache.entryCount }

    /// Reads every CA and its current responder certificate and key. Call at start and after responder
    /// keys were renewed. Returns a message per CA that has no usable responder.
    @discardableResult
    public func reloadResponders(now: Date = Date()) async throws -> [String] {
        let loaded: ([String: ResponderIdentity], [String], Int64) = try await {
            var result: [String: ResponderIdentity] = [:]
            var problems: [String] = []
            // The latest change first: a revocation made while the identities load is then applied by the next poll.
            let latest = try await authority.store.read { try await $0.latestStatusChangeID() }
            // A CA with OCSP turned off has no identity here, so requests for it are answered unauthorized.
            for record in try await authority.authorities() where try record.configurationValue().ocspEnabled != false {
                var credentials: ResponderCredentials?
                do {
                    credentials = try await authority.responderCredentials(for: record, now: now)
                    if credentials == nil {
                        problems.append("CA \"\(record.name)\" has no current OCSP responder certificate; run generate-ocsp-keys")
                    }
                } catch let error as CAError {
                    problems.append("CA \"\(record.name)\": \(error.message)")
                }
                result[record.serial] = try ResponderIdentity(authority: record, credentials: credentials)
            }
            return (result, problems, latest)
        }()
        stateLock.withLock {
            identities = loaded.0
            // Only moves forward: a reload must not make the poller skip changes it has not applied.
            if lastChangeID == 0 { lastChangeID = loaded.2 }
        }
        return loaded.1
    }

    /// Applies revocations committed since the last poll (by this or any other process). Returns how many.
    @discardableResult
    public func pollStatusChanges() async throws -> Int {
        let after = stateLock.withLock { lastChangeID }
        let changes = try await authority.store.read { try await $0.statusChanges(after: after) }
        for change in changes { cache.evict(authority: change.authoritySerial, serial: change.serial) }
        if let last = changes.last { stateLock.withLock { lastChangeID = max(lastChangeID, last.id) } }
        return changes.count
    }

    /// Answers a DER OCSPRequest addressed to the responder of the CA with serial `authoritySerial`.
    /// Never throws: every failure is an OCSP error status.
    public func answer(_ body: [UInt8], authoritySerial: String, scope: OCSPScope, now: Date = Date()) async -> OCSPAnswer {
        let request: OCSPRequest
        do {
            request = try OCSPRequest(derEncoded: body)
        } catch {
            return .error(.malformedRequest)
        }
        guard let serial = SerialNumberText.normalize(authoritySerial),
            let identity = stateLock.withLock({ identities[serial] })
        else { return .error(.unauthorized) }
        // One signature covers all answers, so every CertID must name this CA.
        guard request.certIDs.allSatisfy(identity.isIssuer(of:)) else { return .error(.unauthorized) }
        // Without a current responder key (a public node may hold none) only pre-signed responses can be served.
        var signer: OCSPResponseSigner?
        if let current = identity.signer, let responderNotAfter = identity.responderNotAfter, responderNotAfter > now {
            signer = current
        }
        let shareable = request.nonce == nil && request.certIDs.count == 1
        let renewal = authority.settings.ocsp.responseRenewal
        if shareable {
            let key = OCSPResponseCache.ResponseKey(authority: serial, scope: scope, certID: request.certIDs[0].derEncoded)
            if let hit = cache.response(key), hit.nextUpdate.timeIntervalSince(now) > renewal {
                return OCSPAnswer(der: hit.der, source: .cache, status: .successful, cacheable: hit)
            }
        }
        let epoch = cache.epoch
        do {
            var singles: [OCSPSingleResponse] = []
            let thisUpdate = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            let nextUpdate = thisUpdate.addingTimeInterval(identity.responseValidity ?? authority.settings.ocsp.responseValidity)
            for certID in request.certIDs {
                let certificateSerial = SerialNumberText.hex(bytes: certID.serialNumber)
                if shareable, scope == .certificates, certID.hashAlgorithm == .sha1,
                    let stored = try await storedResponse(for: certID, serial: certificateSerial, identity: identity),
                    stored.nextUpdate.timeIntervalSince(now) > renewal
                {
                    let response = CachedOCSPResponse(der: stored.responseDER, thisUpdate: stored.thisUpdate, nextUpdate: stored.nextUpdate)
                    cache.insert(
                        response, for: .init(authority: serial, scope: scope, certID: certID.derEncoded), serial: certificateSerial,
                        ifEpoch: epoch)
                    return OCSPAnswer(der: response.der, source: .stored, status: .successful, cacheable: response)
                }
                guard signer != nil else { return .error(.tryLater) }
                let status = try await self.status(of: certificateSerial, authority: serial, scope: scope, epoch: epoch)
                singles.append(OCSPSingleResponse(certID: certID, status: status, thisUpdate: thisUpdate, nextUpdate: nextUpdate))
            }
            guard let signer else { return .error(.tryLater) }
            let der = try signer.sign(singles, producedAt: now, nonce: request.nonce)
            guard shareable else { return OCSPAnswer(der: der, source: .signed, status: .successful, cacheable: nil) }
            let response = CachedOCSPResponse(der: der, thisUpdate: thisUpdate, nextUpdate: nextUpdate)
            // "unknown" is not kept: the serial may yet be issued, and a cache must never hide that.
            if singles[0].status != .unknown {
                let certID = request.certIDs[0]
                cache.insert(
                    response, for: .init(authority: serial, scope: scope, certID: certID.derEncoded),
                    serial: SerialNumberText.hex(bytes: certID.serialNumber), ifEpoch: epoch)
            }
            return OCSPAnswer(der: der, source: .signed, status: .successful, cacheable: response)
        } catch {
            return .error(.internalError)
        }
    }

    private func storedResponse(for certID: OCSPCertID, serial: String, identity: ResponderIdentity) async throws
        -> StoredOCSPResponse?
    {
        // A stored response repeats the canonical CertID; only a request that sent exactly that may get it.
        guard try identity.canonicalCertID(serial: serial).derEncoded == certID.derEncoded else { return nil }
        return try await authority.store.read {
            try await $0.storedOCSPResponse(authority: identity.authoritySerial, serial: serial)
        }
    }

    /// From the status cache, else from the database (and then cached): nonce requests are signed every
    /// time, but need not read the database every time.
    private func status(of serial: String, authority authoritySerial: String, scope: OCSPScope, epoch: UInt64) async throws
        -> OCSPCertificateStatus
    {
        let key = OCSPResponseCache.SerialKey(authority: authoritySerial, scope: scope, serial: serial)
        if let cached = cache.status(key) { return cached }
        let stored: CertificateStatus? = try await authority.store.read { transaction in
            switch scope {
            case .certificates: return try await transaction.certificateStatus(authority: authoritySerial, serial: serial)
            case .authorities: return try await transaction.childAuthorityStatus(parent: authoritySerial, serial: serial)
            }
        }
        let status = OCSPCertificateStatus(stored)
        cache.insert(status, for: key, ifEpoch: epoch)
        return status
    }
}

extension OCSPCertificateStatus {
    /// A serial the CA never issued is "unknown", never "good" (RFC 6960 §2.2).
    init(_ stored: CertificateStatus?) {
        guard let stored else {
            self = .unknown
            return
        }
        guard let revocation = stored.revocation else {
            self = .good
            return
        }
        self = .revoked(at: revocation.revokedAt, reason: revocation.reason)
    }
}
