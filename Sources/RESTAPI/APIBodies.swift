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

    /// An ISO 8601 time with a time zone, or a date (midnight UTC).
    static func date(_ text: String, field: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw CAError(.invalidInput, "\"\(field)\" must be an ISO 8601 time with a time zone (2027-01-31T12:00:00Z) or a date")
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

/// The extensions a request may set, keyed as django-ca's API keys them. Each one replaces what the
/// profile would add; extensions not named come from the profile and the CA.
struct ExtensionsInput: Decodable {
    var subjectAlternativeName: Extension<[GeneralNameInput]>?
    var keyUsage: Extension<[String]>?
    var extendedKeyUsage: Extension<[String]>?
    var tlsFeature: Extension<[String]>?

    enum CodingKeys: String, CodingKey {
        case subjectAlternativeName = "subject_alternative_name"
        case keyUsage = "key_usage"
        case extendedKeyUsage = "extended_key_usage"
        case tlsFeature = "tls_feature"
    }

    struct Extension<Value: Decodable>: Decodable {
        var critical: Bool?
        var value: Value
    }

    func apply(to request: inout SigningRequest) throws {
        if let subjectAlternativeName {
            request.alternativeNames = subjectAlternativeName.value.map(\.text)
            request.overrides.subjectAlternativeNamesCritical = subjectAlternativeName.critical ?? false
        }
        // Defaults for `critical` as RFC 5280 recommends and `sign-cert` uses.
        if let keyUsage {
            request.overrides.keyUsage = ProfileExtension(critical: keyUsage.critical ?? true, value: keyUsage.value)
        }
        if let extendedKeyUsage {
            request.overrides.extendedKeyUsage = ProfileExtension(critical: extendedKeyUsage.critical ?? false, value: extendedKeyUsage.value)
        }
        if let tlsFeature {
            request.overrides.tlsFeature = ProfileExtension(critical: tlsFeature.critical ?? false, value: tlsFeature.value)
        }
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
