import CAAccess
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// Renders pages: each page template fills the layout's `content`. Templates are Swift string literals, so
/// the binary serves them from any working directory. `{{x}}` HTML-escapes; `{{{content}}}` is used only
/// for the already-rendered page body.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    init(logger: Logger) {
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            do {
                try library.register(text, named: name)
            } catch {
                logger.critical("web template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// A full HTML page. `session` adds the navigation, the user and the logout form.
    func page(
        _ name: String, title: String, context: [String: Any], session: WebSession?, status: HTTPResponse.Status = .ok,
        notice: String? = nil
    ) -> Response {
        var pageContext = context
        if let session { pageContext["csrf"] = session.csrfToken }
        let content = library.render(pageContext, withTemplate: name) ?? ""
        var layout: [String: Any] = ["title": title, "content": content]
        if let notice { layout["notice"] = notice }
        if let session {
            layout["user"] = [
                "name": session.identity.name, "role": session.identity.role.rawValue, "csrf": session.csrfToken,
                "canSign": session.identity.allows(.sign),
            ] as [String: Any]
        }
        let html = library.render(layout, withTemplate: "layout") ?? "template error"
        return Self.html(html, status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        let bytes = Array(text.utf8)
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .contentLength: String(bytes.count)],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The templates by name; each page's template lives next to the code that fills it.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "message": message, "login": LoginPage.template, "dashboard": DashboardPage.template,
        "authority-tree": DashboardPage.treeTemplate, "authorities": AuthorityPages.listTemplate,
        "authority": AuthorityPages.detailTemplate, "authority-edit": AuthorityPages.editTemplate,
        "extensions": CertificatePages.extensionsTemplate, "certificates": CertificatePages.listTemplate,
        "certificate": CertificatePages.detailTemplate, "sign": SignPage.template, "sign-choice": SignPage.choiceTemplate,
        "audit": AuditPage.template, "ssh": SSHPages.template, "ssh-certificate": SSHPages.detailTemplate,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · swift-ca</title>
        <link rel="stylesheet" href="/admin/static/style.css">
        </head>
        <body>
        <header>
        <a class="brand" href="/admin/">swift-ca</a>
        {{#user}}
        <nav>
        <a href="/admin/">Dashboard</a>
        <a href="/admin/cas/">CAs</a>
        <a href="/admin/certificates/">Certificates</a>
        <a href="/admin/ssh/">OpenSSH</a>
        {{#canSign}}<a href="/admin/sign">Sign</a>{{/canSign}}
        <a href="/admin/audit/">Audit log</a>
        </nav>
        <form class="logout" method="post" action="/admin/logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who">{{name}} ({{role}})</span>
        <button type="submit" id="logout">Log out</button>
        </form>
        {{/user}}
        </header>
        <main>
        {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
        {{{content}}}
        </main>
        </body>
        </html>
        """

    /// Error and information pages (403, 404, 413, 429, …).
    static let message = """
        <h1>{{heading}}</h1>
        <p class="error" id="message">{{message}}</p>
        {{#back}}<p><a href="{{back}}">Back</a></p>{{/back}}
        """
}

/// Dates, serials and statuses as the pages show them.
enum Display {
    /// A list page formats hundreds of dates; a shared calendar is cheaper than a formatter per call.
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()

    static func date(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    static func isoDate(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
