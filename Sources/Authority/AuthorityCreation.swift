import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// What `init-ca` asks for. Optional fields fall back to settings or to values derived from the parent.
public struct AuthorityCreationRequest: Sendable {
    public var name: String
    public var subject: String
    public var parent: String?
    public var parentPassword: String?
    public var keyAlgorithm: KeyAlgorithm
    public var hash: SignatureHash?
    public var expiresDays: Int?
    /// BasicConstraints pathLenConstraint; nil means unlimited (`--no-path-length`).
    public var pathLength: Int? = 0
    /// Encrypts the new key when set and not empty.
    public var password: String?
    /// The CA_KEY_BACKENDS alias where the key is made; nil for the key directory.
    public var keyBackendAlias: String?
    /// The key's label in a token (default: the CA's name).
    public var keyLabel: String?
    /// The token's user PIN, instead of the one in CA_KEY_BACKENDS.
    public var keyBackendPIN: String?
    /// nil: CA_DEFAULT_HOSTNAME; empty: no default URLs (`--no-default-hostname`).
    public var defaultHostname: String?
    public var permittedNames: [String] = []
    public var excludedNames: [String] = []
    /// The CA certificate's own AIA and CRL DP (intermediates). nil: derived from the hostname and parent.
    public var ocspResponders: [String]?
    public var caIssuers: [String]?
    public var crlFullNames: [String]?
    public var crlDistributionPointsCritical = false
    public var keyUsage: ProfileExtension<[String]>?
    public var extendedKeyUsage: ProfileExtension<[String]>?
    public var policies: [PolicyTemplate] = []
    public var certificatePoliciesCritical = false
    public var issuerAlternativeNames: [String] = []
    public var subjectAlternativeNames: [String] = []
    public var subjectAlternativeNamesCritical = false
    public var tlsFeature: ProfileExtension<[String]>?
    public var inhibitAnyPolicy: Int?
    public var requireExplicitPolicy: Int?
    public var inhibitPolicyMapping: Int?
    /// ACME settings (`--acme-*`); empty leaves ACME off.
    public var acme = ACMEConfigurationChanges()
    /// `--api-enable`: the REST API may use this CA.
    public var apiEnabled = false
    public var ocspResponderKeyValidityDays: Int?
    /// The CA_OCSP_KEY_BACKENDS alias for the CA's OCSP responder keys; nil or `default` for the key directory.
    public var ocspKeyBackend: String?
    /// false: `--no-ocsp`; nil or true: OCSP on.
    public var ocspEnabled: Bool?
    public var ocspResponseValiditySeconds: Int?
    /// `--crl-shards` and `--crl-deltas`.
    public var revocationListLayout = RevocationListLayoutChanges()
    /// Changes to the derived templates for certificates this CA signs (`--sign-*`).
    public var signTemplateChanges = SignTemplateChanges()
    public var website: String?
    public var termsOfService: String?
    public var caaIdentity: String?

    public init(name: String, subject: String, keyAlgorithm: KeyAlgorithm) {
        self.name = name
        self.subject = subject
        self.keyAlgorithm = keyAlgorithm
    }
}

/// `--sign-*` options: each set field replaces the corresponding template.
public struct SignTemplateChanges: Sendable {
    public var ocspResponders: [String]?
    public var caIssuers: [String]?
    public var crlFullNames: [String]?
    public var crlDistributionPointsCritical: Bool?
    public var policies: [PolicyTemplate]?
    public var certificatePoliciesCritical: Bool?
    public var issuerAlternativeNames: [String]?

    public init() {}

    public func applied(to templates: SignTemplates) throws -> SignTemplates {
        var result = templates
        if let ocspResponders { result.ocspResponders = try Self.validated(ocspResponders) }
        if let caIssuers { result.caIssuers = try Self.validated(caIssuers) }
        if let crlFullNames { result.crlFullNames = try Self.validated(crlFullNames) }
        if let crlDistributionPointsCritical { result.crlDistributionPointsCritical = crlDistributionPointsCritical }
        if let policies {
            _ = try CertificatePoliciesTemplate.make(policies)
            result.policies = policies
        }
        if let certificatePoliciesCritical { result.certificatePoliciesCritical = certificatePoliciesCritical }
        if let issuerAlternativeNames { result.issuerAlternativeNames = try Self.validated(issuerAlternativeNames) }
        return result
    }

    /// Parsed once now so that a typo fails at `init-ca`/`edit-ca`, not at the next issuance.
    static func validated(_ names: [String]) throws -> [String] {
        for name in names { _ = try GeneralNameParser.parse(name) }
        return names
    }
}

