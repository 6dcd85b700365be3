/// A certificate policy as typed on the command line: an OID (or `anyPolicy`) with optional CPS URIs and
/// user notices (django-ca: `--policy-identifier`, `--certification-practice-statement`, `--user-notice`).
public struct PolicyTemplate: Sendable, Equatable, Codable {
    public var identifier: String
    public var practiceStatements: [String]
    public var userNotices: [String]

    public init(identifier: String, practiceStatements: [String] = [], userNotices: [String] = []) {
        self.identifier = identifier
        self.practiceStatements = practiceStatements
        self.userNotices = userNotices
    }
}

/// What a CA adds to every certificate it signs (django-ca's `--sign-*` options). Names are kept as the
/// user typed them (general-name syntax) and parsed at issuance, so the stored JSON stays readable.
public struct SignTemplates: Sendable, Equatable, Codable {
    public var ocspResponders: [String] = []
    public var caIssuers: [String] = []
    public var crlFullNames: [String] = []
    public var crlDistributionPointsCritical = false
    public var policies: [PolicyTemplate] = []
    public var certificatePoliciesCritical = false
    public var issuerAlternativeNames: [String] = []

    public init() {}

    /// The URLs swift-ca serves for a CA under `http://<hostname>/<urlPath>` (issue 3 serves exactly these).
    public static func derived(hostname: String, urlPath: String, serial: String) -> SignTemplates {
        let base = URLLayout(hostname: hostname, urlPath: urlPath)
        var templates = SignTemplates()
        templates.ocspResponders = [base.ocspForCertificates(of: serial)]
        templates.caIssuers = [base.issuer(serial)]
        templates.crlFullNames = [base.crlForCertificates(of: serial)]
        return templates
    }
}

/// The URL layout of swift-ca's revocation and issuer endpoints.
public struct URLLayout: Sendable {
    public let hostname: String
    public let urlPath: String

    public init(hostname: String, urlPath: String) {
        self.hostname = hostname
        self.urlPath = urlPath
    }

    var root: String { "http://\(hostname)/\(urlPath)" }

    public func issuer(_ serial: String) -> String { "\(root)issuer/\(serial).der" }
    public func ocspForCertificates(of serial: String) -> String { "\(root)ocsp/\(serial)/cert/" }
    public func ocspForAuthorities(of serial: String) -> String { "\(root)ocsp/\(serial)/ca/" }
    public func crlForCertificates(of serial: String) -> String { "\(root)crl/\(serial)/" }
    public func crlForAuthorities(of serial: String) -> String { "\(root)crl/ca/\(serial)/" }
    /// One partition of the CA's CRL for end-entity certificates (issue 17).
    public func crlShard(_ shard: Int, of serial: String) -> String { "\(root)crl/\(serial)/shard/\(shard)/" }
    /// The delta CRL of a complete CRL, published next to it: `crl/<serial>/delta/`, `crl/ca/<serial>/delta/`,
    /// `crl/<serial>/full/delta/`.
    public func deltaCRL(of completeCRL: String) -> String { completeCRL + "delta/" }
    /// The complete CRL of every certificate of the CA, without Issuing Distribution Point.
    public func completeCRL(of serial: String) -> String { "\(root)crl/\(serial)/full/" }
}
