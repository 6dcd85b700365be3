import CAACME
import CAAccess
import CAAuthority
import CACore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import CARESTAPI
import CAWebUI

/// Maps the published paths to their handlers. Paths are matched by hand, not by a route table, because an
/// OCSP GET carries base64 (with `/` and `+`) in the path and trailing slashes are optional.
struct RequestRouter: Sendable {
    let prefix: String
    let responder: OCSPResponder
    let publisher: RevocationPublisher
    let acme: ACMEService
    /// nil when CA_ENABLE_REST_API or CA_ENABLE_WEB_UI is off: those paths are then not found.
    let restAPI: RESTAPI?
    let webInterface: WebInterface?
    /// `http` or `https`: the scheme of the listener this router serves, for the ACME URLs it writes.
    var scheme = "http"
    let metrics: ServerMetrics
    /// Problems of the key backends (an unreachable HSM token), which the health endpoint reports.
    var keyBackendProblems: @Sendable () -> [String] = { [] }
    let logger: Logger
    /// Request body sizes (CA_MAX_OCSP_REQUEST_BYTES, CA_MAX_ACME_REQUEST_BYTES).
    var limits = RequestLimits()

    /// This server node's name in the log and in job leases.
    var node = ""

    func respond(to request: Request, remoteAddress: String) async -> Response {
        let started = ContinuousClock.now
        var (endpoint, response) = await route(request, origin: RequestOrigin(address: remoteAddress, secure: scheme == "https"))
        // A browser that once reached the web interface over HTTPS never falls back to plain HTTP for this host. Without
        // includeSubDomains: the CA's host name may share its domain with hosts that have no TLS.
        if scheme == "https" { response.headers[Self.strictTransportSecurity] = "max-age=31536000" }
        let duration = ContinuousClock.now - started
        metrics.request(endpoint: endpoint, status: response.status.code, duration: duration)
        // One line per request. The path only: bodies, headers and query strings can carry passwords and tokens.
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        logger.info(
            "\(request.method.rawValue) \(request.uri.path) \(response.status.code) \(String(format: "%.2f", milliseconds)) ms",
            metadata: [
                "node": .string(node), "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code), "milliseconds": .string(String(format: "%.2f", milliseconds)),
                "client": .string(remoteAddress),
            ])
        return response
    }

    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!

    private func route(_ request: Request, origin: RequestOrigin) async -> (ServerMetrics.Endpoint, Response) {
        let path = request.uri.path
        if path == "/healthz" || path == "/healthz/" {
            let problems = keyBackendProblems()
            // A node whose token is unreachable still answers OCSP from responder keys and stored responses, so it
            // says what is wrong rather than going silent.
            guard problems.isEmpty else {
                return (.healthz, Self.problem(.serviceUnavailable, "unavailable: " + problems.joined(separator: "; ")))
            }
            return (.healthz, Self.text("ok\n"))
        }
        if let restAPI, path == "/api" || path.hasPrefix("/api/") {
            return (.api, await restAPI.respond(to: request, origin: origin))
        }
        // django-ca serves its API under its URL path (`/django_ca/api/`): clients written for it keep their base URL.
        if let restAPI, path == prefix + "api" || path.hasPrefix(prefix + "api/") {
            return (.api, await restAPI.respond(to: request, path: "/" + path.dropFirst(prefix.count), origin: origin))
        }
        if let webInterface, path == "/admin" || path.hasPrefix("/admin/") {
            return (.web, await webInterface.respond(to: request, origin: origin))
        }
        if path == "/metrics" {
            metrics.cachedResponses(responder.cachedResponseCount)
            return (.metrics, Self.bytes(metrics.text(), type: "text/plain; version=0.0.4"))
        }
        guard path.hasPrefix(prefix) else { return (.other, Self.problem(.notFound, "not found")) }
        let parts = path.dropFirst(prefix.count).split(separator: "/", maxSplits: 5, omittingEmptySubsequences: true)
        switch parts.first {
        case "issuer":
            guard request.method == .get || request.method == .head else { return (.issuer, Self.methodNotAllowed("GET")) }
            return (.issuer, await issuer(parts.dropFirst()))
        case "crl":
            guard request.method == .get || request.method == .head else { return (.crl, Self.methodNotAllowed("GET")) }
            return (.crl, await crl(parts.dropFirst(), query: request.uri.queryParameters["encoding"].map(String.init)))
        case "ocsp":
            return (.ocsp, await ocsp(request, path: path))
        case "acme":
            return (.acme, await acme(request, path: path, origin: origin))
        case "ssh":
            guard request.method == .get || request.method == .head else { return (.ssh, Self.methodNotAllowed("GET")) }
            return (.ssh, await ssh(parts.dropFirst()))
        default:
            return (.other, Self.problem(.notFound, "not found"))
        }
    }

    // MARK: ssh/<CA NAME>/ca.pub, ssh/<CA NAME>/krl

