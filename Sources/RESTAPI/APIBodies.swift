import CAAuthority
import CACore
import Foundation

/// Request bodies. Unknown members are ignored, as django-ninja (pydantic) ignores them; a member of the
/// wrong type is a 400 that names it.
enum APIBody {
    static func decode<Body: Decodable>(_ type: Body.Type, from bytes: [UInt8]) throws -> Body {
        guard !bytes.isEmpty else { throw CAError(.invalidInput, "the request body is empty; send a JSON object") }
        // JSON writes NUL only as \u0000 (a raw NUL byte is invalid JSON anyway). PostgreSQL cannot store text
        // with NUL, and no name, subject or address has one: refused here instead of failing in the database.
        if bytes.contains(0) || String(decoding: bytes, as: UTF8.self).lowercased().contains("\\u0000") {
            throw CAError(.invalidInput, "text in the request must not contain NUL characters")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw CAError(.invalidInput, describe(error))
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.invalidInput, "the request body is not valid JSON")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the body" : "\"" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "\""
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(field(context.codingPath)) must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(field(context.codingPath)) must be \(typeName(type)), not null"
        case .keyNotFound(let key, let context):
            return "\(field(context.codingPath + [key])) is required"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as? CAError { return underlying.message }
            return context.codingPath.isEmpty ? "the request body is not valid JSON" : "\(field(context.codingPath)) is not valid: \(context.debugDescription)"
        @unknown default:
            return "the request body cannot be read"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "true or false"
        case is [Any].Type: return "an array"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "an array" : (name.hasPrefix("Dictionary") ? "an object" : "a value of the documented type")
        }
    }

    /// An ISO 8601 time (UTC without a zone, as django-ca reads it), or a date (midnight UTC).
    static func date(_ text: String, field: String) throws -> Date {
        try TimeText.parse(text, option: "\"\(field)\"")
    }

    /// The validity in days from `expires` (days) or `not_after` (a time, rounded up to whole days from now,
    /// as `--expires` counts them); nil when neither is given.
    static func expiresDays(notAfter: String?, expires: Int?, now: Date) throws -> Int? {
        if notAfter != nil && expires != nil { throw CAError(.invalidInput, "give \"not_after\" or \"expires\", not both") }
        if let expires {
            guard expires >= 1 else { throw CAError(.invalidInput, "\"expires\" must be at least 1 day") }
            return expires
        }
        guard let notAfter else { return nil }
        let seconds = try date(notAfter, field: "not_after").timeIntervalSince(now)
        guard seconds > 0 else { throw CAError(.invalidInput, "\"not_after\" must be in the future") }
        return Int((seconds / 86_400).rounded(.up))
    }
}

/// `POST /api/ca/{serial}/sign/`.
struct SignBody: Decodable {
    var csr: String
    var subject: SubjectInput?
    var profile: String?
    var notAfter: String?
    var expires: Int?
    var algorithm: String?
    var extensions: ExtensionsInput?
    var watchers: [String]?
    var commonNameInSubjectAlternativeName: Bool?

    enum CodingKeys: String, CodingKey {
        case csr, subject, profile, expires, algorithm, extensions, watchers
        case notAfter = "not_after"
        case commonNameInSubjectAlternativeName = "cn_in_san"
    }

    /// The request as the CLI's `sign-cert` would make it; the profile's extensions apply unless an
    /// extension is given here (django-ca #168: its API ignores the profile's extensions).
    func signingRequest(profiles: ProfileCatalog, now: Date = Date()) throws -> SigningRequest {
        var request = SigningRequest()
        request.subject = try subject?.text()
        if let profile {
            guard profiles.profiles[profile] != nil else {
                throw CAError(.invalidInput, "unknown profile \"\(profile)\"; choose one of \(profiles.names.joined(separator: ", "))")
            }
            request.profile = profile
        }
        request.expiresDays = try APIBody.expiresDays(notAfter: notAfter, expires: expires, now: now)
        if let algorithm { request.hash = try SignatureHash(name: algorithm) }
        if let extensions { try extensions.apply(to: &request) }
        if let commonNameInSubjectAlternativeName { request.commonNameInAlternativeNames = commonNameInSubjectAlternativeName }
        request.watchers = watchers ?? []
        return request
    }
}

