import CAAuthority
import CACore
import CAStore
import Foundation

/// The ACME server (RFC 8555) behind `<CA_URL_PATH>acme/`: so far the directory, nonces and accounts
/// (newAccount, account lookup, contact update, deactivation). Orders, challenges and certificates are
/// issue 4's remaining work and are not announced in the directory until they exist.
///
/// The service owns its ``Authority`` (one database connection), used under `databaseLock` because
/// request handlers run concurrently.
public final class ACMEService: Sendable {
    private let authority: Authority
    private let databaseLock = AsyncLock()
    /// How long an unused nonce stays good.
    static let nonceLifetime: TimeInterval = 3_600

    public init(authority: Authority) {
        self.authority = authority
    }

    public func handle(_ request: ACMERequest) async -> ACMEResponse {
        var response: ACMEResponse
        do {
            response = try await route(request)
        } catch let problem as ACMEProblem {
            response = .problem(problem)
        } catch let error as JWSError {
            response = .problem(ACMEProblem(error))
        } catch {
            response = .problem(ACMEProblem("serverInternal", "the request could not be processed", status: 500))
        }
        // Every response, errors included, carries a fresh nonce so that a client can retry a badNonce.
        if let nonce = try? await issueNonce() { response.headers.append(("Replay-Nonce", nonce)) }
        response.headers.append(("Cache-Control", "no-store"))
        return response
    }

    private func route(_ request: ACMERequest) async throws -> ACMEResponse {
        guard authority.settings.acmeEnabled else { throw ACMEProblem.notFound("ACME is disabled (CA_ENABLE_ACME)") }
        let parts = request.path.split(separator: "/").map(String.init)
        if parts.first == "directory" {
            guard request.method == "GET" || request.method == "HEAD" else { throw methodNotAllowed }
            let authority = try await acmeAuthority(parts.count > 1 ? parts[1] : nil)
            return .json(try directory(for: authority, baseURL: request.baseURL))
        }
        guard parts.count >= 2 else { throw ACMEProblem.notFound("no such ACME resource") }
        let authority = try await acmeAuthority(parts[0])
        let endpoint = ACMEEndpoints(baseURL: request.baseURL, authority: authority.serial)
        switch (parts[1], parts.count) {
        case ("new-nonce", 2):
            guard ["GET", "HEAD"].contains(request.method) else { throw methodNotAllowed }
            // RFC 8555 §7.2: 200 for HEAD, 204 for GET; the nonce itself is added by `handle`.
            return ACMEResponse(status: request.method == "HEAD" ? 200 : 204, headers: [("Link", endpoint.indexLink)], body: [])
        case ("new-account", 2):
            let jws = try await verifiedRequest(request, url: endpoint.newAccount)
            return try await newAccount(jws, authority: authority, endpoint: endpoint)
        case ("acct", 3), ("acct", 4):
            let accountURL = endpoint.account(parts[2])
            let url = parts.count == 4 ? accountURL + "orders/" : accountURL
            guard parts.count == 3 || parts[3] == "orders" else { throw ACMEProblem.notFound("no such ACME resource") }
            let jws = try await verifiedRequest(request, url: url)
            let account = try await account(for: jws, authority: authority, endpoint: endpoint)
            if parts.count == 4 {
                // Orders are not issued yet (issue 4), so every account's list is empty and true.
                return .json(["orders": [String]()], headers: [("Link", endpoint.indexLink)])
            }
            return try await updateAccount(account, jws: jws, endpoint: endpoint)
        default:
            throw ACMEProblem.notFound("no such ACME resource")
        }
    }

    private var methodNotAllowed: ACMEProblem { ACMEProblem("malformed", "method not allowed", status: 405) }

    // MARK: directory

    private func directory(for authority: AuthorityRecord, baseURL: String) throws -> [String: Any] {
        let endpoint = ACMEEndpoints(baseURL: baseURL, authority: authority.serial)
        let configuration = try authority.configurationValue()
        var meta: [String: Any] = ["externalAccountRequired": false]
        if let terms = configuration.termsOfService { meta["termsOfService"] = terms }
        if let website = configuration.website { meta["website"] = website }
        if let caa = configuration.caaIdentity { meta["caaIdentities"] = [caa] }
        return ["newNonce": endpoint.newNonce, "newAccount": endpoint.newAccount, "meta": meta]
    }

