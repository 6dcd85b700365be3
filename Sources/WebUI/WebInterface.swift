import CAAccess
import CAAuthority
import CACore
import CAStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The administration pages under `/admin/`: server-rendered HTML that works without JavaScript.
///
/// Every request passes the same gate: the body is read up to `maximumBodySize`, the session cookie is
/// looked up in the database (so any node serves any request), and every POST must carry the session's
/// CSRF token. Changes go through `Authority`, with the user and address as the audit actor.
public final class WebInterface: Sendable {
    let authority: Authority
    let access: AccessControl
    let logger: Logger
    let renderer: PageRenderer

    /// Forms carry at most a CSR and a few fields; a larger body is refused with 413 (CA_MAX_WEB_REQUEST_BYTES).
    var maximumBodySize: Int { authority.settings.limits.webRequestBytes }
    static let sessionCookie = "sca_session"
    /// The login form's double-submit token (no session exists yet to hold one).
    static let loginCookie = "sca_login"

    public init(authority: Authority, access: AccessControl, logger: Logger) {
        self.authority = authority
        self.access = access
        self.logger = logger
        self.renderer = PageRenderer(logger: logger)
    }

    public func respond(to request: Request, origin: RequestOrigin) async -> Response {
        var session: WebSession?
        var response: Response
        do {
            let call = try await WebCall.read(request, origin: origin, limit: maximumBodySize)
            session = try await currentSession(call)
            response = try await route(call, session: session)
        } catch {
            response = failurePage(error, session: session)
        }
        SecurityHeaders.apply(to: &response)
        return response
    }

    private func currentSession(_ call: WebCall) async throws -> WebSession? {
        guard let cookie = call.cookies[Self.sessionCookie], let found = try await access.session(cookie: cookie) else { return nil }
        return WebSession(identity: found.identity, record: found.session, cookie: cookie)
    }

    private func route(_ call: WebCall, session: WebSession?) async throws -> Response {
        let path = call.path
        if path == ["static", "style.css"] {
            try call.expect(.get)
            return Self.download(Array(Stylesheet.css.utf8), type: "text/css; charset=utf-8", filename: nil)
        }
        if path == ["login"] { return try await LoginPage(web: self).respond(call, session: session) }
        guard let session else {
            // A form posted without a session cannot prove it came from our page; a page view is sent to log in.
            if call.method == .post { throw WebFailure(.forbidden, "your session has ended; log in again") }
            return Self.redirect("/admin/login")
        }
        if call.method == .post {
            guard AccessControl.validCSRF(call.form.value("csrf"), session: session.record) else {
                logger.notice("web POST \(call.rawPath) by \(session.identity.name) with a missing or wrong CSRF token refused")
                throw WebFailure(.forbidden, "the form's security token is missing or wrong; reload the page and try again")
            }
        }
        let context = PageCall(web: self, call: call, session: session)
        switch path.first {
        case nil:
            try call.expect(.get)
            return try await DashboardPage(context).render()
        case "logout":
            try call.expect(.post)
            try await access.endSession(cookie: session.cookie)
            var response = Self.redirect("/admin/login")
            response.headers[values: .setCookie] = [Self.cookie(Self.sessionCookie, value: "", origin: call.origin, clear: true)]
            return response
        case "cas":
            return try await AuthorityPages(context).respond(Array(path.dropFirst()))
        case "certificates":
            return try await CertificatePages(context).respond(Array(path.dropFirst()))
        case "ssh":
            return try await SSHPages(context).respond(Array(path.dropFirst()))
        case "sign" where path.count == 1:
            return try await SignPage(context).respond()
        case "audit" where path.count == 1:
            try call.expect(.get)
            return try await AuditPage(context).render()
        default:
            throw WebFailure(.notFound, "there is no page at \(call.rawPath)")
        }
    }

    // MARK: responses

    func failurePage(_ error: any Error, session: WebSession?) -> Response {
        let failure: WebFailure
        switch error {
        case let known as WebFailure: failure = known
        case let caError as CAError: failure = WebFailure(caError)
        case let malformed as MalformedForm: failure = WebFailure(.badRequest, malformed.message)
        default:
            logger.error("web request failed: \(error)")
            failure = WebFailure(.internalServerError, "the request failed on the server; see the server log")
        }
        return renderer.page(
            "message", title: failure.heading,
            context: ["heading": failure.heading, "message": failure.message, "back": session == nil ? "/admin/login" : "/admin/"],
            session: session, status: failure.status)
    }