/// A subject as an RFC 4514 (or OpenSSL `/C=AT/CN=x`) string, or django-ca's list of `{oid, value}`.
enum SubjectInput: Decodable {
    case text(String)
    case attributes([Attribute])

    struct Attribute: Decodable {
        var oid: String
        var value: String
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let attributes = try? container.decode([Attribute].self) {
            self = .attributes(attributes)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "give a string (\"CN=example.com,O=Example\") or a list of {\"oid\", \"value\"}")
        }
    }

    /// The subject in the syntax `SubjectParser` reads: attributes in the order given, values escaped.
    func text() throws -> String {
        switch self {
        case .text(let text): return text
        case .attributes(let attributes):
            return try attributes.map { attribute in
                let oid = attribute.oid.trimmingCharacters(in: .whitespaces)
                guard ObjectIdentifierSyntax.isDotted(oid) else {
                    throw CAError(.invalidInput, "subject oid \"\(attribute.oid)\" is not a dotted object identifier such as 2.5.4.3")
                }
                return oid + "=" + Self.escaped(attribute.value)
            }.joined(separator: ",")
        }
    }

    /// RFC 4514 §2.4: the characters with a meaning in the syntax, and leading or trailing spaces, as `\XX`.
    static func escaped(_ value: String) -> String {
        var result = ""
        let characters = Array(value)
        for (index, character) in characters.enumerated() {
            let special = ",+\"\\<>;=#".contains(character)
            let edgeSpace = character == " " && (index == 0 || index == characters.count - 1)
            if (special || edgeSpace), let ascii = character.asciiValue {
                result += "\\" + Hex.upper([ascii])
            } else {
                result.append(character)
            }
        }
        return result
    }
}

enum ObjectIdentifierSyntax {
    static func isDotted(_ text: String) -> Bool {
        let arcs = text.split(separator: ".", omittingEmptySubsequences: false)
        return arcs.count >= 2 && arcs.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}

/// The extensions a request may set, in either of two forms:
/// - django-ca 3.x's list of extension models, `[{"type": "key_usage", "critical": true, "value": [...]}]`
///   (`SignCertificateMessage.extensions`), with its value shapes;
/// - an object keyed by the same type names, `{"key_usage": {"critical": true, "value": [...]}}`, which
///   swift-ca accepted first and keeps accepting.
///
/// Each extension given replaces what the profile and the CA would add; those not named come from them.
/// `critical` defaults as django-ca defaults it (RFC 5280's recommendations).
struct ExtensionsInput: Decodable {
    var subjectAlternativeName: Extension<[GeneralNameInput]>?
    var issuerAlternativeName: Extension<[GeneralNameInput]>?
    var keyUsage: Extension<[String]>?
    var extendedKeyUsage: Extension<[String]>?
    var tlsFeature: Extension<[String]>?
    var ocspNoCheck: Extension<NoValue>?
    var authorityInformationAccess: Extension<[AccessDescriptionInput]>?
    var crlDistributionPoints: Extension<[DistributionPointInput]>?
    var certificatePolicies: Extension<[PolicyInformationInput]>?
    var privateKeyUsagePeriod: Extension<PrivateKeyUsagePeriodInput>?

    /// The `type` names, as django-ca 3.2 spells them.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case subjectAlternativeName = "subject_alternative_name"
        case issuerAlternativeName = "issuer_alternative_name"
        case keyUsage = "key_usage"
        case extendedKeyUsage = "extended_key_usage"
        case tlsFeature = "tls_feature"
        case ocspNoCheck = "ocsp_no_check"
        case authorityInformationAccess = "authority_information_access"
        case crlDistributionPoints = "crl_distribution_points"
        case certificatePolicies = "certificate_policies"
        case privateKeyUsagePeriod = "private_key_usage_period"
    }

    /// django-ca's configurable extensions that swift-ca does not set from a request; named in the refusal.
    static let unsupportedTypes: Set = ["admissions", "freshest_crl", "ms_certificate_template", "precert_poison"]

    struct Extension<Value: Decodable>: Decodable {
        var critical: Bool?
        var value: Value
    }

    /// The value of an extension that has none (`ocsp_no_check`): absent or null.
    struct NoValue: Decodable {
        init() {}
        init(from decoder: any Decoder) throws {}
    }

