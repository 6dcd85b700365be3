/// Extensions given explicitly for one certificate (`sign-cert --key-usage ...`, the REST API, ...).
/// Each set field replaces what the profile or the CA's templates would add.
public struct ExtensionOverrides: Sendable, Equatable, Codable {
    public var keyUsage: ProfileExtension<[String]>?
    public var extendedKeyUsage: ProfileExtension<[String]>?
    public var tlsFeature: ProfileExtension<[String]>?
    public var ocspNoCheck: ProfileExtension<Bool>?
    public var ocspResponders: [String]?
    public var caIssuers: [String]?
    public var crlFullNames: [String]?
    public var crlDistributionPointsCritical: Bool?
    public var policies: [PolicyTemplate]?
    public var certificatePoliciesCritical: Bool?
    public var issuerAlternativeNames: [String]?
    public var subjectAlternativeNamesCritical = false
    /// django-ca's `--private-key-usage-period-not-before/-not-after` (never critical).
    public var privateKeyUsagePeriod: PrivateKeyUsagePeriod?

    public init() {}
}
