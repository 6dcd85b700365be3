import CACore
import CAStore
import Foundation
import Synchronization

/// Per-CA settings kept as JSON in the `configuration` column: the templates for certificates it signs,
/// the signature hash it uses, and metadata later front ends read (ACME directory meta).
public struct AuthorityConfiguration: Sendable, Equatable, Codable {
    public var signTemplates = SignTemplates()
    /// nil: the hash that matches the CA key.
    public var signatureHash: SignatureHash?
    public var website: String?
    public var termsOfService: String?
    public var caaIdentity: String?
    /// The hostname the default URLs were derived from, if any.
    public var defaultHostname: String?
    /// ACME settings of this CA; nil (as stored by older versions) means ACME is off.
    public var acme: ACMEConfiguration?
    /// The REST API may see and use this CA (django-ca's `api_enabled`); nil, as stored by older versions, is off.
    public var apiEnabled: Bool?
    /// django-ca's per-CA `ocsp_responder_key_validity`: days its OCSP responder certificates are valid; nil for
    /// CA_OCSP_RESPONDER_KEY_VALIDITY.
    public var ocspResponderKeyValidityDays: Int?
    /// django-ca's per-CA `ocsp_response_validity`: seconds between an OCSP response's thisUpdate and nextUpdate;
    /// nil for CA_OCSP_RESPONSE_VALIDITY.
    public var ocspResponseValiditySeconds: Int?
    /// django-ca's `ocsp_key_backend_alias`: the CA_OCSP_KEY_BACKENDS alias where this CA's OCSP responder keys are
    /// made; nil for `default`, the key directory.
    public var ocspKeyBackend: String?
    /// `--ocsp`/`--no-ocsp`: whether new certificates name this CA's OCSP responder and the server answers for it;
    /// nil, as stored by older versions, is on.
    public var ocspEnabled: Bool?
    /// `--crl-shards`: how many partitions the CRL of end-entity certificates has; nil, as stored by older versions,
    /// means none.
    public var crlShards: Int?
    /// `--crl-deltas`: the complete CRLs carry a Freshest CRL extension and delta CRLs are published next to them;
    /// nil, as stored by older versions, is off.
    public var crlDeltas: Bool?

    public init() {}

    static func decode(_ json: String) throws -> AuthorityConfiguration {
        if let known = decoded.withLock({ $0[json] }) { return known }
        let configuration: AuthorityConfiguration
        do {
            configuration = try JSONDecoder().decode(AuthorityConfiguration.self, from: Data(json.utf8))
        } catch {
            throw CAError(.storage, "the stored configuration of a CA cannot be read: \(error)")
        }
        decoded.withLock { table in
            if table.count >= 256 { table.removeAll() }
            table[json] = configuration
        }
        return configuration
    }

    /// Decoded configurations by their JSON text: every signature reads its CA's, which changes rarely, and
    /// decoding it cost more than the signature. The text is the key, so a changed configuration is decoded anew.
    private static let decoded = Mutex<[String: AuthorityConfiguration]>([:])

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}


/// Whether and how a CA answers ACME (RFC 8555) requests.
public struct ACMEConfiguration: Sendable, Equatable, Codable {
    public var enabled = false
    /// New accounts may register (existing ones keep working when this is off).
    public var registrationEnabled = true
    /// newAccount must carry at least one contact.
    public var contactRequired = false
    /// The profile of certificates issued through ACME; nil for CA_DEFAULT_PROFILE.
    public var profile: String?
    /// newAccount must carry an external account binding made with a key from `acme-eab`. Optional so
    /// that configurations stored before it existed still decode; nil means false.
    public var externalAccountRequired: Bool?

    public init() {}
}

/// What `edit-ca --acme-*` changes; nil fields stay as they are.
public struct ACMEConfigurationChanges: Sendable {
    public var enabled: Bool?
    public var registrationEnabled: Bool?
    public var contactRequired: Bool?
    public var profile: String?
    public var externalAccountRequired: Bool?

    public init() {}

    public var isEmpty: Bool {
        enabled == nil && registrationEnabled == nil && contactRequired == nil && profile == nil && externalAccountRequired == nil
    }

    func applied(to configuration: ACMEConfiguration?) -> ACMEConfiguration {
        var result = configuration ?? ACMEConfiguration()
        if let enabled { result.enabled = enabled }
        if let registrationEnabled { result.registrationEnabled = registrationEnabled }
        if let contactRequired { result.contactRequired = contactRequired }
        if let profile { result.profile = profile }
        if let externalAccountRequired { result.externalAccountRequired = externalAccountRequired }
        return result
    }
}

/// The per-CA OCSP validities and their bounds. A responder certificate lives at least a day (the server
/// renews it CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL before it expires); a response at least a minute and at
/// most a year, beyond which a revocation would take too long to reach clients that cache.
enum OCSPValidity {
    static func checkedDays(_ days: Int?) throws -> Int? {
        guard let days else { return nil }
        guard (1...3_650).contains(days) else {
            throw CAError(.invalidInput, "--ocsp-responder-key-validity must be between 1 and 3650 days")
        }
        return days
    }

    static func checkedSeconds(_ seconds: Int?) throws -> Int? {
        guard let seconds else { return nil }
        guard (60...31_536_000).contains(seconds) else {
            throw CAError(.invalidInput, "--ocsp-response-validity must be between 60 seconds and one year (31536000)")
        }
        return seconds
    }
}

extension Authority {
    /// The CA's own responder-certificate validity, else CA_OCSP_RESPONDER_KEY_VALIDITY.
    func ocspResponderCertificateDays(for authority: AuthorityRecord) -> Int {
        (try? authority.configurationValue().ocspResponderKeyValidityDays) ?? settings.ocsp.responderCertificateDays
    }

    /// The CA's own OCSP response validity, else CA_OCSP_RESPONSE_VALIDITY.
    func ocspResponseValidity(for authority: AuthorityRecord) -> TimeInterval {
        (try? authority.configurationValue().ocspResponseValiditySeconds).map(TimeInterval.init) ?? settings.ocsp.responseValidity
    }
}