    /// One element of the list form: its `type` and `critical`; the value is read by type.
    private enum ListedKeys: String, CodingKey {
        case type, critical, value
    }

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var seen: Set<String> = []
            while !list.isAtEnd {
                let element = try list.nestedContainer(keyedBy: ListedKeys.self)
                let type = try element.decode(String.self, forKey: .type)
                guard seen.insert(type).inserted else {
                    throw CAError(.invalidInput, "\"extensions\" names \"\(type)\" twice")
                }
                try read(type, critical: try element.decodeIfPresent(Bool.self, forKey: .critical), from: element)
            }
            return
        }
        let object = try decoder.container(keyedBy: AnyKey.self)
        for key in object.allKeys {
            let element = try object.nestedContainer(keyedBy: ListedKeys.self, forKey: key)
            try read(key.stringValue, critical: try element.decodeIfPresent(Bool.self, forKey: .critical), from: element)
        }
    }

    private mutating func read(_ type: String, critical: Bool?, from element: KeyedDecodingContainer<ListedKeys>) throws {
        func value<Value: Decodable>(_: Value.Type) throws -> Extension<Value> {
            Extension(critical: critical, value: try element.decode(Value.self, forKey: .value))
        }
        switch CodingKeys(rawValue: type) {
        case .subjectAlternativeName: subjectAlternativeName = try value([GeneralNameInput].self)
        case .issuerAlternativeName: issuerAlternativeName = try value([GeneralNameInput].self)
        case .keyUsage: keyUsage = try value([String].self)
        case .extendedKeyUsage: extendedKeyUsage = try value([String].self)
        case .tlsFeature: tlsFeature = try value([String].self)
        case .ocspNoCheck: ocspNoCheck = Extension(critical: critical, value: NoValue())
        case .authorityInformationAccess: authorityInformationAccess = try value([AccessDescriptionInput].self)
        case .crlDistributionPoints: crlDistributionPoints = try value([DistributionPointInput].self)
        case .certificatePolicies: certificatePolicies = try value([PolicyInformationInput].self)
        case .privateKeyUsagePeriod: privateKeyUsagePeriod = try value(PrivateKeyUsagePeriodInput.self)
        case nil:
            let known = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
            if Self.unsupportedTypes.contains(type) {
                throw CAError(.invalidInput, "swift-ca does not set the \"\(type)\" extension from a request; it sets \(known)")
            }
            throw CAError(.invalidInput, "unknown extension type \"\(type)\"; a request may set \(known)")
        }
    }

    func apply(to request: inout SigningRequest) throws {
        if let subjectAlternativeName {
            request.alternativeNames = subjectAlternativeName.value.map(\.text)
            request.overrides.subjectAlternativeNamesCritical = subjectAlternativeName.critical ?? false
        }
        if let issuerAlternativeName {
            try Self.refuseCritical(issuerAlternativeName.critical, "issuer_alternative_name")
            request.overrides.issuerAlternativeNames = issuerAlternativeName.value.map(\.text)
        }
        if let keyUsage {
            request.overrides.keyUsage = ProfileExtension(critical: keyUsage.critical ?? true, value: keyUsage.value)
        }
        if let extendedKeyUsage {
            request.overrides.extendedKeyUsage = ProfileExtension(critical: extendedKeyUsage.critical ?? false, value: extendedKeyUsage.value)
        }
        if let tlsFeature {
            request.overrides.tlsFeature = ProfileExtension(critical: tlsFeature.critical ?? false, value: tlsFeature.value)
        }
        if let ocspNoCheck {
            request.overrides.ocspNoCheck = ProfileExtension(critical: ocspNoCheck.critical ?? false, value: true)
        }
        if let authorityInformationAccess {
            // RFC 5280 §4.2.2.1: this extension MUST be non-critical.
            try Self.refuseCritical(authorityInformationAccess.critical, "authority_information_access")
            var responders: [String] = []
            var issuers: [String] = []
            for description in authorityInformationAccess.value {
                switch try description.method() {
                case .ocsp: responders.append(description.location.text)
                case .caIssuers: issuers.append(description.location.text)
                }
            }
            request.overrides.ocspResponders = responders
            request.overrides.caIssuers = issuers
        }
        if let crlDistributionPoints {
            guard crlDistributionPoints.value.count == 1, let point = crlDistributionPoints.value.first else {
                throw CAError(.invalidInput, "\"crl_distribution_points\" must hold exactly one distribution point")
            }
            request.overrides.crlFullNames = try point.fullNames()
            request.overrides.crlDistributionPointsCritical = crlDistributionPoints.critical ?? false
        }
        if let certificatePolicies {
            request.overrides.policies = try certificatePolicies.value.map { try $0.template() }
            request.overrides.certificatePoliciesCritical = certificatePolicies.critical ?? false
        }
        if let privateKeyUsagePeriod {
            try Self.refuseCritical(privateKeyUsagePeriod.critical, "private_key_usage_period")
            let period = PrivateKeyUsagePeriod(
                notBefore: try privateKeyUsagePeriod.value.notBefore.map { try APIBody.date($0, field: "not_before") },
                notAfter: try privateKeyUsagePeriod.value.notAfter.map { try APIBody.date($0, field: "not_after") })
            try period.validate()
            request.overrides.privateKeyUsagePeriod = period
        }
    }

    private static func refuseCritical(_ critical: Bool?, _ type: String) throws {
        if critical == true { throw CAError(.invalidInput, "\"\(type)\" must not be critical") }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// django-ca's `PrivateKeyUsagePeriodValueModel`: ISO 8601 times, either may be missing.
struct PrivateKeyUsagePeriodInput: Decodable {
    var notBefore: String?
    var notAfter: String?

    enum CodingKeys: String, CodingKey {
        case notBefore = "not_before"
        case notAfter = "not_after"
    }
}

/// django-ca's `AccessDescriptionModel`: `{"access_method": "ocsp" | "ca_issuers" | OID, "access_location": <general name>}`.
struct AccessDescriptionInput: Decodable {
    enum Method { case ocsp, caIssuers }

    var accessMethod: String
    var location: GeneralNameInput

    enum CodingKeys: String, CodingKey {
        case accessMethod = "access_method"
        case location = "access_location"
    }

    func method() throws -> Method {
        switch accessMethod.trimmingCharacters(in: .whitespaces) {
        case "ocsp", "1.3.6.1.5.5.7.48.1": return .ocsp
        case "ca_issuers", "1.3.6.1.5.5.7.48.2": return .caIssuers
        default:
            throw CAError(.invalidInput, "access method \"\(accessMethod)\" is not ocsp or ca_issuers")
        }
    }
}

/// django-ca's `DistributionPointModel`; swift-ca writes a full name only.
struct DistributionPointInput: Decodable {
    var fullName: [GeneralNameInput]?
    var relativeName: [SubjectInput.Attribute]?
    var crlIssuer: [GeneralNameInput]?
    var reasons: [String]?

    enum CodingKeys: String, CodingKey {
        case fullName = "full_name"
        case relativeName = "relative_name"
        case crlIssuer = "crl_issuer"
        case reasons
    }

    func fullNames() throws -> [String] {
        guard relativeName == nil, crlIssuer == nil, reasons == nil else {
            throw CAError(.invalidInput, "swift-ca writes a distribution point's \"full_name\" only, not relative_name, crl_issuer or reasons")
        }
        guard let fullName, !fullName.isEmpty else {
            throw CAError(.invalidInput, "a distribution point needs a \"full_name\"")
        }
        return fullName.map(\.text)
    }
}

/// django-ca's `PolicyInformationModel`: a policy OID and its qualifiers, each a CPS URI (a string) or a
/// user notice (`{"explicit_text": ...}`).
struct PolicyInformationInput: Decodable {
    var policyIdentifier: String
    var policyQualifiers: [Qualifier]?

    enum CodingKeys: String, CodingKey {
        case policyIdentifier = "policy_identifier"
        case policyQualifiers = "policy_qualifiers"
    }

    enum Qualifier: Decodable {
        case practiceStatement(String)
        case userNotice(explicitText: String?, hasNoticeReference: Bool)

        private struct Notice: Decodable {
            var explicitText: String?
            var noticeReference: NoticeReference?
            struct NoticeReference: Decodable {}

            enum CodingKeys: String, CodingKey {
                case explicitText = "explicit_text"
                case noticeReference = "notice_reference"
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .practiceStatement(text)
            } else {
                let notice = try container.decode(Notice.self)
                self = .userNotice(explicitText: notice.explicitText, hasNoticeReference: notice.noticeReference != nil)
            }
        }
    }

    func template() throws -> PolicyTemplate {
        var policy = PolicyTemplate(identifier: policyIdentifier)
        for qualifier in policyQualifiers ?? [] {
            switch qualifier {
            case .practiceStatement(let uri):
                policy.practiceStatements.append(uri)
            case .userNotice(let text, let hasNoticeReference):
                guard !hasNoticeReference else {
                    throw CAError(.invalidInput, "swift-ca writes a user notice's \"explicit_text\" only, not a notice_reference")
                }
                guard let text else { throw CAError(.invalidInput, "a user notice needs \"explicit_text\"") }
                policy.userNotices.append(text)
            }
        }
        return policy
    }
}

/// A general name as `--alt` writes it (`DNS:example.com`, `IP:192.0.2.1`, or a bare name), or as
/// django-ca's API does (`{"type": "DNS", "value": "example.com"}`).
struct GeneralNameInput: Decodable {
    var text: String

    private struct Typed: Decodable {
        var type: String
        var value: String
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else if let typed = try? container.decode(Typed.self) {
            self.text = typed.type + ":" + typed.value
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "give \"DNS:example.com\" or {\"type\": \"DNS\", \"value\": \"example.com\"}")
        }
    }
}

