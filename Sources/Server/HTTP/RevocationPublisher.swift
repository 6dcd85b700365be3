import CAAuthority
import CACore
import CAStore
import Foundation

/// Serves what does not change per request: issuer certificates and the stored CRLs. CRLs are re-read
/// from the database only when their number changed, checked at most every `recheckInterval`.
final class RevocationPublisher: @unchecked Sendable {
    // @unchecked: `crls` and `issuers` are guarded by `lock`.
    struct PublishedCRL: Sendable {
        let der: [UInt8]
        let number: Int
        let thisUpdate: Date
        let nextUpdate: Date
        let checkedAt: Date
    }

    private struct CRLKey: Hashable {
        let authority: String
        let scope: String
    }

    private let authority: Authority
    private let lock = NSLock()
    private var crls: [CRLKey: PublishedCRL] = [:]
    private var issuers: [String: [UInt8]] = [:]
    private let recheckInterval: TimeInterval = 1

    init(authority: Authority) {
        self.authority = authority
    }

    /// The DER certificate of a CA, nil if there is no such CA.
    func issuerCertificate(serial: String) async throws -> [UInt8]? {
        if let cached = lock.withLock({ issuers[serial] }) { return cached }
        let record = try await authority.store.read { try await $0.authority(serial: serial) }
        guard let der = record?.certificateDER else { return nil }
        lock.withLock { issuers[serial] = der }
        return der
    }

    /// An OpenSSH CA's public key (`.pub` text) and its KRL, built from the database when asked; nil if no OpenSSH CA
    /// has the name.
    func sshAuthority(named name: String) async throws -> SSHAuthorityRecord? {
        try await authority.sshAuthorities().first { $0.name == name }
    }

    func sshPublicKey(_ record: SSHAuthorityRecord) throws -> String {
        try authority.sshPublicKeyText(record)
    }

    func sshRevocationList(_ record: SSHAuthorityRecord) async throws -> [UInt8] {
        try await authority.sshRevocationList(record)
    }

    /// The latest stored CRL of a CA and scope key (`user`, `ca`, `all`); nil if none was generated.
    func revocationList(authority serial: String, scope: String, now: Date = Date()) async throws -> PublishedCRL? {
        let key = CRLKey(authority: serial, scope: scope)
        let cached = lock.withLock { crls[key] }
        if let cached, now.timeIntervalSince(cached.checkedAt) < recheckInterval { return cached }
        let published: PublishedCRL? = try await { () async throws -> PublishedCRL? in
            guard let version = try await authority.store.read({ try await $0.revocationListVersion(authority: serial, scope: scope) }) else {
                return nil
            }
            if let cached, cached.number == version.number {
                return PublishedCRL(
                    der: cached.der, number: cached.number, thisUpdate: cached.thisUpdate, nextUpdate: cached.nextUpdate,
                    checkedAt: now)
            }
            guard let record = try await authority.storedRevocationList(authority: serial, scope: scope),
                let der = record.crlDER
            else { return nil }
            return PublishedCRL(
                der: der, number: record.number, thisUpdate: record.thisUpdate, nextUpdate: record.nextUpdate, checkedAt: now)
        }()
        lock.withLock { crls[key] = published }
        return published
    }
}
