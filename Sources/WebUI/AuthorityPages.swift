import CAAuthority
import CACore
import CAStore
import Foundation
import Hummingbird
import X509

/// `/admin/cas/`: the CAs, each CA's page and downloads, and the settings form. CAs are created only on
/// the command line, as in django-ca: a web form that makes CA keys is a risk without benefit.
struct AuthorityPages {
    let context: PageCall

    init(_ context: PageCall) { self.context = context }

    func respond(_ path: [String]) async throws -> Response {
        guard let first = path.first else {
            try context.call.expect(.get)
            return try await list()
        }
        guard let serial = SerialNumberText.normalize(first), let record = try await context.authority.store.read({ try await $0.authority(serial: serial) }) else {
            throw WebFailure(.notFound, "there is no CA with the serial \(first)")
        }
        switch path.dropFirst().first {
        case nil where path.count == 1:
            try context.call.expect(.get)
            return try await detail(record)
        case "download" where path.count == 2:
            try context.call.expect(.get)
            return try await download(record)
        case "edit" where path.count == 2:
            try context.call.expect(.get, .post)
            try context.require(.changeAuthority)
            return context.call.method == .post ? try await save(record) : try edit(record, errors: [:], status: .ok)
        default:
            throw WebFailure(.notFound, "there is no page at \(context.call.rawPath)")
        }
    }

    static func status(of record: AuthorityRecord, now: Date = Date()) -> String {
        if record.revocation != nil { return "revoked" }
        if record.notAfter <= now { return "expired" }
        return record.enabled ? "valid" : "disabled"
    }

    func list() async throws -> Response {
        let authorities = try await context.authority.authorities()
        let names = AuthorityNames(authorities)
        let rows: [[String: Any]] = try authorities.sorted { $0.name < $1.name }.map { record in
            [
                "serial": record.serial, "serialText": SerialNumberText.colonSeparated(record.serial), "name": record.name,
                "commonName": record.commonName, "status": Self.status(of: record), "expires": Display.date(record.notAfter),
                "parent": record.parentSerial.map(names.name) ?? "", "api": try record.configurationValue().apiEnabled ?? false,
                "acme": try record.configurationValue().acme?.enabled ?? false,
            ]
        }
        return context.page("authorities", title: "Certificate authorities", ["rows": rows, "hasRows": !rows.isEmpty])
    }

    func detail(_ record: AuthorityRecord) async throws -> Response {
        let details = try CertificateDetails(try record.certificate())
        let configuration = try record.configurationValue()
        let all = try await context.authority.authorities()
        let names = AuthorityNames(all)
        let templates = configuration.signTemplates
        let acme = configuration.acme ?? ACMEConfiguration()
        let key = KeyReference(backend: record.keyBackend, location: record.keyLocation)
        let values: [String: Any] = [
            "serial": record.serial, "serialText": SerialNumberText.colonSeparated(record.serial), "name": record.name,
            "subject": details.subject, "issuer": details.issuer, "status": Self.status(of: record),
            "enabled": record.enabled, "notBefore": Display.date(details.notValidBefore),
            "notAfter": Display.date(details.notValidAfter), "publicKey": details.publicKey,
            "signatureAlgorithm": details.signatureAlgorithm, "key": context.authority.describeKey(key),
            "parentSerial": record.parentSerial ?? "", "parentName": record.parentSerial.map(names.name) ?? "",
            "hasParent": record.parentSerial != nil,
            "children": all.filter { $0.parentSerial == record.serial }.map { ["serial": $0.serial, "name": $0.name] },
            "extensions": CertificatePages.extensionRows(details.extensions),
            "fingerprints": details.fingerprints.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
            "ocsp": templates.ocspResponders, "issuers": templates.caIssuers, "crl": templates.crlFullNames,
            "crlCritical": templates.crlDistributionPointsCritical, "ian": templates.issuerAlternativeNames,
            "policies": templates.policies.map(\.identifier), "hash": configuration.signatureHash?.rawValue ?? "matching the key",
            "acmeEnabled": acme.enabled, "acmeRegistration": acme.registrationEnabled, "acmeContact": acme.contactRequired,
            "acmeEAB": acme.externalAccountRequired ?? false, "acmeProfile": acme.profile ?? "(default profile)",
            "apiEnabled": configuration.apiEnabled ?? false, "website": configuration.website ?? "",
            "termsOfService": configuration.termsOfService ?? "", "caaIdentity": configuration.caaIdentity ?? "",
            "canEdit": context.identity.allows(.changeAuthority), "pem": details.pem,
        ]
        return context.page("authority", title: record.name, values)
    }

