/// What the CA is about to do, in the terms CAA records can restrict: issue for this identifier,
/// to this ACME account, after validating it with this method.
public struct CAAIssuanceRequest: Sendable, Equatable {
    /// A DNS identifier, possibly a wildcard such as `*.example.com`.
    public var domainName: String
    /// The ACME account URI, compared exactly with `accounturi` (RFC 8657 §3).
    public var accountURI: String?
    /// The ACME challenge type, such as "dns-01", compared with `validationmethods` (RFC 8657 §4).
    public var validationMethod: String?

    public init(domainName: String, accountURI: String? = nil, validationMethod: String? = nil) {
        self.domainName = domainName
        self.accountURI = accountURI
        self.validationMethod = validationMethod
    }

    public var isWildcard: Bool { domainName.hasPrefix("*.") }

    /// The name whose tree is searched: lower-cased, without "*." (RFC 8659 §3) or a trailing dot.
    public var lookupDomain: String {
        let name = isWildcard ? String(domainName.dropFirst(2)) : domainName
        return CAAText.canonicalDomain(name)
    }
}
