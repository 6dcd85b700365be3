import CAAuthority
import CACore
import CAStore
import Foundation
import Hummingbird

/// `/admin/ssh/`: the OpenSSH CAs with their public keys, their certificates, a form that signs a pasted public
/// key, and each certificate's page with its one-line form and a revoke form.
struct SSHPages {
    let context: PageCall

    init(_ context: PageCall) { self.context = context }

    func respond(_ path: [String]) async throws -> Response {
        switch path.count {
        case 0:
            try context.call.expect(.get)
            return try await list()
        case 1 where path[0] == "sign":
            try context.call.expect(.post)
            return try await sign()
        case 2:
            try context.call.expect(.get)
            return try await detail(try await context.authority.sshCertificate(serial: path[1], authority: path[0]))
        case 3 where path[2] == "revoke":
            try context.call.expect(.post)
            return try await revoke(authority: path[0], serial: path[1])
        default:
            throw WebFailure(.notFound, "there is no page at \(context.call.rawPath)")
        }
    }

    /// A CA name as one path segment.
    static func segment(_ name: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    func list() async throws -> Response {
        let authority = context.authority
        let now = Date()
        let authorities = try await authority.sshAuthorities()
        let certificates = try await authority.listSSHCertificates(authority: nil).prefix(200)
        return context.page(
            "ssh", title: "OpenSSH",
            [
                "authorities": try authorities.map { record in
                    ["name": record.name, "fingerprint": record.fingerprint, "publicKey": try authority.sshPublicKeyText(record),
                     "path": Self.segment(record.name)] as [String: Any]
                },
                "hasAuthorities": !authorities.isEmpty,
                "rows": certificates.map { record, ca in
                    [
                        "serial": String(record.serial), "type": record.type.name, "keyID": record.keyID,
                        "principals": record.principals.joined(separator: ", "), "ca": ca.name, "caPath": Self.segment(ca.name),
                        "validBefore": record.validBefore.map(TimeText.iso) ?? "forever", "status": record.status(at: now).rawValue,
                    ] as [String: Any]
                },
                "hasRows": !certificates.isEmpty,
                "canSign": context.identity.allows(.sign) && !authorities.isEmpty,
            ])
    }

    func sign() async throws -> Response {
        try context.require(.sign)
        let form = context.call.form
        guard let ca = form.text("ca"), let publicKey = form.text("public_key"), let type = form.text("type") else {
            throw WebFailure(.badRequest, "choose a CA and a type, and paste a public key")
        }
        var request = SSHSigningRequest(publicKey: publicKey, type: try SSHCertificateType(name: type), principals: form.lines("principals"))
        request.keyID = form.text("key_id")
        if let days = form.text("expires") {
            guard let value = Int(days) else { throw WebFailure(.badRequest, "the validity must be a number of days") }
            request.expiresDays = value
        }
        if let command = form.text("force_command") { request.criticalOptions.append("force-command=" + command) }
        if let addresses = form.text("source_address") { request.criticalOptions.append("source-address=" + addresses) }
        let signing = request
        let authority = context.authority
        let issued = try await context.audited { try await authority.signSSHCertificate(signing, authority: ca) }
        return WebInterface.redirect("/admin/ssh/\(Self.segment(issued.authority.name))/\(issued.record.serial)/?done=signed")
    }

    func detail(_ view: SSHCertificateView) async throws -> Response {
        let record = view.record
        let options = view.certificate.options
        var page: [String: Any] = [
                "serial": String(record.serial), "type": record.type.name, "keyID": record.keyID,
                "principals": record.principals.joined(separator: ", "), "validAfter": TimeText.iso(record.validAfter),
                "validBefore": record.validBefore.map(TimeText.iso) ?? "forever", "status": record.status(at: Date()).rawValue,
                "criticalOptions": options.criticalOptions.keys.sorted().map { name in
                    let value = options.criticalOptions[name] ?? ""
                    return value.isEmpty ? name : "\(name) \(value)"
                }.joined(separator: "; "),
                "extensions": options.extensions.sorted().joined(separator: ", "), "publicKey": record.publicKeyFingerprint,
                "ca": view.authority.name, "caPath": Self.segment(view.authority.name), "caFingerprint": view.authority.fingerprint,
                "certificate": view.certificate.text(comment: record.keyID.replacingOccurrences(of: " ", with: "_")),
                "canRevoke": context.identity.allows(.revoke) && record.revocation == nil, "reasons": CertificatePages.reasons,
            ]
        if let revocation = record.revocation {
            page["revoked"] = ["at": TimeText.iso(revocation.revokedAt), "reason": revocation.reason.rawValue]
        }
        return context.page("ssh-certificate", title: "SSH certificate \(record.serial)", page)
    }

    func revoke(authority name: String, serial: String) async throws -> Response {
        try context.require(.revoke)
        guard let reason = RevocationReason(rawValue: context.call.form.text("reason") ?? "unspecified") else {
            throw WebFailure(.badRequest, "choose one of the listed reasons")
        }
        let authority = context.authority
        let record = try await context.audited { try await authority.revokeSSHCertificate(serial: serial, authority: name, reason: reason) }
        return WebInterface.redirect("/admin/ssh/\(Self.segment(name))/\(record.serial)/?done=revoked")
    }

    static let template = """
        <h1>OpenSSH</h1>
        <h2>CAs</h2>
        {{#hasAuthorities}}
        <table id="ssh-authorities"><thead><tr><th>Name</th><th>Fingerprint</th><th>Public key (TrustedUserCAKeys, @cert-authority)</th></tr></thead><tbody>
        {{#authorities}}<tr><td>{{name}}</td><td class="mono">{{fingerprint}}</td><td class="mono"><a href="/ca/ssh/{{path}}/ca.pub">ca.pub</a> · <a href="/ca/ssh/{{path}}/krl">KRL</a><br>{{publicKey}}</td></tr>{{/authorities}}
        </tbody></table>
        {{/hasAuthorities}}
        {{^hasAuthorities}}<p class="muted">No OpenSSH CA yet: make one with <code>swift-ca init-ca NAME --openssh-ca</code>.</p>{{/hasAuthorities}}
        {{#canSign}}
        <h2>Sign a public key</h2>
        <form class="panel" method="post" action="/admin/ssh/sign" id="ssh-sign-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="ssh-ca">CA</label>
        <select id="ssh-ca" name="ca">{{#authorities}}<option value="{{name}}">{{name}}</option>{{/authorities}}</select>
        <label for="ssh-type">Type</label>
        <select id="ssh-type" name="type"><option value="user">user</option><option value="host">host</option></select>
        <label for="public-key">Public key (the line of an id_ed25519.pub)</label>
        <textarea id="public-key" name="public_key"></textarea>
        <label for="principals">Principals, one per line (user or host names)</label>
        <textarea id="principals" name="principals"></textarea>
        <label for="key-id">Key id (optional)</label>
        <input type="text" id="key-id" name="key_id">
        <label for="ssh-expires">Valid for days (optional)</label>
        <input type="text" id="ssh-expires" name="expires">
        <label for="force-command">force-command (optional, user certificates)</label>
        <input type="text" id="force-command" name="force_command">
        <label for="source-address">source-address (optional, e.g. 10.0.0.0/8,192.0.2.1)</label>
        <input type="text" id="source-address" name="source_address">
        <p><button type="submit" id="ssh-sign">Sign</button></p>
        </form>
        {{/canSign}}
        <h2>Certificates</h2>
        {{#hasRows}}
        <table id="ssh-certificates"><thead><tr><th>Serial</th><th>Type</th><th>Key id</th><th>Principals</th><th>CA</th><th>Valid until</th><th>Status</th></tr></thead><tbody>
        {{#rows}}<tr><td class="mono"><a href="/admin/ssh/{{caPath}}/{{serial}}/">{{serial}}</a></td><td>{{type}}</td><td>{{keyID}}</td><td>{{principals}}</td><td>{{ca}}</td><td>{{validBefore}}</td><td class="status-{{status}}">{{status}}</td></tr>{{/rows}}
        </tbody></table>
        {{/hasRows}}
        {{^hasRows}}<p class="muted">None yet.</p>{{/hasRows}}
        """

    static let detailTemplate = """
        <h1>SSH certificate {{serial}}</h1>
        <dl class="fields" id="ssh-certificate-fields">
        <dt>Serial</dt><dd class="mono" id="ssh-serial">{{serial}}</dd>
        <dt>Status</dt><dd class="status-{{status}}" id="ssh-status">{{status}}</dd>
        {{#revoked}}<dt>Revoked</dt><dd id="ssh-revocation">{{at}}, reason {{reason}}</dd>{{/revoked}}
        <dt>Type</dt><dd>{{type}}</dd>
        <dt>Key id</dt><dd id="ssh-key-id">{{keyID}}</dd>
        <dt>Principals</dt><dd id="ssh-principals">{{principals}}</dd>
        <dt>Valid from</dt><dd>{{validAfter}}</dd>
        <dt>Valid until</dt><dd>{{validBefore}}</dd>
        <dt>Critical options</dt><dd>{{criticalOptions}}</dd>
        <dt>Extensions</dt><dd>{{extensions}}</dd>
        <dt>Public key</dt><dd class="mono">{{publicKey}}</dd>
        <dt>CA</dt><dd>{{ca}} <span class="mono">{{caFingerprint}}</span></dd>
        </dl>
        <label for="ssh-certificate">Certificate (save as KEY-cert.pub)</label>
        <textarea id="ssh-certificate" readonly>{{certificate}}</textarea>
        {{#canRevoke}}
        <h2>Revoke</h2>
        <form class="panel" method="post" action="/admin/ssh/{{caPath}}/{{serial}}/revoke" id="ssh-revoke-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="ssh-reason">Reason</label>
        <select id="ssh-reason" name="reason">{{#reasons}}<option value="{{value}}">{{label}}</option>{{/reasons}}</select>
        <p><button type="submit" class="danger" id="ssh-revoke">Revoke</button></p>
        </form>
        {{/canRevoke}}
        """
}