    func download(_ record: AuthorityRecord) async throws -> Response {
        let certificate = try record.certificate()
        let base = record.name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let filename = base.isEmpty ? record.serial : base
        switch context.call.parameter("format") ?? "pem" {
        case "pem":
            return WebInterface.download(Array(try certificate.pemString().utf8), type: "application/x-pem-file", filename: filename + ".pem")
        case "der":
            return WebInterface.download(record.certificateDER, type: "application/pkix-cert", filename: filename + ".der")
        case "bundle":
            let text = try await context.authority.chain(of: record).map { try $0.pemString() + "\n" }.joined()
            return WebInterface.download(Array(text.utf8), type: "application/x-pem-file", filename: filename + ".bundle.pem")
        case let other:
            throw WebFailure(.badRequest, "unknown format \"\(other)\"; use pem, der or bundle")
        }
    }

    // MARK: settings

    func edit(_ record: AuthorityRecord, errors: [String: String], status: HTTPResponse.Status, submitted: FormData? = nil) throws -> Response {
        let configuration = try record.configurationValue()
        let templates = configuration.signTemplates
        let acme = configuration.acme ?? ACMEConfiguration()
        var values: [String: Any] = [
            "serial": record.serial, "name": submitted?.value("name") ?? record.name,
            "enabled": submitted.map { $0.value("enabled") != nil } ?? record.enabled,
            "ocsp": submitted?.value("ocsp") ?? templates.ocspResponders.joined(separator: "\n"),
            "issuers": submitted?.value("issuers") ?? templates.caIssuers.joined(separator: "\n"),
            "crl": submitted?.value("crl") ?? templates.crlFullNames.joined(separator: "\n"),
            "crlCritical": submitted.map { $0.value("crl_critical") != nil } ?? templates.crlDistributionPointsCritical,
            "ian": submitted?.value("ian") ?? templates.issuerAlternativeNames.joined(separator: "\n"),
            "website": submitted?.value("website") ?? configuration.website ?? "",
            "termsOfService": submitted?.value("terms_of_service") ?? configuration.termsOfService ?? "",
            "caaIdentity": submitted?.value("caa_identity") ?? configuration.caaIdentity ?? "",
            "acmeEnabled": submitted.map { $0.value("acme_enabled") != nil } ?? acme.enabled,
            "acmeRegistration": submitted.map { $0.value("acme_registration") != nil } ?? acme.registrationEnabled,
            "acmeContact": submitted.map { $0.value("acme_contact_required") != nil } ?? acme.contactRequired,
            "acmeEAB": submitted.map { $0.value("acme_eab_required") != nil } ?? (acme.externalAccountRequired ?? false),
            "apiEnabled": submitted.map { $0.value("api_enabled") != nil } ?? (configuration.apiEnabled ?? false),
        ]
        let chosenProfile = submitted?.text("acme_profile") ?? acme.profile
        values["profiles"] = context.authority.profiles.names.map { ["name": $0, "selected": $0 == chosenProfile] as [String: Any] }
        for (field, message) in errors { values["error_" + field] = message }
        return context.page("authority-edit", title: "Edit \(record.name)", values, status: status)
    }

    func save(_ record: AuthorityRecord) async throws -> Response {
        let form = context.call.form
        var errors: [String: String] = [:]
        var changes = SignTemplateChanges()
        // Each list is checked here so that a typo is shown next to its field; editAuthority checks again.
        func names(_ field: String) -> [String] {
            let lines = form.lines(field)
            for line in lines {
                do { _ = try GeneralNameParser.parse(line) } catch let error as CAError { errors[field] = error.message } catch {}
            }
            return lines
        }
        changes.ocspResponders = names("ocsp")
        changes.caIssuers = names("issuers")
        changes.crlFullNames = names("crl")
        changes.issuerAlternativeNames = names("ian")
        changes.crlDistributionPointsCritical = form.value("crl_critical") != nil
        guard let name = form.text("name") else {
            return try edit(record, errors: ["name": "the CA name must not be empty"], status: .badRequest, submitted: form)
        }
        var acme = ACMEConfigurationChanges()
        acme.enabled = form.value("acme_enabled") != nil
        acme.registrationEnabled = form.value("acme_registration") != nil
        acme.contactRequired = form.value("acme_contact_required") != nil
        acme.externalAccountRequired = form.value("acme_eab_required") != nil
        if let profile = form.text("acme_profile") {
            if !context.authority.profiles.names.contains(profile) { errors["acme_profile"] = "unknown profile \"\(profile)\"" }
            acme.profile = profile
        }
        guard errors.isEmpty else { return try edit(record, errors: errors, status: .badRequest, submitted: form) }
        let configuration = try record.configurationValue()
        // An emptied field clears a value that was set; one that never was stays unset.
        func metadata(_ field: String, _ old: String?) -> String? { form.text(field) ?? (old == nil ? nil : "") }
        let website = metadata("website", configuration.website)
        let terms = metadata("terms_of_service", configuration.termsOfService)
        let caa = metadata("caa_identity", configuration.caaIdentity)
        let serial = record.serial
        let enabled = form.value("enabled") != nil
        let apiEnabled = form.value("api_enabled") != nil
        let authority = context.authority
        let templateChanges = changes
        let acmeChanges = acme
        do {
            _ = try await context.audited {
                try await authority.editAuthority(
                    serial, name: name, enabled: enabled, signTemplateChanges: templateChanges, website: website,
                    termsOfService: terms, caaIdentity: caa, acmeChanges: acmeChanges, apiEnabled: apiEnabled)
            }
        } catch let error as CAError where error.kind != .storage {
            return try edit(record, errors: ["form": error.message], status: WebFailure.status(for: error.kind), submitted: form)
        }
        return WebInterface.redirect("/admin/cas/\(serial)/?done=saved")
    }

