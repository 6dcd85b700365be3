import CAAccess
import CAAuthority
import CACore
import CAStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import X509

/// The REST API under `/api/`, described by `openapi.yaml` (served at `/api/openapi.yaml`): django-ca's
/// endpoints, authenticated with API tokens (Bearer) or HTTP Basic, and built on the authority's one
/// issuance, revocation and storage path.
public final class RESTAPI: Sendable {
    let authority: Authority
    let access: AccessControl
    let logger: Logger
    /// Larger bodies are refused with 413 (CA_MAX_API_REQUEST_BYTES); a CSR with a 16k RSA key and every extension
    /// stays far below the default.
    var maximumBodySize: Int { authority.settings.limits.apiRequestBytes }
    static let link = HTTPField.Name("Link")!

    public init(authority: Authority, access: AccessControl, logger: Logger) {
        self.authority = authority
        self.access = access
        self.logger = logger
    }

    /// - Parameter path: The request's path as the API sees it (`/api/...`), when it was reached under another prefix.
    public func respond(to request: Request, path: String? = nil, origin: RequestOrigin) async -> Response {
        guard let route = APIRoute(path: path ?? request.uri.path) else { return APIResponse.detail(.notFound, "Not Found") }
        guard route.methods.contains(request.method) else { return APIResponse.methodNotAllowed(route.methods) }
        if route == .openAPI { return OpenAPIDocument.response() }
        do {
            let identity = try await authenticate(request, origin: origin)
            try identity.require(Self.permission(for: route, method: request.method))
            let body = try await readBody(request)
            return try await AuditActor.$current.withValue(origin.actor(identity.name)) {
                try await self.handle(route, request: request, body: body, identity: identity, origin: origin)
            }
        } catch is APIBodyTooLarge {
            return APIResponse.detail(.contentTooLarge, "the request body is larger than \(maximumBodySize / 1024) KiB")
        } catch let error as CAError {
            if error.kind == .storage { logger.error("API \(request.method) \(request.uri.path): \(error.message)") }
            return APIResponse.error(error)
        } catch {
            logger.error("API \(request.method) \(request.uri.path) failed: \(error)")
            return APIResponse.detail(.internalServerError, "the request failed on the server")
        }
    }

    private func authenticate(_ request: Request, origin: RequestOrigin) async throws -> Identity {
        guard let header = request.headers[.authorization] else {
            throw CAError(.unauthenticated, "no credentials")
        }
        return try await access.authenticate(authorization: header, source: origin.address)
    }

    /// django-ca's model permissions per endpoint: reading needs view, changing a certificate needs sign
    /// (watchers too) or revoke, and a CA's settings need change.
    static func permission(for route: APIRoute, method: HTTPRequest.Method) -> Permission {
        switch route {
        case .openAPI, .authorities, .certificates, .certificate, .sshAuthorities, .sshCertificates, .sshCertificate: return .view
        case .sshSign: return .sign
        case .sshRevoke: return .revoke
        case .authority: return method == .put ? .changeAuthority : .view
        case .watchers: return method == .put ? .sign : .view
        case .profiles, .profile, .sign, .order, .resign: return .sign
        case .revoke: return .revoke
        }
    }

    private func readBody(_ request: Request) async throws -> [UInt8] {
        guard request.method == .post || request.method == .put else { return [] }
        do {
            let buffer = try await request.body.collect(upTo: maximumBodySize)
            return Array(buffer.readableBytesView)
        } catch {
            throw APIBodyTooLarge()
        }
    }