extension Authority {
    public func createAuthority(_ request: AuthorityCreationRequest) async throws -> AuthorityRecord {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CAError(.invalidInput, "the CA name must not be empty") }
        let existing = try await store.read { try await $0.allAuthorities() }
        if existing.contains(where: { $0.name == name }) {
            throw CAError(.conflict, "a CA named \"\(name)\" already exists")
        }
        let subject = try SubjectParser.parse(request.subject)
        guard let commonName = SubjectFormatter.commonName(of: subject) else {
            throw CAError(.invalidInput, "the CA subject \"\(request.subject)\" has no CN")
        }
        try request.keyAlgorithm.checkStrength(minimumRSABits: settings.minimumKeySize, what: "the new CA key")

        let now = Date()
        var notAfter = Validity.notAfter(now: now, days: request.expiresDays ?? settings.defaultCAExpiresDays)
        var parent: (record: AuthorityRecord, issuer: Issuer)?
        if let parentIdentifier = request.parent {
            let record = try await resolveAuthority(parentIdentifier, enabledOnly: true)
            try Self.checkPathLength(parent: try record.certificate(), parentName: record.name, child: request.pathLength)
            parent = (record, try issuer(for: record, password: request.parentPassword))
            // Children never outlive their parent.
            notAfter = min(notAfter, record.notAfter)
        }
        // An intermediate inherits the hostname its parent's URLs were derived from, so that a hierarchy
        // set up with one --default-hostname stays consistent without repeating it.
        let hostname = try request.defaultHostname ?? settings.defaultHostname
            ?? parent.flatMap { try $0.record.configurationValue().defaultHostname }
        let effectiveHostname = (hostname?.isEmpty ?? true) ? nil : hostname
        let hash = try request.hash ?? parent.flatMap { try $0.record.configurationValue().signatureHash }
            ?? settings.defaultSignatureHash
        _ = try SignatureHash.signatureAlgorithm(for: parent?.issuer.keyAlgorithm ?? request.keyAlgorithm, hash: hash)

        let serialNumber = SerialNumberText.random()
        let serial = SerialNumberText.hex(serialNumber)
        var configuration = AuthorityConfiguration()
        configuration.signatureHash = hash
        configuration.website = request.website
        configuration.termsOfService = request.termsOfService
        configuration.caaIdentity = request.caaIdentity
        configuration.defaultHostname = effectiveHostname
        if !request.acme.isEmpty {
            if let profile = request.acme.profile { _ = try profiles.profile(named: profile) }
            configuration.acme = request.acme.applied(to: nil)
        }
        if request.apiEnabled { configuration.apiEnabled = true }
        configuration.ocspResponderKeyValidityDays = try OCSPValidity.checkedDays(request.ocspResponderKeyValidityDays)
        configuration.ocspResponseValiditySeconds = try OCSPValidity.checkedSeconds(request.ocspResponseValiditySeconds)
        configuration.ocspKeyBackend = try checkedResponderKeyBackend(request.ocspKeyBackend)
        if request.ocspEnabled == false { configuration.ocspEnabled = false }
        configuration = try await applying(request.revocationListLayout, to: configuration, authority: nil)
        let derived = effectiveHostname.map {
            SignTemplates.derived(hostname: $0, urlPath: settings.urlPath, serial: serial)
        } ?? SignTemplates()
        configuration.signTemplates = try request.signTemplateChanges.applied(to: derived)

        // Built before the key exists so that a bad option fails without touching the key directory.
        let extensions = try caExtensions(
            request, parentSerial: parent?.record.serial, hostname: effectiveHostname,
            parentPublishesDeltas: try parent?.record.configurationValue().crlDeltas == true)

