import CACore
import Foundation

/// Which of a CA's two responders answers: `cert/` for the certificates it issued, `ca/` for its child CAs.
public enum OCSPScope: String, Sendable, Hashable {
    case certificates = "cert"
    case authorities = "ca"
}

/// A signed response kept for requests that can share it (one CertID, no nonce).
public struct CachedOCSPResponse: Sendable {
    public let der: [UInt8]
    public let thisUpdate: Date
    public let nextUpdate: Date
    /// A strong validator for HTTP caches (RFC 5019 §6.2): the SHA-256 of the response, in hex.
    public let entityTag: String

    init(der: [UInt8], thisUpdate: Date, nextUpdate: Date) {
        self.der = der
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        entityTag = OCSPHashAlgorithm.sha256.hash(der[...]).prefix(16).map { String(format: "%02X", $0) }.joined()
    }
}

/// Signed responses by CA, scope, serial and CertID encoding: the OCSP hot path is a lookup here.
///
/// Revocations evict by serial. `epoch` guards against the race in which a response signed from a status
/// read before a revocation would be cached after the revocation's eviction: whoever read the status
/// notes the epoch first and may only insert if it has not moved.
final class OCSPResponseCache: @unchecked Sendable {
    // @unchecked: every field is touched under `lock` only.
    struct SerialKey: Hashable {
        let authority: String
        let scope: OCSPScope
        let serial: String
    }

    private let lock = NSLock()
    private var entries: [SerialKey: [[UInt8]: CachedOCSPResponse]] = [:]
    private var count = 0
    private let capacity: Int
    private var currentEpoch: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var epoch: UInt64 { lock.withLock { currentEpoch } }
    var entryCount: Int { lock.withLock { count } }

    func lookup(_ key: SerialKey, certID: [UInt8]) -> CachedOCSPResponse? {
        lock.withLock { entries[key]?[certID] }
    }

    func insert(_ response: CachedOCSPResponse, for key: SerialKey, certID: [UInt8], ifEpoch epoch: UInt64) {
        lock.withLock {
            guard epoch == currentEpoch else { return }
            if count >= capacity {
                // Bounded memory beats clever eviction here: responses are re-signed or re-read on demand.
                entries.removeAll(keepingCapacity: true)
                count = 0
            }
            if entries[key, default: [:]].updateValue(response, forKey: certID) == nil { count += 1 }
        }
    }

    /// Drops every response about `serial` of `authority`, in both scopes.
    func evict(authority: String, serial: String) {
        lock.withLock {
            currentEpoch &+= 1
            for scope in [OCSPScope.certificates, .authorities] {
                if let removed = entries.removeValue(forKey: SerialKey(authority: authority, scope: scope, serial: serial)) {
                    count -= removed.count
                }
            }
        }
    }

    func removeAll() {
        lock.withLock {
            currentEpoch &+= 1
            entries.removeAll()
            count = 0
        }
    }
}
