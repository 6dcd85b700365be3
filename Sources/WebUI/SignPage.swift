import CAAuthority
import CACore
import CAStore
import Foundation
import HTTPTypes
import Hummingbird
import SwiftASN1
import X509

/// `/admin/sign`: paste or upload a CSR, see what it contains, then adjust what the CA and profile
/// pre-fill and sign. Three requests, no JavaScript: GET shows step 1; POST `step=preview` reads the CSR
/// and shows step 2 pre-filled; POST `step=sign` issues through `Authority.sign`. Each field is checked
/// first so that a problem is shown next to its field; nothing is stored unless everything passes.
struct SignPage {
    let context: PageCall

    init(_ context: PageCall) { self.context = context }

    static let noKeysMessage =
        "This server node holds no CA keys (serve --role public): certificates are signed on a node started with --role all."

    func respond() async throws -> Response {
        try context.call.expect(.get, .post)
        try context.require(.sign)
        let authorities = try await context.authority.authorities().filter(\.isUsable).sorted { $0.name < $1.name }
        var form = SignForm(authorities: authorities, profiles: context.authority.profiles)
        guard context.authority.signsWithCAKeys else {
            return render(form, step: .upload, errors: ["form": Self.noKeysMessage], status: .serviceUnavailable)
        }
        guard context.call.method == .post else {
            form.authority = authorities.first?.serial ?? ""
            form.profile = context.authority.profiles.defaultProfileName
            return render(form, step: .upload, errors: [:], status: .ok)
        }
        let submitted = context.call.form
        form.read(submitted)
        form.csrPEM = submitted.value("csr") ?? ""
        let csrBytes = submitted.file("csr_file") ?? Array((submitted.value("csr") ?? "").utf8)
        let preview: CSRPreview
        do {
            preview = try CSRPreview(csrBytes)
        } catch let error as CAError {
            return render(form, step: .upload, errors: ["csr": error.message], status: .badRequest)
        }
        form.csrPEM = preview.pem
        if submitted.value("step") != "sign" {
            try form.prefill(from: preview, settings: context.authority.settings)
            return render(form, step: .review(preview), errors: [:], status: .ok)
        }
        return try await sign(form, preview: preview, csr: csrBytes)
    }

    private func sign(_ form: SignForm, preview: CSRPreview, csr: [UInt8]) async throws -> Response {
        var errors: [String: String] = [:]
        let request: SigningRequest
        do {
            request = try await form.signingRequest(preview: preview, issuer: context.authority, errors: &errors)
        } catch let error as CAError {
            errors["form"] = errors["form"] ?? error.message
            return render(form, step: .review(preview), errors: errors, status: WebFailure.status(for: error.kind))
        }
        guard errors.isEmpty else { return render(form, step: .review(preview), errors: errors, status: .badRequest) }
        let authority = context.authority
        let serial = form.authority
        let password = form.password.isEmpty ? nil : form.password
        do {
            let issued = try await context.audited {
                try await authority.sign(csr: csr, request: request, authority: serial, password: password)
            }
            return WebInterface.redirect("/admin/certificates/\(issued.record.serial)/?done=signed")
        } catch let error as CAError where error.kind != .storage {
            let field = error.kind == .keyAccess ? "password" : "form"
            return render(form, step: .review(preview), errors: [field: error.message], status: WebFailure.status(for: error.kind))
        }
    }

    enum Step {
        case upload
        case review(CSRPreview)
    }

    private func render(_ form: SignForm, step: Step, errors: [String: String], status: HTTPResponse.Status) -> Response {
        var values = form.context(needsPassword: needsPassword(form))
        values["signsHere"] = context.authority.signsWithCAKeys
        if case .review(let preview) = step {
            values["review"] = true
            values["preview"] = [
                "subject": preview.subject.isEmpty ? "(empty)" : preview.subject, "names": preview.alternativeNames,
                "hasNames": !preview.alternativeNames.isEmpty, "key": preview.keyType,
            ] as [String: Any]
        } else {
            values["upload"] = true
        }
        for (field, message) in errors { values["error_" + field] = message }
        return context.page("sign", title: "Sign a certificate", values, status: status)
    }

    private func needsPassword(_ form: SignForm) -> Bool {
        guard let record = form.authorities.first(where: { $0.serial == form.authority }) else { return false }
        return (try? context.authority.keyNeedsPassword(record)) ?? false
    }