    /// An OpenSSH CA's key for TrustedUserCAKeys or @cert-authority, and its KRL for RevokedKeys. The name is
    /// percent-encoded in the path.
    private func ssh(_ parts: ArraySlice<Substring>) async -> Response {
        guard parts.count == 2, let name = String(parts[parts.startIndex]).removingPercentEncoding else {
            return Self.problem(.notFound, "not found")
        }
        let file = parts[parts.startIndex + 1]
        guard file == "ca.pub" || file == "krl" else { return Self.problem(.notFound, "not found") }
        do {
            guard let record = try await publisher.sshAuthority(named: name) else {
                return Self.problem(.notFound, "no OpenSSH CA is named \"\(name)\"")
            }
            var response: Response
            if file == "ca.pub" {
                response = Self.bytes(Array((try publisher.sshPublicKey(record) + "\n").utf8), type: "text/plain; charset=utf-8")
                response.headers[.cacheControl] = "public, max-age=86400"
            } else {
                // Built from the database on each request, so it lists every revocation acknowledged so far.
                response = Self.bytes(try await publisher.sshRevocationList(record), type: "application/octet-stream")
                response.headers[.cacheControl] = "no-cache"
            }
            return response
        } catch {
            logger.error("OpenSSH CA \(name): \(error)")
            return Self.problem(.internalServerError, "the OpenSSH CA cannot be read")
        }
    }

    // MARK: issuer/<SERIAL>.der

    private func issuer(_ parts: ArraySlice<Substring>) async -> Response {
        guard parts.count == 1, let name = parts.first, name.hasSuffix(".der"),
            let serial = SerialNumberText.normalize(String(name.dropLast(4)))
        else { return Self.problem(.notFound, "not found") }
        do {
            guard let der = try await publisher.issuerCertificate(serial: serial) else {
                return Self.problem(.notFound, "no CA has the serial \(serial)")
            }
            var response = Self.bytes(der, type: "application/pkix-cert")
            response.headers[.cacheControl] = "public, max-age=86400"
            return response
        } catch {
            logger.error("issuer certificate \(serial) cannot be read: \(error)")
            return Self.problem(.internalServerError, "the certificate cannot be read")
        }
    }

    // MARK: crl/<SERIAL>/, crl/ca/<SERIAL>/, crl/<SERIAL>/full/, crl/<SERIAL>/shard/<K>/, and each complete one's delta/

    private func crl(_ parts: ArraySlice<Substring>, query encoding: String?) async -> Response {
        var parts = Array(parts)
        var delta = false
        if parts.count > 1, parts.last == "delta" {
            delta = true
            parts.removeLast()
        }
        var scope: String
        let serialText: Substring
        switch parts.count {
        case 1: (scope, serialText) = ("user", parts[0])
        case 2 where parts[0] == "ca": (scope, serialText) = ("ca", parts[1])
        case 2 where parts[1] == "full": (scope, serialText) = ("all", parts[0])
        case 3 where parts[1] == "shard" && !delta:
            // Shard numbers are written without leading zeros or signs, so each shard has one URL.
            guard let shard = Int(parts[2]), shard >= 0, String(shard) == parts[2] else { return Self.problem(.notFound, "not found") }
            (scope, serialText) = (RevocationListRequest(shard: shard, validity: 0).scopeKey, parts[0])
        default: return Self.problem(.notFound, "not found")
        }
        if delta { scope += RevocationListRequest.deltaSuffix }
        guard let serial = SerialNumberText.normalize(String(serialText)) else { return Self.problem(.notFound, "not found") }
        let pem: Bool
        switch encoding?.uppercased() {
        case nil, "DER": pem = false
        case "PEM": pem = true
        default: return Self.problem(.badRequest, "encoding must be DER or PEM")
        }
        do {
            guard let published = try await publisher.revocationList(authority: serial, scope: scope) else {
                return Self.problem(.notFound, "no \(scope) CRL of CA \(serial) has been generated (run generate-crls)")
            }
            var response =
                pem
                ? Self.bytes(Array(CRLBuilder.pem(published.der).utf8), type: "text/plain")
                : Self.bytes(published.der, type: "application/pkix-crl")
            Self.addCachingHeaders(
                to: &response, thisUpdate: published.thisUpdate, nextUpdate: published.nextUpdate,
                // Revocations reach the CRL within a minute; caches should not hold it much longer.
                maximumAge: 60, entityTag: "\(scope)-\(published.number)")
            return response
        } catch {
            logger.error("CRL \(scope) of \(serial) cannot be read: \(error)")
            return Self.problem(.internalServerError, "the CRL cannot be read")
        }
    }

    // MARK: ocsp/<SERIAL>/cert/ and ocsp/<SERIAL>/ca/ (POST, or GET with the request in base64)