    /// 303 after a POST, so that reloading the next page does not repeat the action.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .contentLength: "0"])
    }

    static func download(_ bytes: [UInt8], type: String, filename: String?) -> Response {
        var headers: HTTPFields = [.contentType: type, .contentLength: String(bytes.count)]
        if let filename { headers[.contentDisposition] = "attachment; filename=\"\(filename)\"" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Cookies are limited to `/admin`, hidden from scripts, never sent cross-site, and Secure over TLS.
    static func cookie(_ name: String, value: String, origin: RequestOrigin, clear: Bool = false) -> String {
        var text = "\(name)=\(value); Path=/admin; HttpOnly; SameSite=Strict"
        if origin.secure { text += "; Secure" }
        if clear { text += "; Max-Age=0" }
        return text
    }
}

/// The headers every page carries: no scripts at all, no framing, no caching of pages that show
/// certificates and tokens, no MIME sniffing and no referrer outside the site.
enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!

    static func apply(to response: inout Response) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[referrerPolicy] = "same-origin"
        response.headers[frameOptions] = "DENY"
        response.headers[.cacheControl] = "no-store"
    }
}

/// The logged-in user of a request.
struct WebSession: Sendable {
    let identity: Identity
    let record: SessionRecord
    let cookie: String

    var csrfToken: String { record.csrfToken }
}

/// An error page: the status and one line for the user.
struct WebFailure: Error {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: CAError) {
        self.init(Self.status(for: error.kind), error.message)
    }

    static func status(for kind: CAError.Kind) -> HTTPResponse.Status {
        HTTPResponse.Status(code: kind.httpStatus)
    }

    var heading: String {
        switch status.code {
        case 400: return "Bad request"
        case 401: return "Not logged in"
        case 403: return "Forbidden"
        case 404: return "Not found"
        case 405: return "Method not allowed"
        case 409: return "Conflict"
        case 413: return "Request too large"
        case 422: return "Refused"
        case 429: return "Too many attempts"
        default: return "Server error"
        }
    }
}

/// One request as the pages see it: method, path below `/admin/`, query, parsed form and cookies.
struct WebCall: Sendable {
    let method: HTTPRequest.Method
    let path: [String]
    let rawPath: String
    let query: [String: String]
    let form: FormData
    let cookies: [String: String]
    let origin: RequestOrigin

    static func read(_ request: Request, origin: RequestOrigin, limit: Int) async throws -> WebCall {
        let rawPath = request.uri.path
        let below = rawPath.dropFirst("/admin".count)
        let path = below.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        // The query is decoded like a urlencoded form ("+" is a space), as browsers write GET forms.
        let query = try FormData.parseURLEncoded(request.uri.query ?? "").fields.compactMapValues(\.first)
        var form = FormData()
        if request.method == .post {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: limit)
            } catch {
                throw WebFailure(.contentTooLarge, "the form is larger than \(limit / 1024) KiB")
            }
            form = try FormData.parse(body: Array(buffer.readableBytesView), contentType: request.headers[.contentType])
        }
        return WebCall(
            method: request.method, path: path, rawPath: rawPath, query: query, form: form,
            cookies: CookieHeader.parse(request.headers[.cookie]), origin: origin)
    }

    /// A query parameter trimmed; nil when absent or blank.
    func parameter(_ name: String) -> String? {
        guard let value = query[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func expect(_ allowed: HTTPRequest.Method...) throws {
        guard allowed.contains(method) || (method == .head && allowed.contains(.get)) else {
            throw WebFailure(.methodNotAllowed, "\(method.rawValue) is not allowed on \(rawPath)")
        }
    }
}

/// What a page handler needs: the interface (authority, renderer) and the caller.
struct PageCall: Sendable {
    let web: WebInterface
    let call: WebCall
    let session: WebSession

    var authority: Authority { web.authority }
    var identity: Identity { session.identity }

    /// Throws the 403 page when the user's role lacks `permission`.
    func require(_ permission: Permission) throws {
        do {
            try identity.require(permission)
        } catch let error as CAError {
            throw WebFailure(.forbidden, error.message)
        }
    }

    func page(_ name: String, title: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        web.renderer.page(name, title: title, context: context, session: session, status: status, notice: notice)
    }

    /// Runs a change with this user and address as the audit log's actor.
    func audited<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        try await AuditActor.$current.withValue(call.origin.actor(identity.name)) { try await body() }
    }

    /// The confirmation a redirect after a change asks for (`?done=revoked`); fixed texts only, so that a
    /// crafted link cannot put words on the page.
    var notice: String? {
        switch call.parameter("done") {
        case "signed": return "The certificate was signed."
        case "resigned": return "The certificate was re-signed; this is the new certificate."
        case "revoked": return "The certificate was revoked."
        case "watchers": return "The watchers were saved."
        case "saved": return "The CA settings were saved."
        default: return nil
        }
    }
}
