import CACore
import CAHSM
import CAStore
import Foundation
import X509

/// The registration authority: the one path through which every front end (CLI today; server, ACME,
/// REST API later) creates CAs, issues, re-issues, imports and revokes certificates. It enforces the
/// CA's rules, loads keys through the key backend and persists through the store before returning.
public final class Authority: Sendable {
    public let settings: Settings
    public let store: Store
    public let profiles: ProfileCatalog
    let keyBackend: any KeyBackend
    /// CA_OCSP_KEY_BACKENDS: where OCSP responder keys live; each CA names its alias (`--ocsp-key-backend`).
    let responderKeyBackends: KeyBackendRegistry
    /// Asked for a key password when neither the caller nor CA_PASSWORDS has one (a terminal prompt).
    let passwordPrompt: @Sendable (_ description: String) -> String?
    /// False on a public server node (`serve --role public`), which must never load a CA key: it may keep
    /// the keys off the host entirely, and a request that needs one is refused with a clear error.
    public let signsWithCAKeys: Bool
    let signers = SignerCache()
    let authoritySnapshot = AuthoritySnapshot()

    /// `responderKeyBackends` defaults to the key directory of `keyBackend` alone.
    public init(
        settings: Settings, store: Store, keyBackend: any KeyBackend, responderKeyBackends: KeyBackendRegistry? = nil,
        passwordPrompt: @escaping @Sendable (String) -> String? = { _ in nil }, signsWithCAKeys: Bool = true
    ) throws {
        self.settings = settings
        self.store = store
        self.keyBackend = keyBackend
        self.responderKeyBackends = responderKeyBackends
            ?? KeyBackendRegistry(fileBackend: (keyBackend as? KeyBackendRegistry)?.fileBackend ?? keyBackend)
        self.passwordPrompt = passwordPrompt
        self.signsWithCAKeys = signsWithCAKeys
        self.profiles = try ProfileCatalog(settings: settings)
    }

    /// Creates CA_DIR (mode 0700) if needed, opens the database and the file key backend.
    public static func open(
        settings: Settings, passwordPrompt: @escaping @Sendable (String) -> String? = { _ in nil }, signsWithCAKeys: Bool = true
    ) async throws -> Authority {
        try FileSystem.makePrivateDirectory(settings.caDirectory)
        let store = try await Store.open(settings.database)
        let files = FileKeyBackend(directory: URL(fileURLWithPath: settings.keyDirectory))
        do {
            return try Authority(
                settings: settings, store: store, keyBackend: Self.registry(settings.keyBackends, files: files),
                responderKeyBackends: Self.registry(settings.ocspKeyBackends, files: files), passwordPrompt: passwordPrompt,
                signsWithCAKeys: signsWithCAKeys)
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// The backend of a CA_KEY_BACKENDS alias that a new CA key goes to (`--key-backend`).
    func keyBackend(alias: String) throws -> any KeyBackend {
        guard let registry = keyBackend as? KeyBackendRegistry else {
            throw CAError(.invalidInput, "key backend \"\(alias)\" is not configured here")
        }
        return try registry.backend(alias: alias)
    }

    /// The key directory and every HSM alias of CA_KEY_BACKENDS or CA_OCSP_KEY_BACKENDS.
    static func registry(_ backends: [String: KeyBackendSetting], files: FileKeyBackend) -> KeyBackendRegistry {
        KeyBackendRegistry(
            fileBackend: files,
            others: backends.sorted(by: { $0.key < $1.key }).compactMap { alias, backend -> (any KeyBackend)? in
                guard case .hsm(let library, let token, let userPIN, let securityOfficerPIN) = backend else { return nil }
                return HSMKeyBackend(
                    alias: alias, libraryPath: library, tokenLabel: token, userPIN: userPIN, securityOfficerPIN: securityOfficerPIN)
            })
    }

    /// What keeps a configured key backend from signing now (an unreachable token), for the health endpoint.
    public func keyBackendProblems() -> [String] {
        // A token both settings name is reported once.
        var seen = Set<String>()
        return (keyBackend.problems() + responderKeyBackends.problems()).filter { seen.insert($0).inserted }
    }

    public func close() async {
        await store.shutdown()
    }

    /// The CA's signing key, with the password from the caller, CA_PASSWORDS or the prompt, in that order.
    func issuer(for authority: AuthorityRecord, password: String?) throws -> Issuer {
        guard signsWithCAKeys else {
            throw CAError(
                .keyAccess,
                "this server node runs with --role public and holds no CA key; CA \"\(authority.name)\" signs on a node with --role all")
        }
        guard password == nil else { return try loadIssuer(for: authority, password: password) }
        return try signers.issuer(serial: authority.serial, certificateDER: authority.certificateDER) {
            try loadIssuer(for: authority, password: nil)
        }
    }

    private func loadIssuer(for authority: AuthorityRecord, password: String?) throws -> Issuer {
        let reference = KeyReference(backend: authority.keyBackend, location: authority.keyLocation)
        var effectivePassword = password
        if try keyBackend.isPasswordProtected(reference) {
            effectivePassword = password ?? settings.configuredPassword(forSerial: authority.serial)
                ?? passwordPrompt("Password for the key of CA \"\(authority.name)\": ")
            guard effectivePassword != nil else {
                throw CAError(
                    .keyAccess,
                    "the key of CA \"\(authority.name)\" is encrypted; give --password or set CA_PASSWORDS")
            }
        }
        let key = try keyBackend.loadSigner(reference, password: effectivePassword)
        return try Issuer(certificate: try authority.certificate(), key: key)
    }
}

extension AuthorityRecord {
    public func certificate() throws -> Certificate {
        do {
            return try Certificate(derEncoded: certificateDER)
        } catch {
            throw CAError(.storage, "the stored certificate of CA \(name) cannot be parsed: \(error)")
        }
    }

    public func configurationValue() throws -> AuthorityConfiguration {
        try AuthorityConfiguration.decode(configuration)
    }

    public var isUsable: Bool { enabled && revocation == nil && notAfter > Date() }
}

extension CertificateRecord {
    public func certificate() throws -> Certificate {
        do {
            return try Certificate(derEncoded: certificateDER)
        } catch {
            throw CAError(.storage, "the stored certificate \(serial) cannot be parsed: \(error)")
        }
    }
}

enum FileSystem {
    /// Creates `path` and its parents; the last component gets mode 0700 because it holds keys and the database.
    static func makePrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        } catch {
            throw CAError(.storage, "cannot create the CA directory \(path): \(error.localizedDescription)")
        }
    }
}

extension Authority {
    /// Where a key lives, for `view-ca` ("file /var/lib/swift-ca/keys/ABCD.key (encrypted)").
    public func describeKey(_ reference: KeyReference) -> String {
        keyBackend.describe(reference)
    }

    /// Where a CA's OCSP responder keys are made, for `view-ca` ("hsm: token \"ca-token\" in /usr/lib/…").
    public func describeResponderKeyBackend(_ alias: String?) -> String {
        switch settings.ocspKeyBackends[alias ?? "default"] {
        case .hsm(let library, let token, _, _)?: return "\(alias ?? "default"): token \"\(token)\" in \(library)"
        case .file?: return "\(alias ?? "default"): files in \(settings.keyDirectory)"
        case nil: return "\(alias ?? "default") (not in CA_OCSP_KEY_BACKENDS)"
        }
    }
}