    private func ocsp(_ request: Request, path: String) async -> Response {
        // prefix, "ocsp", serial, scope, then the base64 request of a GET, which may itself contain "/".
        let rest = path.dropFirst(prefix.count + "ocsp/".count)
        let pieces = rest.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count >= 2, let scope = OCSPScope(rawValue: String(pieces[1])) else {
            return Self.problem(.notFound, "not found")
        }
        let serial = String(pieces[0])
        let encoded = pieces.count == 3 ? String(pieces[2]) : ""
        var body: [UInt8]
        switch request.method {
        case .post:
            if let type = request.headers[.contentType], !Self.isOCSPRequestType(type) {
                logger.notice("OCSP POST with content type \(type) refused")
                return Self.problem(.unsupportedMediaType, "the body must be application/ocsp-request")
            }
            do {
                let buffer = try await request.body.collect(upTo: limits.ocspRequestBytes)
                body = Array(buffer.readableBytesView)
            } catch {
                logger.notice("OCSP POST body over \(limits.ocspRequestBytes) bytes refused")
                return Self.problem(.contentTooLarge, "OCSP requests are limited to \(limits.ocspRequestBytes) bytes")
            }
        case .get:
            guard encoded.utf8.count <= limits.ocspRequestBytes * 2, let decoded = OCSPGetPath.requestBytes(encoded) else {
                logger.notice("OCSP GET whose path is not a base64 request")
                return ocspResponse(.error(.malformedRequest))
            }
            body = decoded
        default:
            return Self.methodNotAllowed("GET, POST")
        }
        let answer = await responder.answer(body, authoritySerial: serial, scope: scope)
        metrics.ocspAnswer(answer)
        if answer.status != .successful {
            logger.notice("OCSP request for CA \(serial) (\(scope.rawValue)) answered \(answer.status)")
        }
        return ocspResponse(answer)
    }

    private func ocspResponse(_ answer: OCSPAnswer) -> Response {
        var headers: HTTPFields = [.contentType: "application/ocsp-response", .contentLength: String(answer.der.count)]
        if let cacheable = answer.cacheable {
            // RFC 5019 §6.2; the validators were formatted when the response was signed.
            let age = max(0, Int(cacheable.nextUpdate.timeIntervalSinceNow.rounded(.down)))
            headers[.cacheControl] = "max-age=\(age), public, no-transform, must-revalidate"
            headers[.lastModified] = cacheable.lastModifiedHeader
            headers[.expires] = cacheable.expiresHeader
            headers[.eTag] = cacheable.entityTagHeader
        } else {
            headers[.cacheControl] = "no-store"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.der)))
    }

    /// `application/ocsp-request`, with parameters or other capitalisation tolerated.
    static func isOCSPRequestType(_ value: String) -> Bool {
        if value == "application/ocsp-request" { return true }
        let mediaType = value.split(separator: ";").first.map(String.init) ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/ocsp-request"
    }

    // MARK: acme/

    private func acme(_ request: Request, path: String, origin: RequestOrigin) async -> Response {
        let acmePrefix = prefix + "acme/"
        let subpath = path.hasPrefix(acmePrefix) ? String(path.dropFirst(acmePrefix.count)) : ""
        var body: [UInt8] = []
        if request.method == .post {
            do {
                let buffer = try await request.body.collect(upTo: limits.acmeRequestBytes)
                body = Array(buffer.readableBytesView)
            } catch {
                logger.notice("ACME body over \(limits.acmeRequestBytes) bytes refused")
                return Self.problem(.contentTooLarge, "ACME requests are limited to \(limits.acmeRequestBytes) bytes")
            }
        }
        // The URLs the server writes, and the JWS url values it expects, are those the client used.
        let host = request.head.authority ?? "localhost"
        var acmeRequest = ACMERequest(
            method: request.method.rawValue, path: subpath, baseURL: "\(scheme)://\(host)\(acmePrefix)",
            contentType: request.headers[.contentType], body: body)
        acmeRequest.remoteAddress = origin.address
        let answer = await acme.handle(acmeRequest)
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        headers[.contentLength] = String(answer.body.count)
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    // MARK: responses

    /// RFC 5019 §6: max-age no later than nextUpdate, Last-Modified, Expires and a strong ETag.
    static func addCachingHeaders(
        to response: inout Response, thisUpdate: Date, nextUpdate: Date, maximumAge: Int?, entityTag: String
    ) {
        let now = Date()
        var age = max(0, Int(nextUpdate.timeIntervalSince(now).rounded(.down)))
        if let maximumAge { age = min(age, maximumAge) }
        response.headers[.cacheControl] = "max-age=\(age), public, no-transform, must-revalidate"
        response.headers[.lastModified] = HTTPDate.format(thisUpdate)
        response.headers[.expires] = HTTPDate.format(now.addingTimeInterval(TimeInterval(age)))
        response.headers[.eTag] = "\"\(entityTag)\""
    }

    static func bytes(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .contentLength: String(bytes.count)],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ text: String) -> Response {
        bytes(Array(text.utf8), type: "text/plain; charset=utf-8")
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var response = text(message + "\n")
        response.status = status
        return response
    }

    static func methodNotAllowed(_ allowed: String) -> Response {
        var response = problem(.methodNotAllowed, "method not allowed")
        response.headers[.allow] = allowed
        return response
    }
}