    /// The CA a request is for: the named one, or without a serial the default ACME CA (CA_DEFAULT_CA if it
    /// has ACME on, else the usable ACME CA that expires last).
    private func acmeAuthority(_ serialText: String?) async throws -> AuthorityRecord {
        let all = try await databaseLock.withLock { try await authority.store.allAuthorities() }
        let usable = all.filter { $0.isUsable && ((try? $0.configurationValue().acme?.enabled) ?? nil) == true }
        if let serialText {
            guard let serial = SerialNumberText.normalize(serialText), let match = usable.first(where: { $0.serial == serial }) else {
                throw ACMEProblem.notFound("no usable CA with ACME enabled has the serial \(serialText)")
            }
            return match
        }
        if let configured = authority.settings.defaultCA.flatMap(SerialNumberText.normalize),
            let match = usable.first(where: { $0.serial == configured })
        {
            return match
        }
        guard let latest = usable.max(by: { $0.notAfter < $1.notAfter }) else {
            throw ACMEProblem.notFound("no CA has ACME enabled (edit-ca --acme-enable)")
        }
        return latest
    }

    // MARK: requests

    /// Parses the JWS and checks what every POST needs: content type, the URL it was signed for, and a
    /// nonce this server issued and nobody used. The signature is checked by the caller, who knows the key.
    private func verifiedRequest(_ request: ACMERequest, url: String) async throws -> FlattenedJWS {
        guard request.method == "POST" else { throw methodNotAllowed }
        guard request.contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            == "application/jose+json"
        else {
            throw ACMEProblem("malformed", "ACME requests are application/jose+json", status: 415)
        }
        let jws = try FlattenedJWS(json: request.body)
        guard jws.header.url == url else {
            throw ACMEProblem.unauthorized("the JWS url \"\(jws.header.url)\" is not the URL requested (\(url))")
        }
        let fresh = try await databaseLock.withLock { try await authority.store.consumeNonce(jws.header.nonce, now: Date()) }
        guard fresh else { throw ACMEProblem.badNonce("the nonce is unknown, used or expired") }
        return jws
    }