    // MARK: templates

    static let listTemplate = """
        <h1>Certificate authorities</h1>
        {{#hasRows}}
        <table id="authorities"><thead><tr><th>Name</th><th>Common name</th><th>Serial</th><th>Parent</th><th>Status</th><th>Expires</th><th>ACME</th><th>API</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="/admin/cas/{{serial}}/">{{name}}</a></td><td>{{commonName}}</td><td class="mono">{{serialText}}</td><td>{{parent}}</td><td class="status-{{status}}">{{status}}</td><td>{{expires}}</td><td>{{#acme}}on{{/acme}}{{^acme}}off{{/acme}}</td><td>{{#api}}on{{/api}}{{^api}}off{{/api}}</td></tr>{{/rows}}
        </tbody></table>
        {{/hasRows}}
        {{^hasRows}}<p class="muted">No CA yet: CAs are created with <code>swift-ca init-ca</code>.</p>{{/hasRows}}
        """

    static let detailTemplate = """
        <h1>{{name}}</h1>
        {{#canEdit}}<p><a class="button" href="/admin/cas/{{serial}}/edit" id="edit-ca">Edit settings</a></p>{{/canEdit}}
        <dl class="fields" id="authority-fields">
        <dt>Serial</dt><dd class="mono">{{serialText}}</dd>
        <dt>Status</dt><dd class="status-{{status}}">{{status}}</dd>
        <dt>Subject</dt><dd>{{subject}}</dd>
        <dt>Issuer</dt><dd>{{issuer}}{{#hasParent}} (<a href="/admin/cas/{{parentSerial}}/">{{parentName}}</a>){{/hasParent}}</dd>
        <dt>Valid from</dt><dd>{{notBefore}}</dd>
        <dt>Valid until</dt><dd>{{notAfter}}</dd>
        <dt>Public key</dt><dd>{{publicKey}}</dd>
        <dt>Signature</dt><dd>{{signatureAlgorithm}}</dd>
        <dt>Key</dt><dd>{{key}}</dd>
        {{#fingerprints}}<dt>{{name}}</dt><dd class="mono">{{value}}</dd>{{/fingerprints}}
        <dt>Child CAs</dt><dd>{{#children}}<a href="/admin/cas/{{serial}}/">{{name}}</a> {{/children}}</dd>
        </dl>
        <p>Download: <a href="/admin/cas/{{serial}}/download?format=pem">PEM</a> · <a href="/admin/cas/{{serial}}/download?format=der">DER</a> · <a href="/admin/cas/{{serial}}/download?format=bundle">PEM bundle (with chain)</a></p>
        <h2>Extensions</h2>
        {{> extensions}}
        <h2>Templates for signed certificates</h2>
        <dl class="fields" id="sign-templates">
        <dt>OCSP responders</dt><dd>{{#ocsp}}<div>{{.}}</div>{{/ocsp}}</dd>
        <dt>CA issuers</dt><dd>{{#issuers}}<div>{{.}}</div>{{/issuers}}</dd>
        <dt>CRL distribution points</dt><dd>{{#crl}}<div>{{.}}</div>{{/crl}}{{#crlCritical}} (critical){{/crlCritical}}</dd>
        <dt>Issuer alternative names</dt><dd>{{#ian}}<div>{{.}}</div>{{/ian}}</dd>
        <dt>Certificate policies</dt><dd>{{#policies}}<div>{{.}}</div>{{/policies}}</dd>
        <dt>Signature hash</dt><dd>{{hash}}</dd>
        </dl>
        <h2>ACME, OCSP and API</h2>
        <dl class="fields" id="acme-settings">
        <dt>ACME</dt><dd>{{#acmeEnabled}}enabled{{/acmeEnabled}}{{^acmeEnabled}}disabled{{/acmeEnabled}}</dd>
        <dt>New ACME accounts</dt><dd>{{#acmeRegistration}}allowed{{/acmeRegistration}}{{^acmeRegistration}}refused{{/acmeRegistration}}</dd>
        <dt>Contact required</dt><dd>{{#acmeContact}}yes{{/acmeContact}}{{^acmeContact}}no{{/acmeContact}}</dd>
        <dt>External account binding</dt><dd>{{#acmeEAB}}required{{/acmeEAB}}{{^acmeEAB}}not required{{/acmeEAB}}</dd>
        <dt>ACME profile</dt><dd>{{acmeProfile}}</dd>
        <dt>Website</dt><dd>{{website}}</dd>
        <dt>Terms of service</dt><dd>{{termsOfService}}</dd>
        <dt>CAA identity</dt><dd>{{caaIdentity}}</dd>
        <dt>OCSP responder</dt><dd class="mono">/ca/ocsp/{{serial}}/cert/ (certificates), /ca/ocsp/{{serial}}/ca/ (child CAs)</dd>
        <dt>REST API</dt><dd id="api-flag">{{#apiEnabled}}enabled{{/apiEnabled}}{{^apiEnabled}}disabled{{/apiEnabled}}</dd>
        </dl>
        <h2>PEM</h2>
        <pre>{{pem}}</pre>
        """

