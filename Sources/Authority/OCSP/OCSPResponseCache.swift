import CACore
import Foundation

/// Which of a CA's two responders answers: `cert/` for the certificates it issued, `ca/` for its child CAs.
public enum OCSPScope: String, Sendable, Hashable {
    case certificates = "cert"
    case authorities = "ca"
}

/// A signed response kept for requests that can share it (one CertID, no nonce), with its HTTP validators
/// formatted once rather than per request.
public struct CachedOCSPResponse: Sendable {
    public let der: [UInt8]
    public let thisUpdate: Date
    public let nextUpdate: Date
    /// RFC 5019 §6.2 headers: Last-Modified is thisUpdate, Expires is nextUpdate, and a strong ETag (the
    /// SHA-256 of the response, shortened).
    public let lastModifiedHeader: String
    public let expiresHeader: String
    public let entityTagHeader: String

    init(der: [UInt8], thisUpdate: Date, nextUpdate: Date) {
        self.der = der
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        lastModifiedHeader = HTTPDate.format(thisUpdate)
        expiresHeader = HTTPDate.format(nextUpdate)
        let digest = OCSPHashAlgorithm.sha256.hash(der[...]).prefix(16)
        entityTagHeader = "\"" + Hex.upper(digest) + "\""
    }
}

/// Signed responses and certificate statuses, so that the OCSP hot path is a lookup.
///
/// Responses are keyed by CA, scope and the CertID's exact encoding; statuses by CA, scope and serial.
/// Revocations evict by serial. `epoch` guards against the race in which a status read before a
/// revocation would be cached after the revocation's eviction: whoever read the status notes the epoch
/// first and may only insert if it has not moved.
final class OCSPResponseCache: @unchecked Sendable {
    // @unchecked: every field is touched under `lock` only.
    struct SerialKey: Hashable {
        let authority: String
        let scope: OCSPScope
        let serial: String
    }

    struct ResponseKey: Hashable {
        let authority: String
        let scope: OCSPScope
        let certID: [UInt8]
    }

    private let lock = NSLock()
    private var responses: [ResponseKey: CachedOCSPResponse] = [:]
    /// The CertID encodings cached per serial, to find what a revocation must evict.
    private var certIDsBySerial: [SerialKey: [[UInt8]]] = [:]
    private var statuses: [SerialKey: OCSPCertificateStatus] = [:]
    private let capacity: Int
    private var currentEpoch: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var epoch: UInt64 { lock.withLock { currentEpoch } }
    var entryCount: Int { lock.withLock { responses.count } }

    func response(_ key: ResponseKey) -> CachedOCSPResponse? {
        lock.withLock { responses[key] }
    }

    func status(_ key: SerialKey) -> OCSPCertificateStatus? {
        lock.withLock { statuses[key] }
    }

    func insert(_ response: CachedOCSPResponse, for key: ResponseKey, serial: String, ifEpoch epoch: UInt64) {
        lock.withLock {
            guard epoch == currentEpoch else { return }
            makeRoom()
            let serialKey = SerialKey(authority: key.authority, scope: key.scope, serial: serial)
            if responses.updateValue(response, forKey: key) == nil {
                certIDsBySerial[serialKey, default: []].append(key.certID)
            }
        }
    }

    /// Keeps a known status ("unknown" is never kept: the serial may yet be issued).
    func insert(_ status: OCSPCertificateStatus, for key: SerialKey, ifEpoch epoch: UInt64) {
        guard status != .unknown else { return }
        lock.withLock {
            guard epoch == currentEpoch else { return }
            makeRoom()
            statuses[key] = status
        }
    }

    /// Drops every response and status about `serial` of `authority`, in both scopes.
    func evict(authority: String, serial: String) {
        lock.withLock {
            currentEpoch &+= 1
            for scope in [OCSPScope.certificates, .authorities] {
                let serialKey = SerialKey(authority: authority, scope: scope, serial: serial)
                statuses[serialKey] = nil
                for certID in certIDsBySerial.removeValue(forKey: serialKey) ?? [] {
                    responses[ResponseKey(authority: authority, scope: scope, certID: certID)] = nil
                }
            }
        }
    }

    /// Bounded memory beats clever eviction here: responses are re-signed or re-read on demand.
    private func makeRoom() {
        if responses.count + statuses.count >= capacity { clear() }
    }

    private func clear() {
        responses.removeAll(keepingCapacity: true)
        certIDsBySerial.removeAll(keepingCapacity: true)
        statuses.removeAll(keepingCapacity: true)
    }
}