    private func handle(
        _ route: APIRoute, request: Request, body: [UInt8], identity: Identity, origin: RequestOrigin
    ) async throws -> Response {
        switch route {
        case .openAPI: return OpenAPIDocument.response()
        case .profiles:
            let catalog = authority.profiles
            return APIResponse.json(catalog.names.compactMap { name in
                catalog.profiles[name].map { APIRepresentation.profile($0, isDefault: name == catalog.defaultProfileName) }
            })
        case .profile(let name):
            guard let profile = authority.profiles.profiles[name] else { throw CAError(.notFound, "there is no profile named \"\(name)\"") }
            return APIResponse.json(APIRepresentation.profile(profile, isDefault: name == authority.profiles.defaultProfileName))
        case .authorities:
            return try await listAuthorities(includeExpired: try QueryFlags(request).flag("expired") ?? false)
        case .authority(let serial):
            if request.method == .put { return try await updateAuthority(serial, body: body) }
            return APIResponse.json(try APIRepresentation.authority(try await visibleAuthority(serial), ocsp: authority.settings.ocsp))
        case .sign(let serial):
            return try await sign(serial, body: body, identity: identity, origin: origin)
        case .order(let serial, let slug):
            return try await order(slug, authority: serial, identity: identity)
        case .certificates(let serial):
            return try await listCertificates(serial, request: request)
        case .certificate(let serial, let certificate):
            let record = try await visibleCertificate(certificate, authority: serial)
            return try await certificateResponse(record, status: .ok)
        case .resign(let serial, let certificate):
            return try await resign(certificate, authority: serial, body: body, identity: identity, origin: origin)
        case .revoke(let serial, let certificate):
            return try await revoke(certificate, authority: serial, body: body)
        case .watchers(let serial, let certificate):
            return try await watchers(certificate, authority: serial, replacing: request.method == .put ? body : nil)
        case .sshAuthorities, .sshSign, .sshCertificates, .sshCertificate, .sshRevoke:
            return try await handleSSH(route, body: body)
        }
    }

    // MARK: CAs

    /// A CA the API may show: enabled and with `--api-enable`; others do not exist for the API, as in django-ca.
    func visibleAuthority(_ serial: String) async throws -> AuthorityRecord {
        guard let record = try await authority.store.read({ try await $0.authority(serial: serial) }), try Self.isVisible(record) else {
            throw Self.notVisible(serial)
        }
        return record
    }

    static func isVisible(_ record: AuthorityRecord) throws -> Bool {
        try record.enabled && record.configurationValue().apiEnabled == true
    }

    static func notVisible(_ serial: String) -> CAError {
        CAError(.notFound, "no CA with the serial \(SerialNumberText.colonSeparated(serial)) is available through the API")
    }

    private func listAuthorities(includeExpired: Bool) async throws -> Response {
        let all = try await authority.authorities()
        let now = Date()
        let visible = try all.filter { record in
            let usable = record.enabled && record.revocation == nil && (includeExpired || record.notAfter > now)
            return try usable && record.configurationValue().apiEnabled == true
        }
        return APIResponse.json(try visible.sorted { $0.name < $1.name }.map { try APIRepresentation.authority($0, ocsp: authority.settings.ocsp) })
    }

