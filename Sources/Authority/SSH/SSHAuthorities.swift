import CACore
import CAStore
import Foundation
import X509

/// What `init-ca --openssh-ca` asks for.
public struct SSHAuthorityCreationRequest: Sendable {
    public var name: String
    /// The subject, if one was given: it only names the CA (django-ca users give one out of habit).
    public var comment: String?
    public var keyAlgorithm: KeyAlgorithm
    /// Encrypts a key file; nil or empty for none. Unused for a key in a token.
    public var password: String?
    public var keyBackendAlias: String?
    public var keyLabel: String?
    public var apiEnabled = false

    public init(name: String, comment: String? = nil, keyAlgorithm: KeyAlgorithm = .ed25519) {
        self.name = name
        self.comment = comment
        self.keyAlgorithm = keyAlgorithm
    }
}

extension Authority {
    /// The smallest RSA key an SSH CA may have; OpenSSH's own advice, stricter than CA_MIN_KEY_SIZE's default.
    static let minimumSSHRSABits = 3_072

    /// Makes an OpenSSH CA: a key (in the key directory, encrypted if asked, or in a token) and a name. It has no
    /// parent and no X.509 certificate.
    public func createSSHAuthority(_ request: SSHAuthorityCreationRequest, now: Date = Date()) async throws -> SSHAuthorityRecord {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.contains("/"), !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw CAError(.invalidInput, "an OpenSSH CA needs a name without slashes or control characters")
        }
        if case .rsa(let bits) = request.keyAlgorithm, bits < Self.minimumSSHRSABits {
            throw CAError(.policy, "an OpenSSH CA's RSA key needs at least \(Self.minimumSSHRSABits) bits (it signs with rsa-sha2-512)")
        }
        try await checkNameIsFree(name)
        let created: CreatedKey
        if let alias = request.keyBackendAlias, alias != "default" {
            created = try keyBackend(alias: alias).createKey(request.keyAlgorithm, label: request.keyLabel ?? name, password: nil)
        } else {
            let label = "ssh-" + Hex.upper((0..<8).map { _ in UInt8.random(in: 0...255) })
            created = try keyBackend.createKey(request.keyAlgorithm, label: label, password: (request.password?.isEmpty ?? true) ? nil : request.password)
        }
        do {
            let publicKey = try SSHPublicKey(created.signer.publicKey)
            let record = SSHAuthorityRecord(
                fingerprint: publicKey.fingerprint, name: name, publicKey: publicKey.blob, keyBackend: created.reference.backend,
                keyLocation: created.reference.location, comment: request.comment ?? "", apiEnabled: request.apiEnabled,
                createdAt: now)
            try await store.write { transaction in
                try await transaction.insertSSHAuthority(record)
                try await transaction.audit(
                    "init-ca", target: record.fingerprint, detail: "OpenSSH CA \(record.name), \(publicKey.typeName) key \(record.fingerprint)")
            }
            return record
        } catch {
            try? keyBackend.removeKey(created.reference)
            throw error
        }
    }

    /// X.509 CAs and OpenSSH CAs share one namespace of names, so every command finds a CA by name unambiguously.
    func checkNameIsFree(_ name: String) async throws {
        let (x509, ssh) = try await store.read { transaction in
            (try await transaction.allAuthorities(), try await transaction.sshAuthorities())
        }
        if x509.contains(where: { $0.name == name }) || ssh.contains(where: { $0.name == name }) {
            throw CAError(.conflict, "a CA named \"\(name)\" already exists")
        }
    }

    /// `edit-ca --api-enable/--api-disable` of an OpenSSH CA, the one setting it has.
    public func setSSHAuthorityAPIEnabled(_ identifier: String, enabled: Bool) async throws -> SSHAuthorityRecord {
        var record = try await sshAuthority(identifier)
        try await store.write { transaction in
            try await transaction.setSSHAuthorityAPIEnabled(enabled, fingerprint: record.fingerprint)
            try await transaction.audit("edit-ca", target: record.fingerprint, detail: enabled ? "API enabled" : "API disabled")
        }
        record.apiEnabled = enabled
        return record
    }

    public func sshAuthorities() async throws -> [SSHAuthorityRecord] {
        try await store.read { try await $0.sshAuthorities() }
    }

    /// An OpenSSH CA by name or key fingerprint. An X.509 CA's name gets an error that says what it is.
    public func sshAuthority(_ identifier: String) async throws -> SSHAuthorityRecord {
        let (ssh, x509) = try await store.read { transaction in
            (try await transaction.sshAuthorities(), try await transaction.allAuthorities())
        }
        if let found = ssh.first(where: { $0.name == identifier || $0.fingerprint == identifier }) { return found }
        if let other = x509.first(where: { $0.name == identifier || $0.commonName == identifier }) {
            throw CAError(
                .invalidInput, "CA \"\(other.name)\" is an X.509 CA: it signs X.509 certificates (sign-cert), not SSH ones (make one with init-ca --openssh-ca)")
        }
        throw CAError(.notFound, "no OpenSSH CA is named \"\(identifier)\"")
    }

    /// The CA's signing key, with the password from the caller, CA_PASSWORDS (by CA name) or the prompt.
    func sshSigner(for authority: SSHAuthorityRecord, password: String?) throws -> Certificate.PrivateKey {
        guard signsWithCAKeys else {
            throw CAError(
                .keyAccess,
                "this server node runs with --role public and holds no CA key; CA \"\(authority.name)\" signs on a node with --role all")
        }
        let reference = KeyReference(backend: authority.keyBackend, location: authority.keyLocation)
        var effectivePassword = password
        if try keyBackend.isPasswordProtected(reference) {
            effectivePassword = password ?? settings.passwords[authority.name]
                ?? passwordPrompt("Password for the key of OpenSSH CA \"\(authority.name)\": ")
            guard effectivePassword != nil else {
                throw CAError(.keyAccess, "the key of OpenSSH CA \"\(authority.name)\" is encrypted; give --password or set CA_PASSWORDS")
            }
        }
        return try keyBackend.loadSigner(reference, password: effectivePassword)
    }

    /// The CA's public key in OpenSSH's one-line form, as `TrustedUserCAKeys` and `@cert-authority` take it.
    public func sshPublicKeyText(_ authority: SSHAuthorityRecord) throws -> String {
        try SSHPublicKey(blob: authority.publicKey).text(comment: authority.name.replacingOccurrences(of: " ", with: "_"))
    }

    /// The CA's KRL, built from the database when asked, so that it holds every revocation acknowledged so far. Its
    /// version is the time of the latest revocation, which only grows.
    public func sshRevocationList(_ authority: SSHAuthorityRecord, now: Date = Date()) async throws -> [UInt8] {
        let revoked = try await store.read { try await $0.revokedSSHSerials(authority: authority.fingerprint) }
        return SSHRevocationList(
            caKey: try SSHPublicKey(blob: authority.publicKey), revokedSerials: revoked.serials,
            version: UInt64(max(0, revoked.latest?.timeIntervalSince1970 ?? 0)), generated: now, comment: "swift-ca: revoked certificates of \(authority.name)"
        ).bytes
    }
}
