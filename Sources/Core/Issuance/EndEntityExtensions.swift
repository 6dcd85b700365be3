import X509

/// The extensions of an end-entity certificate: profile defaults, then the CA's templates, then explicit
/// overrides, with key usage fitted to the key type. AKI and SKI are added by `CertificateSigner`.
public struct EndEntityExtensions {
    public var profile: Profile
    public var templates: SignTemplates
    public var overrides: ExtensionOverrides
    public var keyAlgorithm: KeyAlgorithm
    public var alternativeNames: [GeneralName]
    /// Where the deltas of the CRL named in CRL Distribution Points are (the Freshest CRL extension); empty for none.
    /// Written only when the CRL Distribution Points come from the CA's templates.
    public var freshestCRLNames: [String] = []

    public init(
        profile: Profile, templates: SignTemplates, overrides: ExtensionOverrides, keyAlgorithm: KeyAlgorithm,
        alternativeNames: [GeneralName]
    ) {
        self.profile = profile
        self.templates = templates
        self.overrides = overrides
        self.keyAlgorithm = keyAlgorithm
        self.alternativeNames = alternativeNames
    }

    public func build() throws -> ExtensionSet {
        var set = ExtensionSet()
        try set.set(BasicConstraints.notCertificateAuthority, critical: true)
        try addKeyUsage(to: &set)
        if let usage = overrides.extendedKeyUsage ?? profile.extendedKeyUsage, !usage.value.isEmpty {
            try set.set(try ExtendedKeyUsageName.extendedKeyUsage(from: usage.value), critical: usage.critical)
        }
        if !alternativeNames.isEmpty {
            try set.set(
                SubjectAlternativeNames(alternativeNames), critical: overrides.subjectAlternativeNamesCritical)
        }
        try addAuthorityInformationAccess(to: &set)
        try addCRLDistributionPoints(to: &set)
        try addCertificatePolicies(to: &set)
        try addIssuerAlternativeNames(to: &set)
        if let feature = overrides.tlsFeature ?? profile.tlsFeature, !feature.value.isEmpty {
            try set.set(try TLSFeature(names: feature.value), critical: feature.critical)
        }
        if let noCheck = overrides.ocspNoCheck ?? profile.ocspNoCheck, noCheck.value {
            try set.set(OCSPNoCheck(), critical: noCheck.critical)
        }
        if profile.noRevocationAvailable {
            guard (overrides.ocspResponders ?? []).isEmpty, (overrides.crlFullNames ?? []).isEmpty else {
                throw CAError(.invalidInput, "profile \"\(profile.name)\" makes certificates without revocation; they take no OCSP or CRL URL")
            }
            try set.set(NoRevocationAvailable(), critical: false)
        }
        if let period = overrides.privateKeyUsagePeriod {
            try set.set(period, critical: false)
        }
        return set
    }

    func addKeyUsage(to set: inout ExtensionSet) throws {
        if let explicit = overrides.keyUsage {
            let usage = try KeyUsageName.keyUsage(from: explicit.value)
            try KeyUsagePolicy.check(usage, for: keyAlgorithm)
            try set.set(usage, critical: explicit.critical)
        } else if let fromProfile = profile.keyUsage {
            let usage = KeyUsagePolicy.filter(try KeyUsageName.keyUsage(from: fromProfile.value), for: keyAlgorithm)
            guard usage != KeyUsage() else {
                throw CAError(.policy, "profile \(profile.name) leaves no key usage that fits a \(keyAlgorithm) key")
            }
            try set.set(usage, critical: fromProfile.critical)
        }
    }

    func addAuthorityInformationAccess(to set: inout ExtensionSet) throws {
        let responders = overrides.ocspResponders ?? (profile.addOCSPURL ? templates.ocspResponders : [])
        let issuers = overrides.caIssuers ?? (profile.addIssuerURL ? templates.caIssuers : [])
        guard let access = try AuthorityInformationAccessTemplate.make(ocspResponders: responders, caIssuers: issuers) else {
            return
        }
        try set.set(access, critical: false)
    }

    func addCRLDistributionPoints(to set: inout ExtensionSet) throws {
        let names = overrides.crlFullNames ?? (profile.addCRLURL ? templates.crlFullNames : [])
        guard !names.isEmpty else { return }
        let critical = overrides.crlDistributionPointsCritical ?? templates.crlDistributionPointsCritical
        let points = CRLDistributionPoints([DistributionPoint(fullName: try names.map { try GeneralNameParser.parse($0) })])
        try set.set(points, critical: critical)
        if overrides.crlFullNames == nil, !freshestCRLNames.isEmpty {
            let freshest = FreshestCRL([DistributionPoint(fullName: try freshestCRLNames.map { try GeneralNameParser.parse($0) })])
            try set.set(freshest, critical: false)
        }
    }

    func addCertificatePolicies(to set: inout ExtensionSet) throws {
        let policies = overrides.policies ?? templates.policies
        guard !policies.isEmpty else { return }
        let critical = overrides.certificatePoliciesCritical ?? templates.certificatePoliciesCritical
        try set.set(try CertificatePoliciesTemplate.make(policies), critical: critical)
    }

    func addIssuerAlternativeNames(to set: inout ExtensionSet) throws {
        let names = overrides.issuerAlternativeNames
            ?? (profile.addIssuerAlternativeName ? templates.issuerAlternativeNames : [])
        guard !names.isEmpty else { return }
        try set.set(IssuerAlternativeNames(try names.map { try GeneralNameParser.parse($0) }), critical: false)
    }
}

/// Builds an AIA extension from the general-name strings stored in templates.
public enum AuthorityInformationAccessTemplate {
    public static func make(ocspResponders: [String], caIssuers: [String]) throws -> AuthorityInformationAccess? {
        var descriptions: [AuthorityInformationAccess.AccessDescription] = []
        for responder in ocspResponders {
            descriptions.append(.init(method: .ocspServer, location: try GeneralNameParser.parse(responder)))
        }
        for issuer in caIssuers {
            descriptions.append(.init(method: .issuingCA, location: try GeneralNameParser.parse(issuer)))
        }
        return descriptions.isEmpty ? nil : AuthorityInformationAccess(descriptions)
    }
}