    /// 128 random bits, base64url: nonces and account ids.
    static func randomToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        return Base64URL.encode(bytes)
    }

    private func issueNonce() async throws -> String {
        let nonce = Self.randomToken()
        try await databaseLock.withLock {
            try await authority.store.insertNonce(nonce, expiresAt: Date().addingTimeInterval(Self.nonceLifetime))
        }
        return nonce
    }

    // MARK: accounts

    private func newAccount(_ jws: FlattenedJWS, authority: AuthorityRecord, endpoint: ACMEEndpoints) async throws -> ACMEResponse {
        guard case .jwk = jws.header.key else { throw ACMEProblem.malformed("newAccount must be signed with a jwk, not a kid") }
        let key = try jws.verifiedEmbeddedKey()
        let payload = try jws.payloadJSONObject()
        let thumbprint = key.thumbprint()
        let existing = try await databaseLock.withLock {
            try await self.authority.store.acmeAccount(authority: authority.serial, thumbprint: thumbprint)
        }
        if let existing {
            // RFC 8555 §7.3.6: a deactivated account answers nothing any more, not even by its key.
            guard existing.status == "valid" else { throw Self.inactive(existing) }
            // RFC 8555 §7.3.1: the existing account, 200, its URL in Location.
            return .json(
                Self.accountObject(existing, endpoint: endpoint), status: 200,
                headers: [("Location", endpoint.account(existing.id)), ("Link", endpoint.indexLink)])
        }
        if payload["onlyReturnExisting"] as? Bool == true {
            throw ACMEProblem("accountDoesNotExist", "no account exists for this key")
        }
        let configuration = try authority.configurationValue()
        guard configuration.acme?.registrationEnabled ?? true else {
            throw ACMEProblem.unauthorized("this CA does not accept new ACME accounts")
        }
        let contact = try Self.contacts(payload["contact"])
        if configuration.acme?.contactRequired == true && contact.isEmpty {
            throw ACMEProblem("invalidContact", "this CA requires a contact (mailto:) for new accounts")
        }
        let agreed = payload["termsOfServiceAgreed"] as? Bool ?? false
        if let terms = configuration.termsOfService, !agreed {
            var problem = ACMEProblem("userActionRequired", "agree to the terms of service at \(terms)", status: 403)
            problem.headers = [("Link", "<\(terms)>;rel=\"terms-of-service\"")]
            throw problem
        }
        let account = ACMEAccountRecord(
            id: Self.randomToken(), authoritySerial: authority.serial, thumbprint: thumbprint, jwk: key.canonicalJSON,
            status: "valid", contact: contact, termsAgreed: agreed, createdAt: Date())
        // Committed before the client learns the account exists.
        try await databaseLock.withLock {
            try await self.authority.store.transaction { try await self.authority.store.insertACMEAccount(account) }
        }
        return .json(
            Self.accountObject(account, endpoint: endpoint), status: 201,
            headers: [("Location", endpoint.account(account.id)), ("Link", endpoint.indexLink)])
    }

    /// The account a `kid` request is signed for, after checking the signature with its key.
    private func account(for jws: FlattenedJWS, authority: AuthorityRecord, endpoint: ACMEEndpoints) async throws -> ACMEAccountRecord {
        guard case .kid(let keyID) = jws.header.key else {
            throw ACMEProblem.malformed("this request must be signed with the account's kid, not a jwk")
        }
        let prefix = endpoint.account("")
        guard keyID.hasPrefix(prefix), keyID.hasSuffix("/") else { throw ACMEProblem("accountDoesNotExist", "unknown kid \(keyID)") }
        let id = String(keyID.dropFirst(prefix.count).dropLast())
        let account = try await databaseLock.withLock { try await self.authority.store.acmeAccount(id: id) }
        guard let account, account.authoritySerial == authority.serial else {
            throw ACMEProblem("accountDoesNotExist", "unknown kid \(keyID)")
        }
        let key: JSONWebKey
        do {
            key = try JSONWebKey(json: Array(account.jwk.utf8))
        } catch {
            throw ACMEProblem("serverInternal", "the stored account key cannot be read", status: 500)
        }
        try jws.verify(with: key)
        guard account.status == "valid" else { throw Self.inactive(account) }
        return account
    }

    private func updateAccount(_ account: ACMEAccountRecord, jws: FlattenedJWS, endpoint: ACMEEndpoints) async throws -> ACMEResponse {
        var updated = account
        if !jws.isPostAsGet {
            let payload = try jws.payloadJSONObject()
            if payload["contact"] != nil { updated.contact = try Self.contacts(payload["contact"]) }
            if let status = payload["status"] {
                guard status as? String == "deactivated" else {
                    throw ACMEProblem.malformed("an account's status can only be changed to \"deactivated\"")
                }
                updated.status = "deactivated"
            }
            if updated != account {
                let changed = updated
                try await databaseLock.withLock {
                    try await self.authority.store.transaction { try await self.authority.store.updateACMEAccount(changed) }
                }
            }
        }
        return .json(
            Self.accountObject(updated, endpoint: endpoint), headers: [("Location", endpoint.account(updated.id)), ("Link", endpoint.indexLink)])
    }

    static func inactive(_ account: ACMEAccountRecord) -> ACMEProblem {
        ACMEProblem("unauthorized", "the account is \(account.status)", status: 401)
    }

    static func accountObject(_ account: ACMEAccountRecord, endpoint: ACMEEndpoints) -> [String: Any] {
        ["status": account.status, "contact": account.contact, "termsOfServiceAgreed": account.termsAgreed,
         "orders": endpoint.account(account.id) + "orders/"]
    }

    /// RFC 8555 §7.3: contacts are URLs; swift-ca supports `mailto:` with one plain address each.
    static func contacts(_ value: Any?) throws -> [String] {
        guard let value else { return [] }
        guard let list = value as? [String] else { throw ACMEProblem("invalidContact", "contact must be a list of URLs") }
        guard list.count <= 10 else { throw ACMEProblem("invalidContact", "at most 10 contacts are accepted") }
        for contact in list {
            guard contact.lowercased().hasPrefix("mailto:") else {
                throw ACMEProblem("unsupportedContact", "only mailto: contacts are supported, not \(contact)")
            }
            let address = contact.dropFirst("mailto:".count)
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(","), !address.contains("?"),
                !address.contains(" ")
            else {
                throw ACMEProblem("invalidContact", "\(contact) is not a single e-mail address")
            }
        }
        return list
    }
}

/// The URLs of one CA's ACME resources.
struct ACMEEndpoints {
    let baseURL: String
    let authority: String

    var newNonce: String { "\(baseURL)\(authority)/new-nonce/" }
    var newAccount: String { "\(baseURL)\(authority)/new-account/" }
    var directory: String { "\(baseURL)directory/\(authority)/" }
    var indexLink: String { "<\(directory)>;rel=\"index\"" }
    func account(_ id: String) -> String { "\(baseURL)\(authority)/acct/\(id)\(id.isEmpty ? "" : "/")" }
}