/// `POST …/certs/{serial}/resign/`.
struct ResignBody: Decodable {
    var notAfter: String?
    var expires: Int?
    var watchers: [String]?

    enum CodingKeys: String, CodingKey {
        case expires, watchers
        case notAfter = "not_after"
    }

    func expiresDays(now: Date = Date()) throws -> Int? {
        try APIBody.expiresDays(notAfter: notAfter, expires: expires, now: now)
    }
}

/// `POST …/certs/{serial}/revoke/`.
struct RevokeBody: Decodable {
    var reason: String?
    var compromised: String?

    func revocationReason() throws -> RevocationReason {
        guard let reason else { return .unspecified }
        guard let value = RevocationReason(rawValue: reason) else {
            let names = RevocationReason.allCases.map(\.rawValue).joined(separator: ", ")
            throw CAError(.invalidInput, "unknown revocation reason \"\(reason)\"; choose one of \(names)")
        }
        return value
    }

    func compromisedAt() throws -> Date? {
        try compromised.map { try APIBody.date($0, field: "compromised") }
    }
}

/// `PUT …/certs/{serial}/watchers/`: the complete new list.
struct WatchersBody: Decodable {
    var watchers: [String]
}

/// `PUT /api/ca/{serial}/`: every member optional; those given replace the stored value.
struct AuthorityUpdateBody: Decodable {
    var name: String?
    var website: String?
    var termsOfService: String?
    var caaIdentity: String?
    var acmeEnabled: Bool?
    var acmeRegistration: Bool?
    var acmeRequiresContact: Bool?
    var acmeProfile: String?
    var signOCSPResponders: [String]?
    var signCAIssuers: [String]?
    var signCRLDistributionPoints: [String]?
    var signIssuerAlternativeName: [String]?

    enum CodingKeys: String, CodingKey {
        case name, website
        case termsOfService = "terms_of_service"
        case caaIdentity = "caa_identity"
        case acmeEnabled = "acme_enabled"
        case acmeRegistration = "acme_registration"
        case acmeRequiresContact = "acme_requires_contact"
        case acmeProfile = "acme_profile"
        case signOCSPResponders = "sign_ocsp_responders"
        case signCAIssuers = "sign_ca_issuers"
        case signCRLDistributionPoints = "sign_crl_distribution_points"
        case signIssuerAlternativeName = "sign_issuer_alternative_name"
    }

    var templateChanges: SignTemplateChanges {
        var changes = SignTemplateChanges()
        changes.ocspResponders = signOCSPResponders
        changes.caIssuers = signCAIssuers
        changes.crlFullNames = signCRLDistributionPoints
        changes.issuerAlternativeNames = signIssuerAlternativeName
        return changes
    }

    var acmeChanges: ACMEConfigurationChanges {
        var changes = ACMEConfigurationChanges()
        changes.enabled = acmeEnabled
        changes.registrationEnabled = acmeRegistration
        changes.contactRequired = acmeRequiresContact
        changes.profile = acmeProfile
        return changes
    }
}