    private func updateAuthority(_ serial: String, body: [UInt8]) async throws -> Response {
        let changes = try APIBody.decode(AuthorityUpdateBody.self, from: body)
        if let name = changes.name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CAError(.invalidInput, "\"name\" must not be empty")
        }
        if let profile = changes.acmeProfile, authority.profiles.profiles[profile] == nil {
            throw CAError(.invalidInput, "unknown profile \"\(profile)\" for \"acme_profile\"")
        }
        _ = try await visibleAuthority(serial)
        let updated = try await authority.editAuthority(
            serial, name: changes.name?.trimmingCharacters(in: .whitespaces), enabled: nil,
            signTemplateChanges: changes.templateChanges, website: changes.website, termsOfService: changes.termsOfService,
            caaIdentity: changes.caaIdentity, acmeChanges: changes.acmeChanges,
            ocspResponderKeyValidityDays: changes.ocspResponderKeyValidity, ocspResponseValiditySeconds: changes.ocspResponseValidity)
        return APIResponse.json(try APIRepresentation.authority(updated, ocsp: authority.settings.ocsp))
    }

    // MARK: signing

    private func sign(_ serial: String, body: [UInt8], identity: Identity, origin: RequestOrigin) async throws -> Response {
        let input = try APIBody.decode(SignBody.self, from: body)
        let request = try input.signingRequest(profiles: authority.profiles)
        let csr = Array(input.csr.utf8)
        guard authority.signsWithCAKeys else {
            // Checked here so that a bad CSR is a 400 now, not a failed order later.
            _ = try CSRReader.parse(csr)
            return try await queueOrder(csr: csr, request: request, authority: serial, identity: identity, origin: origin)
        }
        guard let stored = SerialNumberText.normalize(serial) else { throw Self.notVisible(serial) }
        // The CA is read once, by the signature itself, which admits only a CA the API may show.
        // Concurrent signatures share commits in the store (group commit).
        let issued: IssuedCertificate
        let order: APIOrderRecord
        do {
            (issued, order) = try await authority.signAPIOrder(
                csr: csr, request: request, authority: stored, password: input.keyBackendOptions?.password, user: identity.name,
                source: origin.address
            ) { ca in
                guard ca.serial == stored, try Self.isVisible(ca) else { throw Self.notVisible(serial) }
            }
        } catch let error as CAError where error.kind == .notFound || error.kind == .ambiguous {
            // No CA has exactly this serial.
            throw Self.notVisible(serial)
        }
        // A new certificate's watchers are those requested, so the answer needs no further read.
        let watchers = Set(try request.watchers.map { try EmailAddress(parsing: $0).address }).sorted()
        return try certificateResponse(
            issued.record, certificate: issued.certificate, issuer: issued.authority, watchers: watchers, status: .created, order: order)
    }

    private func resign(
        _ certificate: String, authority serial: String, body: [UInt8], identity: Identity, origin: RequestOrigin
    ) async throws -> Response {
        let input = body.isEmpty ? ResignBody() : try APIBody.decode(ResignBody.self, from: body)
        let expiresDays = try input.expiresDays()
        let watchers = input.watchers ?? []
        guard authority.signsWithCAKeys else {
            let record = try await visibleCertificate(certificate, authority: serial)
            let replay = try await authority.resignRequest(record.serial, expiresDays: expiresDays, watchers: watchers)
            return try await queueOrder(csr: replay.csr, request: replay.request, authority: serial, identity: identity, origin: origin)
        }
        let record = try await visibleCertificate(certificate, authority: serial)
        let (issued, order) = try await authority.resignAPIOrder(
            record.serial, expiresDays: expiresDays, watchers: watchers, password: input.keyBackendOptions?.password, user: identity.name,
            source: origin.address)
        return try await certificateResponse(issued.record, status: .created, order: order)
    }

    private func queueOrder(
        csr: [UInt8], request: SigningRequest, authority serial: String, identity: Identity, origin: RequestOrigin
    ) async throws -> Response {
        let ca = try await visibleAuthority(serial)
        // The same liveness rule ACME finalization uses: an order must not wait for nobody.
        guard try await authority.signingNodeIsAlive() else {
            throw CAError(
                .keyAccess,
                "no node can sign: this server runs with --role public and no node with --role all has been seen in the last \(Int(authority.signingNodeWindow)) seconds")
        }
        let order = try await authority.queueAPIOrder(
            csr: csr, request: request, authority: ca.serial, user: identity.name, source: origin.address)
        logger.info("API order \(order.slug) of \(identity.name) queued for a signing node")
        return APIResponse.json(
            APIRepresentation.order(order), status: .accepted, headers: [.location: "/api/ca/\(serial)/orders/\(order.slug)/"])
    }

    private func order(_ slug: String, authority serial: String, identity: Identity) async throws -> Response {
        _ = try await visibleAuthority(serial)
        let order = try await authority.store.read { try await $0.apiOrder(slug: slug) }
        // Someone else's order does not exist for this user, as in django-ca.
        guard let order, order.userName == identity.name, order.authoritySerial == serial else {
            throw CAError(.notFound, "there is no order \(slug) of yours for this CA")
        }
        return APIResponse.json(APIRepresentation.order(order))
    }

    // MARK: certificates

    func visibleCertificate(_ serial: String, authority authoritySerial: String) async throws -> CertificateRecord {
        _ = try await visibleAuthority(authoritySerial)
        guard let record = try await authority.store.read({ try await $0.certificate(serial: serial) }),
            record.authoritySerial == authoritySerial
        else {
            throw CAError(.notFound, "CA \(SerialNumberText.colonSeparated(authoritySerial)) has no certificate \(SerialNumberText.colonSeparated(serial))")
        }
        return record
    }

    /// The certificate as `view-cert --output-format json` shows it.
    private func certificateResponse(
        _ record: CertificateRecord, status: HTTPResponse.Status, order: APIOrderRecord? = nil
    ) async throws -> Response {
        let (issuer, watchers) = try await authority.store.read { transaction in
            (try await transaction.authority(serial: record.authoritySerial), try await transaction.watchers(of: record.serial))
        }
        guard let issuer else { throw CAError(.storage, "the CA of certificate \(record.serial) is missing") }
        return try certificateResponse(
            record, certificate: try record.certificate(), issuer: issuer, watchers: watchers, status: status, order: order)
    }

    /// The certificate's JSON; after a signature also the `slug` of its issued order, which a client written for
    /// django-ca (whose API answers a signature with an order) polls at `…/orders/{slug}/`.
    private func certificateResponse(
        _ record: CertificateRecord, certificate: Certificate, issuer: AuthorityRecord, watchers: [String], status: HTTPResponse.Status,
        order: APIOrderRecord? = nil
    ) throws -> Response {
        let details = try CertificateDetails(certificate)
        var object = CertificateJSON.object(record, details: details, issuer: issuer, watchers: watchers)
        for (key, value) in APIRepresentation.djangoCAMembers(record, certificate: certificate, watchers: watchers) { object[key] = value }
        if let order { object["slug"] = order.slug }
        var headers: HTTPFields = [:]
        if status == .created { headers[.location] = "/api/ca/\(record.authoritySerial)/certs/\(record.serial)/" }
        return APIResponse.json(object, status: status, headers: headers)
    }

    private func listCertificates(_ serial: String, request: Request) async throws -> Response {
        let query = try QueryFlags(request)
        var filter = CertificateFilter(
            authoritySerial: serial, includeExpired: try query.flag("expired") ?? false,
            includeRevoked: try query.flag("revoked") ?? false, includeAutogenerated: try query.flag("autogenerated") ?? false)
        if let status = query.value("status") {
            guard let parsed = ListingStatus(rawValue: status) else {
                throw CAError(.invalidInput, "\"status\" must be valid, expired or revoked")
            }
            filter.status = parsed
        }
        filter.profile = query.value("profile")
        filter.search = query.value("search")
        let limit = try query.integer("limit") ?? 100
        guard (1...1_000).contains(limit) else { throw CAError(.invalidInput, "\"limit\" must be between 1 and 1000") }
        filter.limit = limit
        filter.after = try query.value("after").map(APIRepresentation.position)
        let finalFilter = filter
        _ = try await visibleAuthority(serial)
        // The page and its watchers in one snapshot: django-ca lists each certificate with its watchers.
        let (page, watchers) = try await authority.store.read { transaction in
            let page = try await transaction.certificatePage(finalFilter)
            var watchers: [String: [String]] = [:]
            for record in page { watchers[record.serial] = try await transaction.watchers(of: record.serial) }
            return (page, watchers)
        }
        var headers: HTTPFields = [:]
        // A full page may have a successor; the last page has no link (or, rarely, the next one is empty).
        if page.count == limit, let last = page.last {
            headers[Self.link] = "<\(query.url(path: request.uri.path, replacing: "after", with: APIRepresentation.cursor(after: last)))>; rel=\"next\""
        }
        return APIResponse.json(
            try page.map { record in
                var object = APIRepresentation.listedCertificate(record)
                let certificate = try record.certificate()
                let members = APIRepresentation.djangoCAMembers(record, certificate: certificate, watchers: watchers[record.serial] ?? [])
                for (key, value) in members { object[key] = value }
                object["fingerprints"] = try CertificateDetails(certificate).fingerprints
                return object
            }, headers: headers)
    }

    private func revoke(_ certificate: String, authority serial: String, body: [UInt8]) async throws -> Response {
        let input = body.isEmpty ? RevokeBody() : try APIBody.decode(RevokeBody.self, from: body)
        let reason = try input.revocationReason()
        let compromisedAt = try input.compromisedAt()
        let revoked: CertificateRecord
        do {
            let record = try await visibleCertificate(certificate, authority: serial)
            revoked = try await authority.revoke(record.serial, reason: reason, compromisedAt: compromisedAt)
        } catch let error as CAError where error.kind == .conflict {
            // django-ca answers a second revocation with 400.
            throw CAError(.invalidInput, error.message)
        }
        return try await certificateResponse(revoked, status: .ok)
    }

    private func watchers(_ certificate: String, authority serial: String, replacing body: [UInt8]?) async throws -> Response {
        let wanted = try body.map { try APIBody.decode(WatchersBody.self, from: $0).watchers.map { try EmailAddress(parsing: $0).address } }
        let record = try await visibleCertificate(certificate, authority: serial)
        let watchers: [String]
        if let wanted {
            let current = try await authority.watchers(of: record)
            watchers = try await authority.changeWatchers(
                record.serial, add: wanted.filter { !current.contains($0) }, remove: current.filter { !wanted.contains($0) })
        } else {
            watchers = try await authority.watchers(of: record)
        }
        return APIResponse.json(["watchers": watchers])
    }
}

/// A body over `RESTAPI.maximumBodySize`.
struct APIBodyTooLarge: Error {}
