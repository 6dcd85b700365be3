import CAAccess
import CACore
import Foundation
import HTTPTypes
import Hummingbird

/// `/admin/login`. Before a session exists the form's CSRF token is a double-submit value: a random
/// cookie that the hidden field must repeat, which a cross-site form cannot read. This stops a site from
/// logging a visitor in under the attacker's account.
struct LoginPage {
    let web: WebInterface

    func respond(_ call: WebCall, session: WebSession?) async throws -> Response {
        try call.expect(.get, .post)
        if call.method == .get {
            if session != nil { return WebInterface.redirect("/admin/") }
            return form(call, status: .ok, error: nil, name: "")
        }
        guard let cookie = call.cookies[WebInterface.loginCookie], let submitted = call.form.value("csrf"),
            cookie.count >= 32, cookie == submitted
        else { throw WebFailure(.forbidden, "the login form's security token is missing or wrong; reload the page") }
        let name = call.form.text("username") ?? ""
        let password = call.form.value("password") ?? ""
        do {
            let identity = try await web.access.login(name: name, password: password, source: call.origin.address)
            let started = try await web.access.startSession(for: identity, source: call.origin.address)
            var response = WebInterface.redirect("/admin/")
            response.headers[values: .setCookie] = [
                WebInterface.cookie(WebInterface.sessionCookie, value: started.cookie, origin: call.origin),
                WebInterface.cookie(WebInterface.loginCookie, value: "", origin: call.origin, clear: true),
            ]
            return response
        } catch let error as CAError where error.kind == .rateLimited {
            return form(call, status: .tooManyRequests, error: "Too many attempts: \(error.message).", name: name)
        } catch let error as CAError where error.kind == .unauthenticated {
            return form(call, status: .unauthorized, error: "Wrong user name or password.", name: name)
        }
    }

    /// The form with a fresh double-submit token in both the cookie and the hidden field.
    private func form(_ call: WebCall, status: HTTPResponse.Status, error: String?, name: String) -> Response {
        let token = Self.randomToken()
        var context: [String: Any] = ["loginToken": token, "username": name]
        if let error { context["error"] = error }
        var response = web.renderer.page("login", title: "Log in", context: context, session: nil, status: status)
        response.headers[values: .setCookie] = [WebInterface.cookie(WebInterface.loginCookie, value: token, origin: call.origin)]
        return response
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static let template = """
        <h1>Log in</h1>
        <form class="panel" method="post" action="/admin/login">
        <input type="hidden" name="csrf" value="{{loginToken}}">
        {{#error}}<p class="error" id="login-error">{{error}}</p>{{/error}}
        <label for="username">User name</label>
        <input type="text" id="username" name="username" value="{{username}}" autocomplete="username" required autofocus>
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <p><button type="submit" id="login">Log in</button></p>
        </form>
        """
}