    static let template = """
        <h1>Sign a certificate</h1>
        {{#error_form}}<p class="error" id="form-error">{{error_form}}</p>{{/error_form}}
        {{#upload}}{{#signsHere}}
        <form class="panel" method="post" action="/admin/sign" enctype="multipart/form-data" id="csr-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="step" value="preview">
        <label for="csr">Certificate signing request (PEM)</label>
        {{#error_csr}}<p class="field-error" id="csr-error">{{error_csr}}</p>{{/error_csr}}
        <textarea id="csr" name="csr" rows="12" placeholder="-----BEGIN CERTIFICATE REQUEST-----">{{csrPEM}}</textarea>
        <label for="csr_file">or upload a CSR file (PEM or DER)</label>
        <input type="file" id="csr_file" name="csr_file">
        {{> sign-choice}}
        <p><button type="submit" id="preview">Preview</button></p>
        </form>
        {{/signsHere}}{{/upload}}
        {{#review}}
        <h2>The CSR contains</h2>
        {{#preview}}
        <dl class="fields" id="csr-preview">
        <dt>Subject</dt><dd id="csr-subject">{{subject}}</dd>
        <dt>Alternative names</dt><dd id="csr-names">{{#names}}<div>{{.}}</div>{{/names}}{{^hasNames}}none{{/hasNames}}</dd>
        <dt>Key</dt><dd id="csr-key">{{key}}</dd>
        </dl>
        {{/preview}}
        <p class="muted">swift-ca copies nothing from the CSR but its public key: the certificate contains the subject, names and extensions below.</p>
        <form class="panel" method="post" action="/admin/sign" id="sign-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="csr" value="{{csrPEM}}">
        {{> sign-choice}}
        <p><button type="submit" name="step" value="preview" class="secondary" id="apply-profile">Apply CA and profile defaults</button></p>
        <label for="subject">Subject</label>
        {{#error_subject}}<p class="field-error" id="subject-error">{{error_subject}}</p>{{/error_subject}}
        <input type="text" id="subject" name="subject" value="{{subject}}" placeholder="CN=example.com,O=Example">
        <label for="sans">Subject alternative names, one per line (DNS:…, IP:…, email:…, URI:…)</label>
        {{#error_sans}}<p class="field-error" id="sans-error">{{error_sans}}</p>{{/error_sans}}
        <textarea id="sans" name="sans">{{sans}}</textarea>
        <label>Key usage</label>
        {{#error_key_usage}}<p class="field-error" id="key-usage-error">{{error_key_usage}}</p>{{/error_key_usage}}
        <div>{{#keyUsages}}<label class="inline"><input type="checkbox" name="key_usage" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/keyUsages}}</div>
        <label>Extended key usage</label>
        {{#error_extended_key_usage}}<p class="field-error">{{error_extended_key_usage}}</p>{{/error_extended_key_usage}}
        <div>{{#extendedKeyUsages}}<label class="inline"><input type="checkbox" name="extended_key_usage" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/extendedKeyUsages}}</div>
        <label for="expires">Validity in days</label>
        {{#error_expires}}<p class="field-error" id="expires-error">{{error_expires}}</p>{{/error_expires}}
        <input type="number" min="1" id="expires" name="expires" value="{{expires}}">
        <label for="watchers">Watchers (email addresses told before expiry), one per line</label>
        {{#error_watchers}}<p class="field-error" id="watchers-error">{{error_watchers}}</p>{{/error_watchers}}
        <textarea id="watchers" name="watchers">{{watchers}}</textarea>
        {{#needsPassword}}
        <label for="password">CA key password</label>
        {{#error_password}}<p class="field-error" id="password-error">{{error_password}}</p>{{/error_password}}
        <input type="password" id="password" name="password" autocomplete="off">
        {{/needsPassword}}
        {{^needsPassword}}{{#error_password}}<p class="field-error" id="password-error">{{error_password}}</p>{{/error_password}}{{/needsPassword}}
        <p><button type="submit" name="step" value="sign" id="sign">Sign</button></p>
        </form>
        {{/review}}
        """