        let created: CreatedKey
        if let alias = request.keyBackendAlias, alias != "default" {
            created = try keyBackend(alias: alias).createKey(request.keyAlgorithm, label: request.keyLabel ?? name, password: request.keyBackendPIN)
        } else {
            created = try keyBackend.createKey(
                request.keyAlgorithm, label: serial, password: (request.password?.isEmpty ?? true) ? nil : request.password)
        }
        do {
            let issuer = try parent?.issuer ?? Issuer.selfSigned(name: subject, key: created.signer)
            let specification = CertificateSpecification(
                serialNumber: serialNumber, subject: subject, publicKey: created.signer.publicKey,
                notBefore: Validity.notBefore(now: now), notAfter: notAfter, hash: hash, extensions: extensions)
            let certificate = try CertificateSigner.sign(specification, by: issuer)
            let record = AuthorityRecord(
                serial: serial, name: name, commonName: commonName, subject: SubjectFormatter.format(subject),
                parentSerial: parent?.record.serial, notBefore: certificate.notValidBefore,
                notAfter: certificate.notValidAfter, enabled: true, certificateDER: try certificate.derBytes(),
                keyBackend: created.reference.backend, keyLocation: created.reference.location,
                configuration: try configuration.encoded(), revocation: nil, createdAt: now, updatedAt: now)
            try await store.write { transaction in
                try await transaction.insertAuthority(record)
                try await transaction.audit("init-ca", target: record.serial, detail: "name \(record.name), subject \(record.subject)")
            }
            return record
        } catch {
            // No orphan key file when the CA could not be stored.
            try? keyBackend.removeKey(created.reference)
            throw error
        }
    }

    static func checkPathLength(parent: Certificate, parentName: String, child: Int?) throws {
        guard let constraints = try? parent.extensions.basicConstraints,
            case .isCertificateAuthority(let maximum) = constraints
        else {
            throw CAError(.policy, "\"\(parentName)\" is not a CA certificate and cannot sign CAs")
        }
        guard let maximum else { return }
        guard maximum > 0 else {
            throw CAError(.policy, "CA \"\(parentName)\" has path length 0 and cannot sign another CA")
        }
        guard let child, child < maximum else {
            throw CAError(
                .policy,
                "CA \"\(parentName)\" has path length \(maximum); a child CA needs --path-length below \(maximum)")
        }
    }

    func caExtensions(
        _ request: AuthorityCreationRequest, parentSerial: String?, hostname: String?, parentPublishesDeltas: Bool = false
    ) throws -> ExtensionSet {
        var set = ExtensionSet()
        try set.set(BasicConstraints.isCertificateAuthority(maxPathLength: request.pathLength), critical: true)
        let keyUsage = request.keyUsage ?? ProfileExtension(critical: true, value: ["keyCertSign", "cRLSign"])
        try set.set(try KeyUsageName.keyUsage(from: keyUsage.value), critical: keyUsage.critical)
        if let usage = request.extendedKeyUsage, !usage.value.isEmpty {
            try set.set(try ExtendedKeyUsageName.extendedKeyUsage(from: usage.value), critical: usage.critical)
        }
        if !request.subjectAlternativeNames.isEmpty {
            let names = try request.subjectAlternativeNames.map { try GeneralNameParser.parse($0) }
            try set.set(SubjectAlternativeNames(names), critical: request.subjectAlternativeNamesCritical)
        }
        if !request.permittedNames.isEmpty || !request.excludedNames.isEmpty {
            let permitted = try request.permittedNames.map { try GeneralNameParser.parse($0, allowNetworks: true) }
            let excluded = try request.excludedNames.map { try GeneralNameParser.parse($0, allowNetworks: true) }
            try set.set(NameConstraints(permittedSubtrees: permitted, excludedSubtrees: excluded), critical: true)
        }
        // An intermediate's own AIA and CRL DP point at its parent's endpoints.
        if let parentSerial {
            let layout = hostname.map { URLLayout(hostname: $0, urlPath: settings.urlPath) }
            let responders = request.ocspResponders ?? layout.map { [$0.ocspForAuthorities(of: parentSerial)] } ?? []
            let issuers = request.caIssuers ?? layout.map { [$0.issuer(parentSerial)] } ?? []
            if let access = try AuthorityInformationAccessTemplate.make(ocspResponders: responders, caIssuers: issuers) {
                try set.set(access, critical: false)
            }
            let crlNames = request.crlFullNames ?? layout.map { [$0.crlForAuthorities(of: parentSerial)] } ?? []
            if !crlNames.isEmpty {
                let points = CRLDistributionPoints([DistributionPoint(fullName: try crlNames.map { try GeneralNameParser.parse($0) })])
                try set.set(points, critical: request.crlDistributionPointsCritical)
            }
            // RFC 5280 §4.2.1.15: relying parties that look for deltas only in the certificate (pyhanko) find them here.
            if parentPublishesDeltas, request.crlFullNames == nil, let layout {
                let delta = layout.deltaCRL(of: layout.crlForAuthorities(of: parentSerial))
                try set.set(FreshestCRL([DistributionPoint(uris: [delta])]), critical: false)
            }
        } else if request.ocspResponders != nil || request.caIssuers != nil || request.crlFullNames != nil {
            throw CAError(.invalidInput, "a root CA has no issuer: AIA and CRL distribution points apply to intermediates only")
        }
        if !request.policies.isEmpty {
            try set.set(try CertificatePoliciesTemplate.make(request.policies), critical: request.certificatePoliciesCritical)
        }
        if !request.issuerAlternativeNames.isEmpty {
            let names = try request.issuerAlternativeNames.map { try GeneralNameParser.parse($0) }
            try set.set(IssuerAlternativeNames(names), critical: false)
        }
        if let feature = request.tlsFeature, !feature.value.isEmpty {
            try set.set(try TLSFeature(names: feature.value), critical: feature.critical)
        }
        if let skip = request.inhibitAnyPolicy {
            try set.set(InhibitAnyPolicy(skipCerts: skip), critical: true)
        }
        if request.requireExplicitPolicy != nil || request.inhibitPolicyMapping != nil {
            try set.set(
                PolicyConstraints(
                    requireExplicitPolicy: request.requireExplicitPolicy, inhibitPolicyMapping: request.inhibitPolicyMapping),
                critical: true)
        }
        return set
    }
}
