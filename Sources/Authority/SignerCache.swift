import CACore
import Synchronization

/// CA signing keys once loaded, by CA serial. Reading and decoding the key file cost more than the
/// signature it makes, on every request of the server. A CA's key never changes under its serial, and
/// swift-ca removes key files only when creating the CA failed, so the entry stays valid while the process
/// runs; it is checked against the CA's certificate all the same.
///
/// Only keys opened without a password from the caller are kept: a caller that passes a password must get
/// that password checked, not a key someone else unlocked.
final class SignerCache: Sendable {
    private struct Entry {
        let certificateDER: [UInt8]
        let issuer: Issuer
    }

    private let entries = Mutex<[String: Entry]>([:])

    func issuer(serial: String, certificateDER: [UInt8], load: () throws -> Issuer) rethrows -> Issuer {
        if let entry = entries.withLock({ $0[serial] }), entry.certificateDER == certificateDER { return entry.issuer }
        let issuer = try load()
        entries.withLock { $0[serial] = Entry(certificateDER: certificateDER, issuer: issuer) }
        return issuer
    }
}