    /// The CA and profile choice, shared by both steps.
    static let choiceTemplate = """
        <label for="ca">CA</label>
        {{#error_ca}}<p class="field-error" id="ca-error">{{error_ca}}</p>{{/error_ca}}
        <select id="ca" name="ca">{{#authorityOptions}}<option value="{{serial}}"{{#selected}} selected{{/selected}}>{{name}} (expires {{expires}})</option>{{/authorityOptions}}</select>
        <label for="profile">Profile</label>
        {{#error_profile}}<p class="field-error" id="profile-error">{{error_profile}}</p>{{/error_profile}}
        <select id="profile" name="profile">{{#profileOptions}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}: {{description}}</option>{{/profileOptions}}</select>
        """
}

/// What the CSR holds, for the preview. Decoding the subject and requested names is only for showing
/// them: the signature check and the key come from `CSRReader`, as in every other issuance.
struct CSRPreview: Sendable {
    let pem: String
    let subject: String
    let alternativeNames: [String]
    let keyType: String
    let keyAlgorithm: KeyAlgorithm?

    init(_ bytes: [UInt8]) throws {
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw CAError(.invalidInput, "paste a CSR or choose a CSR file")
        }
        let parsed = try CSRReader.parse(bytes)
        pem = PEMText.encode(type: "CERTIFICATE REQUEST", der: parsed.der)
        keyAlgorithm = KeyAlgorithm(publicKey: parsed.publicKey)
        keyType = keyAlgorithm?.description ?? "unsupported key type"
        if let request = try? CertificateSigningRequest(derEncoded: parsed.der) {
            subject = SubjectFormatter.format(request.subject)
            let requested = try? request.attributes.extensionRequest
            let names = try? requested?.extensions.subjectAlternativeNames
            alternativeNames = names.map { $0.map(GeneralNameFormatter.format) } ?? []
        } else {
            subject = ""
            alternativeNames = []
        }
    }
}

/// The sign form's values, whether pre-filled or submitted, and their conversion to a `SigningRequest`.
struct SignForm {
    let authorities: [AuthorityRecord]
    let profiles: ProfileCatalog
    var csrPEM = ""
    var authority = ""
    var profile = ""
    var subject = ""
    var sans = ""
    var keyUsage: [String] = []
    var extendedKeyUsage: [String] = []
    var expires = ""
    var watchers = ""
    var password = ""

    init(authorities: [AuthorityRecord], profiles: ProfileCatalog) {
        self.authorities = authorities
        self.profiles = profiles
    }

    mutating func read(_ form: FormData) {
        authority = form.text("ca") ?? ""
        profile = form.text("profile") ?? profiles.defaultProfileName
        subject = form.value("subject") ?? ""
        sans = form.value("sans") ?? ""
        keyUsage = form.values("key_usage")
        extendedKeyUsage = form.values("extended_key_usage")
        expires = form.value("expires") ?? ""
        watchers = form.value("watchers") ?? ""
        password = form.value("password") ?? ""
    }

    /// Step 2's starting point: the CSR's subject and names, the profile's usages and validity.
    mutating func prefill(from preview: CSRPreview, settings: Settings) throws {
        let chosen = try (try? profiles.profile(named: profile)) ?? profiles.profile(named: nil)
        profile = chosen.name
        subject = preview.subject.isEmpty && chosen.usesDefaultSubject ? (chosen.subject ?? settings.defaultSubject ?? "") : preview.subject
        sans = preview.alternativeNames.joined(separator: "\n")
        keyUsage = Self.profileKeyUsage(chosen, key: preview.keyAlgorithm)
        extendedKeyUsage = Self.profileExtendedKeyUsage(chosen)
        expires = String(chosen.expiresDays ?? settings.defaultExpiresDays)
    }

    /// The profile's key usage as it would apply to this key (bits that cannot apply are dropped).
    static func profileKeyUsage(_ profile: Profile, key: KeyAlgorithm?) -> [String] {
        guard let names = profile.keyUsage?.value, let usage = try? KeyUsageName.keyUsage(from: names) else { return [] }
        return KeyUsageName.names(of: key.map { KeyUsagePolicy.filter(usage, for: $0) } ?? usage)
    }

    static func profileExtendedKeyUsage(_ profile: Profile) -> [String] {
        (profile.extendedKeyUsage?.value ?? []).compactMap { try? ExtendedKeyUsageName.name(of: ExtendedKeyUsageName.usage(named: $0)) }
    }

