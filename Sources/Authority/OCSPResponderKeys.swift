import CACore
import CAStore
import Foundation
import X509

/// What `generate-ocsp-keys` did for one CA.
public struct ResponderKeyOutcome: Sendable {
    public enum Result: Sendable {
        case created(CertificateRecord)
        /// The current responder certificate is far enough from expiry.
        case current(CertificateRecord)
        case failed(CAError)
    }

    public let authority: AuthorityRecord
    public let result: Result
}

/// A CA's delegated OCSP responder: its certificate and key.
public struct ResponderCredentials: Sendable {
    public let record: CertificateRecord
    public let certificate: Certificate
    public let key: Certificate.PrivateKey
}

extension Authority {
    /// Creates a responder key and certificate (profile `ocsp`) for each CA that has none, or whose
    /// certificate expires within CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL. The key is stored beside the CA key
    /// without a password, so that the server can sign responses without the CA's password; it is only good
    /// for OCSP signing and for a few days. Keys of expired responder certificates are deleted.
    public func generateResponderKeys(
        serials: [String] = [], exclude: [String] = [], force: Bool = false, password: String? = nil, now: Date = Date()
    ) async throws -> [ResponderKeyOutcome] {
        let authorities = try await authoritiesForJob(serials: serials, exclude: exclude)
        let usedPassword = authorities.count == 1 ? password : nil
        var outcomes: [ResponderKeyOutcome] = []
        for authority in authorities {
            do {
                if !force, let current = try await store.read({ try await $0.latestResponderCertificate(authority: authority.serial) }),
                    current.notAfter.timeIntervalSince(now) > settings.ocsp.responderCertificateRenewal
                {
                    outcomes.append(ResponderKeyOutcome(authority: authority, result: .current(current)))
                    continue
                }
                let record = try await createResponderCertificate(for: authority, password: usedPassword, now: now)
                try await removeExpiredResponderKeys(of: authority, now: now)
                outcomes.append(ResponderKeyOutcome(authority: authority, result: .created(record)))
            } catch let error as CAError {
                outcomes.append(ResponderKeyOutcome(authority: authority, result: .failed(error)))
            }
        }
        return outcomes
    }

    /// The current responder of a CA, if it has one that has not expired.
    ///
    /// Responder certificates made in the same minute expire together; the newest whose key is here wins, so a
    /// certificate kept without its key (an older one from `import-django-ca`) never hides the one that has it.
    public func responderCredentials(for authority: AuthorityRecord, now: Date = Date()) async throws -> ResponderCredentials? {
        let candidates = try await store.read { try await $0.responderCertificates(authority: authority.serial, limit: 4) }
        var firstFailure: (any Error)?
        for record in candidates where record.notAfter > now {
            do {
                let key = try keyBackend.loadSigner(keyBackend.reference(forLabel: Self.responderKeyLabel(record.serial)), password: nil)
                return ResponderCredentials(record: record, certificate: try record.certificate(), key: key)
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
        return nil
    }

    static func responderKeyLabel(_ certificateSerial: String) -> String {
        "ocsp-\(certificateSerial)"
    }

    private func createResponderCertificate(for authority: AuthorityRecord, password: String?, now: Date) async throws
        -> CertificateRecord
    {
        let caCertificate = try authority.certificate()
        guard let algorithm = KeyAlgorithm(publicKey: caCertificate.publicKey) else {
            throw CAError(.invalidInput, "the key type of CA \"\(authority.name)\" is not supported")
        }
        var request = SigningRequest()
        request.profile = "ocsp"
        request.subject = "CN=" + SubjectFormatter.escape(String((authority.commonName + " OCSP responder").prefix(64)))
        request.commonNameInAlternativeNames = false
        request.expiresDays = ocspResponderCertificateDays(for: authority)
        let prepared = try await prepare(request, authority: authority.serial, password: password)
        // The key is made here rather than in the backend, because its label is the serial of a certificate
        // that does not exist yet.
        let key = try KeyGenerator.generate(algorithm)
        let publicKeyInfo = try CertificateBlueprint.subjectPublicKeyInfo(of: key.publicKey)
        let parsed = CSRReader.ParsedRequest(publicKey: key.publicKey, der: [], subjectPublicKeyInfo: publicKeyInfo[...])
        var issued = try issue(csr: parsed, prepared: prepared, now: now)
        issued.csrDER = nil
        let record = issued
        let reference = try keyBackend.importKey(key, label: Self.responderKeyLabel(record.serial), password: nil)
        do {
            try await store.write { transaction in
                try await transaction.insertCertificates([record])
                try await transaction.audit(
                    "ocsp-responder", target: record.serial,
                    detail: "CA \(record.authoritySerial), profile \(record.profile), subject \(record.subject)")
            }
        } catch {
            try? keyBackend.removeKey(reference)
            throw error
        }
        return record
    }

    private func removeExpiredResponderKeys(of authority: AuthorityRecord, now: Date) async throws {
        for serial in try await store.read({ try await $0.expiredResponderCertificates(authority: authority.serial, before: now) }) {
            try? keyBackend.removeKey(keyBackend.reference(forLabel: Self.responderKeyLabel(serial)))
        }
    }
}
