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
    /// Creates a responder key and certificate (profile `ocsp`) for each CA that has none, whose certificate
    /// expires within CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL, or whose key is not where the CA's OCSP key backend
    /// keeps them (after `edit-ca --ocsp-key-backend`). In the key directory the key has no password, so that the
    /// server can sign responses without the CA's password; it is only good for OCSP signing and for a few days. In
    /// a token it is made there and never leaves it. Keys of expired responder certificates are deleted.
    public func generateResponderKeys(
        serials: [String] = [], exclude: [String] = [], force: Bool = false, password: String? = nil, now: Date = Date()
    ) async throws -> [ResponderKeyOutcome] {
        let authorities = try await authoritiesForJob(serials: serials, exclude: exclude)
        let usedPassword = authorities.count == 1 ? password : nil
        var outcomes: [ResponderKeyOutcome] = []
        // A CA with OCSP turned off needs no responder.
        for authority in authorities where try authority.configurationValue().ocspEnabled != false {
            do {
                if !force, let current = try await store.read({ try await $0.latestResponderCertificate(authority: authority.serial) }),
                    current.notAfter.timeIntervalSince(now) > settings.ocsp.responderCertificateRenewal,
                    try responderKeyIsInPlace(current, authority: authority)
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
        let backends = try responderKeyBackends(of: authority)
        var firstFailure: (any Error)?
        for record in candidates where record.notAfter > now {
            // Where the CA keeps responder keys now, then the key directory, where keys made before a change of
            // --ocsp-key-backend still are.
            for backend in backends {
                do {
                    let key = try backend.loadSigner(backend.reference(forLabel: Self.responderKeyLabel(record.serial)), password: nil)
                    return ResponderCredentials(record: record, certificate: try record.certificate(), key: key)
                } catch {
                    firstFailure = firstFailure ?? error
                }
            }
        }
        if let firstFailure { throw firstFailure }
        return nil
    }

    static func responderKeyLabel(_ certificateSerial: String) -> String {
        "ocsp-\(certificateSerial)"
    }

    /// The backend of the CA's `--ocsp-key-backend`, then the key directory if that is another.
    func responderKeyBackends(of authority: AuthorityRecord) throws -> [any KeyBackend] {
        let configured = try responderKeyBackends.backend(alias: try authority.configurationValue().ocspKeyBackend)
        return configured.name == responderKeyBackends.fileBackend.name ? [configured] : [configured, responderKeyBackends.fileBackend]
    }

    /// Whether the responder key of `record` is in the backend the CA names now.
    private func responderKeyIsInPlace(_ record: CertificateRecord, authority: AuthorityRecord) throws -> Bool {
        let backend = try responderKeyBackends.backend(alias: try authority.configurationValue().ocspKeyBackend)
        return (try? backend.loadSigner(backend.reference(forLabel: Self.responderKeyLabel(record.serial)), password: nil)) != nil
    }

    /// An alias of CA_OCSP_KEY_BACKENDS, as stored: nil for `default`.
    func checkedResponderKeyBackend(_ alias: String?) throws -> String? {
        guard let alias, alias != "default" else { return nil }
        guard settings.ocspKeyBackends[alias] != nil else {
            let known = settings.ocspKeyBackends.keys.sorted().joined(separator: ", ")
            throw CAError(.invalidInput, "there is no OCSP key backend \"\(alias)\" in CA_OCSP_KEY_BACKENDS (configured: \(known))")
        }
        return settings.ocspKeyBackends[alias] == .file ? nil : alias
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
        // The serial is chosen first because the key's label is made from it, and a key in a token is made there.
        let serialNumber = SerialNumberText.random()
        let backend = try responderKeyBackends(of: authority)[0]
        let key = try backend.createKey(algorithm, label: Self.responderKeyLabel(SerialNumberText.hex(serialNumber)), password: nil)
        let record: CertificateRecord
        do {
            let publicKeyInfo = try CertificateBlueprint.subjectPublicKeyInfo(of: key.signer.publicKey)
            let parsed = CSRReader.ParsedRequest(publicKey: key.signer.publicKey, der: [], subjectPublicKeyInfo: publicKeyInfo[...])
            var issued = try issue(csr: parsed, prepared: prepared, now: now, serialNumber: serialNumber)
            issued.csrDER = nil
            record = issued
        } catch {
            try? backend.removeKey(key.reference)
            throw error
        }
        let reference = key.reference
        do {
            try await store.write { transaction in
                try await transaction.insertCertificates([record])
                try await transaction.audit(
                    "ocsp-responder", target: record.serial,
                    detail: "CA \(record.authoritySerial), profile \(record.profile), subject \(record.subject)")
            }
        } catch {
            try? backend.removeKey(reference)
            throw error
        }
        return record
    }

    private func removeExpiredResponderKeys(of authority: AuthorityRecord, now: Date) async throws {
        let backends = try responderKeyBackends(of: authority)
        for serial in try await store.read({ try await $0.expiredResponderCertificates(authority: authority.serial, before: now) }) {
            for backend in backends { try? backend.removeKey(backend.reference(forLabel: Self.responderKeyLabel(serial))) }
        }
    }
}
