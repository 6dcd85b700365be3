import CAAuthority
import CACore
import CAStore
import Foundation

/// The ACME server (RFC 8555) behind `<CA_URL_PATH>acme/`: directory, nonces, accounts (with key change
/// and external account binding), orders, authorizations, challenges, finalization, certificate download,
/// revocation and renewal information (RFC 9773).
///
/// Issuance and revocation go through the ``Authority``, durable before they are answered, and so is the use
/// of each replay nonce. Accounts, orders, authorizations and challenges are bookkeeping whose commits are
/// deferred (``Store/Durability/deferred``): an fsync per request would cap ACME at a few dozen orders per
/// second, and a client recovers from losing any of those records by asking again.
public final class ACMEService: Sendable {
    let authority: Authority
    let validator: any ChallengeValidator
    let authorities = ACMEAuthorities()
    let accounts = ACMEAccountCache()
    let nonceMint = ACMENonceMintHolder()
    /// How long an unused nonce stays good.
    static let nonceLifetime: TimeInterval = 3_600

    public init(authority: Authority, validator: any ChallengeValidator) {
        self.authority = authority
        self.validator = validator
    }

    var settings: Settings { authority.settings }

    /// Reads ACME's records in one snapshot.
    func reading<Result>(_ body: (Transaction) async throws -> Result) async throws -> Result {
        try await authority.store.read(body)
    }

    /// Changes ACME's own records in one transaction whose commit may wait for the next durable one.
    func bookkeeping<Result>(_ body: (Transaction) async throws -> Result) async throws -> Result {
        try await authority.store.write(durability: .deferred, body)
    }

    public func handle(_ request: ACMERequest) async -> ACMEResponse {
        var response: ACMEResponse
        do {
            // Changes are audited as made by ACME from the client's address; handlers name the account once known.
            response = try await AuditActor.$current.withValue(AuditActor(name: "acme", source: request.remoteAddress)) {
                try await route(request)
            }
        } catch let problem as ACMEProblem {
            response = .problem(problem)
        } catch let error as JWSError {
            response = .problem(ACMEProblem(error))
        } catch let error as CAError {
            response = .problem(ACMEProblem(error))
        } catch {
            response = .problem(ACMEProblem(.serverInternal, "the request could not be processed", status: 500))
        }
        // Every response, errors included, carries a fresh nonce so that a client can retry a badNonce.
        if let nonce = try? await issueNonce() { response.headers.append(("Replay-Nonce", nonce)) }
        response.headers.append(("Cache-Control", "no-store"))
        return response
    }

    private func route(_ request: ACMERequest) async throws -> ACMEResponse {
        guard settings.acmeEnabled else { throw ACMEProblem.notFound("ACME is disabled (CA_ENABLE_ACME)") }
        let parts = request.path.split(separator: "/").map(String.init)
        if parts.first == "directory" {
            guard request.method == "GET" || request.method == "HEAD" else { throw methodNotAllowed }
            let authority = try await acmeAuthority(parts.count > 1 ? parts[1] : nil)
            return .json(directory(for: authority, baseURL: request.baseURL))
        }
        guard parts.count >= 2 else { throw ACMEProblem.notFound("no such ACME resource") }
        let entry = try await acmeAuthority(parts[0])
        let authority = entry.record
        let endpoint = ACMEEndpoints(baseURL: request.baseURL, authority: authority.serial)
        let context = { (url: String) async throws -> ACMEContext in
            ACMEContext(
                authority: authority, configuration: entry.configuration, endpoint: endpoint,
                jws: try await self.verifiedRequest(request, url: url))
        }
        switch (parts[1], parts.count) {
        case ("new-nonce", 2):
            guard ["GET", "HEAD"].contains(request.method) else { throw methodNotAllowed }
            // RFC 8555 §7.2: 200 for HEAD, 204 for GET; the nonce itself is added by `handle`.
            return ACMEResponse(status: request.method == "HEAD" ? 200 : 204, headers: [("Link", endpoint.indexLink)], body: [])
        case ("new-account", 2):
            return try await newAccount(try await context(endpoint.newAccount))
        case ("acct", 3):
            return try await updateAccount(try await context(endpoint.account(parts[2])))
        case ("acct", 4) where parts[3] == "orders":
            return try await listOrders(try await context(endpoint.account(parts[2]) + "orders/"))
        case ("key-change", 2):
            return try await changeKey(try await context(endpoint.keyChange))
        case ("new-order", 2):
            return try await newOrder(try await context(endpoint.newOrder))
        case ("order", 3):
            return try await showOrder(parts[2], try await context(endpoint.order(parts[2])))
        case ("order", 4) where parts[3] == "finalize":
            return try await finalize(parts[2], try await context(endpoint.finalize(parts[2])))
        case ("authz", 3):
            return try await authorization(parts[2], try await context(endpoint.authorization(parts[2])))
        case ("chall", 3):
            return try await challenge(parts[2], try await context(endpoint.challenge(parts[2])))
        case ("cert", 3):
            return try await downloadCertificate(parts[2], try await context(endpoint.certificate(parts[2])))
        case ("revoke-cert", 2):
            return try await revokeCertificate(try await context(endpoint.revokeCertificate))
        case ("renewal-info", 3):
            guard ["GET", "HEAD"].contains(request.method) else { throw methodNotAllowed }
            return try await renewalInformation(parts[2], authority: authority)
        default:
            throw ACMEProblem.notFound("no such ACME resource")
        }
    }

