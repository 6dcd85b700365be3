import CAAuthority
import CACore
import CAStore
import Foundation
import Hummingbird

/// `/admin/audit/`: the audit log, newest first, filtered by user, action and object like `swift-ca audit-log`.
struct AuditPage {
    let context: PageCall

    init(_ context: PageCall) { self.context = context }

    static let pageSize = 100

    func render() async throws -> Response {
        let call = context.call
        var filter = AuditFilter()
        filter.actor = call.parameter("actor")
        filter.action = call.parameter("action")
        filter.target = call.parameter("target").map(Self.target)
        if let before = call.parameter("before") {
            guard let id = Int64(before) else { throw WebFailure(.badRequest, "the page position \"\(before)\" is not a number") }
            filter.before = id
        }
        filter.limit = Self.pageSize + 1
        var entries = try await context.authority.auditEntries(filter)
        let hasMore = entries.count > Self.pageSize
        entries = Array(entries.prefix(Self.pageSize))
        var query = call.query.filter { ["actor", "action", "target"].contains($0.key) && !$0.value.isEmpty }
        var next: String?
        if hasMore, let last = entries.last {
            query["before"] = String(last.id)
            next = "/admin/audit/?" + CertificatePages.queryString(query)
        }
        return context.page(
            "audit", title: "Audit log",
            [
                "rows": entries.map(Self.row), "hasRows": !entries.isEmpty, "actor": filter.actor ?? "",
                "action": filter.action ?? "", "target": call.parameter("target") ?? "", "next": next ?? "", "hasNext": next != nil,
            ])
    }

    /// Serials are stored upper-case without colons; accept them as `view-cert` prints them. Short text
    /// without colons stays as typed, since it is more likely a user name ("cafe") than a serial.
    static func target(_ text: String) -> String {
        guard text.contains(":") || text.count >= 16, let serial = SerialNumberText.normalize(text) else { return text }
        return serial
    }

    /// One entry; certificate and CA serials link to their pages.
    static func row(_ entry: AuditEntry) -> [String: Any] {
        var link: String?
        switch entry.action {
        case "sign", "resign", "revoke", "watchers": link = "/admin/certificates/\(entry.target)/"
        case "edit-ca", "init-ca", "revoke-ca", "sign-batch": link = "/admin/cas/\(entry.target)/"
        default: link = nil
        }
        // Mustache renders a section for any string, even an empty one, so an absent link is an absent key.
        var row: [String: Any] = [
            "id": String(entry.id), "at": Display.date(entry.at), "actor": entry.actor, "source": entry.source,
            "action": entry.action, "target": entry.target, "detail": entry.detail,
        ]
        if let link { row["link"] = link }
        return row
    }

    static let template = """
        <h1>Audit log</h1>
        <form class="filters" method="get" action="/admin/audit/">
        <label>User <input type="text" name="actor" value="{{actor}}" id="filter-actor"></label>
        <label>Action <input type="text" name="action" value="{{action}}" placeholder="sign, revoke, login, …" id="filter-action"></label>
        <label>Object <input type="text" name="target" value="{{target}}" placeholder="serial or user" id="filter-target"></label>
        <button type="submit">Filter</button>
        </form>
        {{#hasRows}}
        <table id="audit"><thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>Object</th><th>Detail</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{source}}</td><td>{{action}}</td><td class="mono">{{#link}}<a href="{{link}}">{{target}}</a>{{/link}}{{^link}}{{target}}{{/link}}</td><td>{{detail}}</td></tr>{{/rows}}
        </tbody></table>
        {{/hasRows}}
        {{^hasRows}}<p class="muted">No entry matches.</p>{{/hasRows}}
        {{#hasNext}}<p class="pager"><a href="{{next}}">Older entries</a></p>{{/hasNext}}
        """
}
