import CAAuthority
import CACore
import CAStore
import Foundation
import Hummingbird

/// `/admin/`: the CA hierarchy, what expires within 30 days and the latest issuance and revocation.
struct DashboardPage {
    let context: PageCall

    init(_ context: PageCall) { self.context = context }

    static let expiringWindow: TimeInterval = 30 * 86_400
    /// Audit actions shown as "recent activity".
    static let activityActions: Set<String> = ["sign", "resign", "sign-batch", "revoke", "revoke-ca"]

    func render() async throws -> Response {
        let authorities = try await context.authority.authorities()
        let names = AuthorityNames(authorities)
        let now = Date()
        var filter = CertificateFilter(now: now, limit: 50)
        filter.status = .valid
        let soon = try await context.authority.store.read { try await $0.certificatePage(filter) }.filter {
            $0.notAfter < now.addingTimeInterval(Self.expiringWindow)
        }
        var auditFilter = AuditFilter()
        auditFilter.limit = 200
        let activity = try await context.authority.auditEntries(auditFilter).filter { Self.activityActions.contains($0.action) }
        return context.page(
            "dashboard", title: "Dashboard",
            [
                "tree": ["root": true, "nodes": Self.tree(authorities, parent: nil)] as [String: Any],
                "hasAuthorities": !authorities.isEmpty,
                "expiring": soon.map { CertificateRows.row($0, names: names, now: now) },
                "hasExpiring": !soon.isEmpty,
                "activity": activity.prefix(15).map(AuditPage.row),
                "hasActivity": !activity.isEmpty,
            ])
    }

    /// Nested nodes for the recursive `authority-tree` template. Every node sets `nodes` and `root` so that
    /// the template never looks them up in an enclosing node.
    static func tree(_ authorities: [AuthorityRecord], parent: String?, depth: Int = 0) -> [[String: Any]] {
        let known = Set(authorities.map(\.serial))
        return authorities.filter { record in
            // A CA whose parent is not stored (imported intermediate) is shown as a root.
            parent == nil ? (record.parentSerial.map { !known.contains($0) } ?? true) : record.parentSerial == parent
        }
        .sorted { $0.name < $1.name }
        .map { record in
            let children = depth < 16 ? tree(authorities, parent: record.serial, depth: depth + 1) : []
            return [
                "name": record.name, "serial": record.serial, "commonName": record.commonName,
                "status": AuthorityPages.status(of: record), "nodes": children, "hasChildren": !children.isEmpty, "root": false,
            ]
        }
    }

    static let template = """
        <h1>Dashboard</h1>
        <h2>Certificate authorities</h2>
        {{#hasAuthorities}}<section class="panel" id="hierarchy">{{#tree}}{{> authority-tree}}{{/tree}}</section>{{/hasAuthorities}}
        {{^hasAuthorities}}<p class="muted">No CA yet: create one with <code>swift-ca init-ca</code>.</p>{{/hasAuthorities}}
        <h2>Expiring within 30 days</h2>
        {{#hasExpiring}}
        <table id="expiring"><thead><tr><th>Common name</th><th>Serial</th><th>CA</th><th>Expires</th></tr></thead><tbody>
        {{#expiring}}<tr><td><a href="/admin/certificates/{{serial}}/">{{commonName}}</a></td><td class="mono">{{serialText}}</td><td>{{authorityName}}</td><td>{{expires}}</td></tr>{{/expiring}}
        </tbody></table>
        {{/hasExpiring}}
        {{^hasExpiring}}<p class="muted">No certificate expires within 30 days.</p>{{/hasExpiring}}
        <h2>Recent issuance and revocation</h2>
        {{#hasActivity}}
        <table id="activity"><thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>Object</th><th>Detail</th></tr></thead><tbody>
        {{#activity}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{source}}</td><td>{{action}}</td><td class="mono">{{#link}}<a href="{{link}}">{{target}}</a>{{/link}}{{^link}}{{target}}{{/link}}</td><td>{{detail}}</td></tr>{{/activity}}
        </tbody></table>
        {{/hasActivity}}
        {{^hasActivity}}<p class="muted">Nothing issued or revoked yet.</p>{{/hasActivity}}
        """

    static let treeTemplate = """
        <ul class="tree{{#root}} root{{/root}}">{{#nodes}}<li><a href="/admin/cas/{{serial}}/">{{name}}</a> <span class="muted">{{commonName}}</span> <span class="status-{{status}}">{{status}}</span>{{#hasChildren}}{{> authority-tree}}{{/hasChildren}}</li>{{/nodes}}</ul>
        """
}

/// CA names by serial, for listings that show which CA issued a certificate.
struct AuthorityNames {
    private let names: [String: String]

    init(_ authorities: [AuthorityRecord]) {
        names = Dictionary(authorities.map { ($0.serial, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    func name(_ serial: String) -> String { names[serial] ?? SerialNumberText.colonSeparated(serial) }
}