    func context(needsPassword: Bool) -> [String: Any] {
        let checkedUsages = Set(keyUsage)
        let checkedPurposes = Set(extendedKeyUsage)
        return [
            "csrPEM": csrPEM, "subject": subject, "sans": sans, "expires": expires, "watchers": watchers,
            "needsPassword": needsPassword,
            "authorityOptions": authorities.map {
                ["serial": $0.serial, "name": $0.name, "expires": Display.isoDate($0.notAfter), "selected": $0.serial == authority]
                    as [String: Any]
            },
            "profileOptions": profiles.names.compactMap { name in
                profiles.profiles[name].map { ["name": name, "description": $0.description, "selected": name == profile] as [String: Any] }
            },
            "keyUsages": KeyUsageName.allCases.map { ["name": $0.rawValue, "checked": checkedUsages.contains($0.rawValue)] as [String: Any] },
            "extendedKeyUsages": ExtendedKeyUsageName.allCases.map {
                ["name": $0.rawValue, "checked": checkedPurposes.contains($0.rawValue)] as [String: Any]
            },
        ]
    }

    /// Checks every field, recording problems by field name; returns the request when `errors` stays empty.
    func signingRequest(preview: CSRPreview, issuer: Authority, errors: inout [String: String]) async throws -> SigningRequest {
        var request = SigningRequest()
        guard let record = authorities.first(where: { $0.serial == authority }) else {
            errors["ca"] = "choose a CA that is enabled, not revoked and not expired"
            return request
        }
        let chosenProfile: Profile
        do {
            chosenProfile = try profiles.profile(named: profile)
        } catch let error as CAError {
            errors["profile"] = error.message
            return request
        }
        request.profile = chosenProfile.name
        let subjectText = subject.trimmingCharacters(in: .whitespaces)
        if !subjectText.isEmpty {
            Self.check("subject", &errors) { _ = try SubjectParser.parse(subjectText) }
            request.subject = subjectText
        }
        let names = sans.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var parsedNames: [GeneralName] = []
        Self.check("sans", &errors) { parsedNames = try names.map { try GeneralNameParser.parse($0) } }
        if errors["sans"] == nil {
            do {
                try await issuer.checkNameConstraints(parsedNames, authority: record)
            } catch let error as CAError {
                errors["sans"] = error.message
            }
        }
        request.alternativeNames = names

        let defaultUsage = Self.profileKeyUsage(chosenProfile, key: preview.keyAlgorithm)
        if Set(keyUsage) != Set(defaultUsage) {
            Self.check("key_usage", &errors) {
                let usage = try KeyUsageName.keyUsage(from: keyUsage)
                if let key = preview.keyAlgorithm { try KeyUsagePolicy.check(usage, for: key) }
            }
            request.overrides.keyUsage = ProfileExtension(critical: chosenProfile.keyUsage?.critical ?? true, value: keyUsage)
        }
        if Set(extendedKeyUsage) != Set(Self.profileExtendedKeyUsage(chosenProfile)) {
            Self.check("extended_key_usage", &errors) { _ = try ExtendedKeyUsageName.extendedKeyUsage(from: extendedKeyUsage) }
            request.overrides.extendedKeyUsage = ProfileExtension(
                critical: chosenProfile.extendedKeyUsage?.critical ?? false, value: extendedKeyUsage)
        }

        let expiresText = expires.trimmingCharacters(in: .whitespaces)
        if !expiresText.isEmpty {
            if let days = Int(expiresText), days > 0 {
                let notAfter = Validity.notAfter(now: Date(), days: days)
                if notAfter > record.notAfter {
                    errors["expires"] =
                        "the certificate would expire after its CA (\(Display.isoDate(notAfter)) > \(Display.isoDate(record.notAfter))); choose fewer days"
                }
                request.expiresDays = days
            } else {
                errors["expires"] = "the validity must be a whole number of days, at least 1"
            }
        }
        let watcherLines = watchers.split(whereSeparator: { $0.isNewline || $0 == "," })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        Self.check("watchers", &errors) { request.watchers = try watcherLines.map { try EmailAddress(parsing: $0).address } }
        if names.isEmpty, subjectText.isEmpty, chosenProfile.subject == nil {
            errors["subject"] = errors["subject"] ?? "give a subject with a CN or at least one alternative name"
        }
        return request
    }

    /// Runs a check and files its `CAError` under `field`.
    static func check(_ field: String, _ errors: inout [String: String], _ body: () throws -> Void) {
        do {
            try body()
        } catch let error as CAError {
            errors[field] = error.message
        } catch {
            errors[field] = "\(error)"
        }
    }
}