    var methodNotAllowed: ACMEProblem { ACMEProblem(.malformed, "method not allowed", status: 405) }

    // MARK: directory

    private func directory(for authority: ACMEAuthorities.Entry, baseURL: String) -> [String: Any] {
        let endpoint = ACMEEndpoints(baseURL: baseURL, authority: authority.record.serial)
        let configuration = authority.configuration
        var meta: [String: Any] = ["externalAccountRequired": configuration.acme?.externalAccountRequired ?? false]
        if let terms = configuration.termsOfService { meta["termsOfService"] = terms }
        if let website = configuration.website { meta["website"] = website }
        if let caa = configuration.caaIdentity { meta["caaIdentities"] = [caa] }
        meta["profiles"] = Dictionary(uniqueKeysWithValues: acmeProfiles(for: configuration).map { ($0.name, $0.description) })
        return [
            "newNonce": endpoint.newNonce, "newAccount": endpoint.newAccount, "newOrder": endpoint.newOrder,
            "revokeCert": endpoint.revokeCertificate, "keyChange": endpoint.keyChange, "renewalInfo": endpoint.renewalInformation,
            "meta": meta,
        ]
    }

    /// The CA a request is for: the named one, or without a serial the default ACME CA (CA_DEFAULT_CA if it
    /// has ACME on, else the usable ACME CA that expires last).
    private func acmeAuthority(_ serialText: String?) async throws -> ACMEAuthorities.Entry {
        let usable = try await authorities.usable { try await self.reading { transaction in try await transaction.allAuthorities() } }
        if let serialText {
            guard let serial = SerialNumberText.normalize(serialText), let match = usable.first(where: { $0.record.serial == serial }) else {
                throw ACMEProblem.notFound("no usable CA with ACME enabled has the serial \(serialText)")
            }
            return match
        }
        if let configured = settings.defaultCA.flatMap(SerialNumberText.normalize),
            let match = usable.first(where: { $0.record.serial == configured })
        {
            return match
        }
        guard let latest = usable.max(by: { $0.record.notAfter < $1.record.notAfter }) else {
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
            throw ACMEProblem(.malformed, "ACME requests are application/jose+json", status: 415)
        }
        let jws = try FlattenedJWS(json: request.body)
        guard jws.header.url == url else {
            throw ACMEProblem.unauthorized("the JWS url \"\(jws.header.url)\" is not the URL requested (\(url))")
        }
        let nonce = jws.header.nonce
        guard let expiry = try await mint().expiry(of: nonce), expiry > Date() else {
            throw ACMEProblem.badNonce("the nonce is not one this server issued, or it expired")
        }
        // The one piece of ACME's bookkeeping that is durable before the answer: a use forgotten by a power loss
        // (or a PostgreSQL crash) would let the same signed request be replayed. Group commit shares the fsync
        // among the requests that arrive together.
        let fresh = try await authority.store.write { transaction in try await transaction.markNonceUsed(nonce, expiresAt: expiry) }
        guard fresh else { throw ACMEProblem.badNonce("the nonce was used before") }
        return jws
    }

    /// `count` bytes from the system's CSPRNG, base64url: ids, tokens, MAC keys and secrets.
    static func randomToken(bytes count: Int = 16) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<count).map { _ in generator.next() })
    }

    /// Issuing costs no database write: the nonce carries its expiry under the shared secret's MAC.
    private func issueNonce() async throws -> String {
        try await mint().make(expiresAt: Date().addingTimeInterval(Self.nonceLifetime))
    }

    private func mint() async throws -> ReplayNonceMint {
        try await nonceMint.mint {
            try await self.bookkeeping { transaction in
                try await transaction.secret(named: "acme-nonce-key") { Self.randomToken(bytes: 32) }
            }
        }
    }
}

/// What every authenticated request carries to its handler: the CA, its URLs and the parsed JWS.
struct ACMEContext: Sendable {
    let authority: AuthorityRecord
    let configuration: AuthorityConfiguration
    let endpoint: ACMEEndpoints
    let jws: FlattenedJWS
}

/// The URLs of one CA's ACME resources.
struct ACMEEndpoints: Sendable {
    let baseURL: String
    let authority: String

    var newNonce: String { "\(baseURL)\(authority)/new-nonce/" }
    var newAccount: String { "\(baseURL)\(authority)/new-account/" }
    var newOrder: String { "\(baseURL)\(authority)/new-order/" }
    var revokeCertificate: String { "\(baseURL)\(authority)/revoke-cert/" }
    var keyChange: String { "\(baseURL)\(authority)/key-change/" }
    var renewalInformation: String { "\(baseURL)\(authority)/renewal-info/" }
    var directory: String { "\(baseURL)directory/\(authority)/" }
    var indexLink: String { "<\(directory)>;rel=\"index\"" }
    func account(_ id: String) -> String { "\(baseURL)\(authority)/acct/\(id)\(id.isEmpty ? "" : "/")" }
    func order(_ id: String) -> String { "\(baseURL)\(authority)/order/\(id)/" }
    func finalize(_ id: String) -> String { "\(baseURL)\(authority)/order/\(id)/finalize/" }
    func authorization(_ id: String) -> String { "\(baseURL)\(authority)/authz/\(id)/" }
    func challenge(_ id: String) -> String { "\(baseURL)\(authority)/chall/\(id)/" }
    func certificate(_ serial: String) -> String { "\(baseURL)\(authority)/cert/\(serial)/" }
}