    static let editTemplate = """
        <h1>Edit CA settings</h1>
        <form class="panel" method="post" action="/admin/cas/{{serial}}/edit" id="edit-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#error_form}}<p class="error" id="form-error">{{error_form}}</p>{{/error_form}}
        <label for="name">Name</label>
        {{#error_name}}<p class="field-error">{{error_name}}</p>{{/error_name}}
        <input type="text" id="name" name="name" value="{{name}}" required>
        <label class="inline"><input type="checkbox" name="enabled" value="1"{{#enabled}} checked{{/enabled}}> enabled (signs new certificates)</label>
        <h2>Templates for signed certificates (one name per line, e.g. URI:http://ca.example.com/ocsp/)</h2>
        <label for="ocsp">OCSP responders</label>
        {{#error_ocsp}}<p class="field-error" id="ocsp-error">{{error_ocsp}}</p>{{/error_ocsp}}
        <textarea id="ocsp" name="ocsp">{{ocsp}}</textarea>
        <label for="issuers">CA issuers</label>
        {{#error_issuers}}<p class="field-error">{{error_issuers}}</p>{{/error_issuers}}
        <textarea id="issuers" name="issuers">{{issuers}}</textarea>
        <label for="crl">CRL distribution points</label>
        {{#error_crl}}<p class="field-error">{{error_crl}}</p>{{/error_crl}}
        <textarea id="crl" name="crl">{{crl}}</textarea>
        <label class="inline"><input type="checkbox" name="crl_critical" value="1"{{#crlCritical}} checked{{/crlCritical}}> CRL distribution points critical</label>
        <label for="ian">Issuer alternative names</label>
        {{#error_ian}}<p class="field-error">{{error_ian}}</p>{{/error_ian}}
        <textarea id="ian" name="ian">{{ian}}</textarea>
        <h2>ACME</h2>
        <label class="inline"><input type="checkbox" name="acme_enabled" value="1"{{#acmeEnabled}} checked{{/acmeEnabled}}> ACME enabled</label>
        <label class="inline"><input type="checkbox" name="acme_registration" value="1"{{#acmeRegistration}} checked{{/acmeRegistration}}> new accounts allowed</label>
        <label class="inline"><input type="checkbox" name="acme_contact_required" value="1"{{#acmeContact}} checked{{/acmeContact}}> contact required</label>
        <label class="inline"><input type="checkbox" name="acme_eab_required" value="1"{{#acmeEAB}} checked{{/acmeEAB}}> external account binding required</label>
        <label for="acme_profile">Profile of ACME certificates</label>
        {{#error_acme_profile}}<p class="field-error">{{error_acme_profile}}</p>{{/error_acme_profile}}
        <select id="acme_profile" name="acme_profile"><option value="">(default profile)</option>{{#profiles}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/profiles}}</select>
        <label for="website">Website</label><input type="text" id="website" name="website" value="{{website}}">
        <label for="terms_of_service">Terms of service</label><input type="text" id="terms_of_service" name="terms_of_service" value="{{termsOfService}}">
        <label for="caa_identity">CAA identity</label><input type="text" id="caa_identity" name="caa_identity" value="{{caaIdentity}}">
        <h2>REST API</h2>
        <label class="inline"><input type="checkbox" name="api_enabled" value="1" id="api_enabled"{{#apiEnabled}} checked{{/apiEnabled}}> the REST API may use this CA</label>
        <p><button type="submit" id="save-ca">Save</button> <a class="button secondary" href="/admin/cas/{{serial}}/">Cancel</a></p>
        </form>
        """
}
