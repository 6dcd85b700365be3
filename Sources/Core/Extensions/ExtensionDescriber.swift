import SwiftASN1
import X509

/// A certificate extension rendered as text, for `view_cert`-style output and JSON.
public struct ExtensionDescription: Sendable, Hashable {
    /// Human-readable name, for example "Key Usage".
    public let name: String
    /// django-ca's key for the extension, for example "key_usage". For an extension swift-ca does
    /// not know, the dotted OID, so that keys stay unique.
    public let key: String
    /// The dotted OID.
    public let oid: String
    public let critical: Bool
    /// The value, one line per entry. Lines that belong to the entry above start with spaces.
    public let values: [String]

    public init(name: String, key: String, oid: String, critical: Bool, values: [String]) {
        self.name = name
        self.key = key
        self.oid = oid
        self.critical = critical
        self.values = values
    }
}

/// Renders any extension as text.
///
/// The describer never throws: a value that cannot be read is shown as `(malformed) <hex>` so
/// that a certificate from anywhere can still be displayed.
public enum ExtensionDescriber {
    /// Describes one extension.
    public static func describe(_ ext: Certificate.Extension) -> ExtensionDescription {
        let oid = ext.oid.description
        guard let known = knownExtensions.first(where: { $0.oid == ext.oid }) else {
            return ExtensionDescription(
                name: "Unknown extension",
                key: oid,
                oid: oid,
                critical: ext.critical,
                values: [ExtensionText.colonHex(ext.value)]
            )
        }
        let values: [String]
        do {
            values = try known.render(ext)
        } catch {
            values = ["(malformed) " + ExtensionText.colonHex(ext.value)]
        }
        return ExtensionDescription(name: known.name, key: known.key, oid: oid, critical: ext.critical, values: values)
    }

    /// Describes every extension, in certificate order.
    public static func describe(_ extensions: Certificate.Extensions) -> [ExtensionDescription] {
        extensions.map(describe)
    }

    // MARK: - Known extensions

    private struct KnownExtension: Sendable {
        let oid: ASN1ObjectIdentifier
        let name: String
        let key: String
        let render: @Sendable (Certificate.Extension) throws -> [String]
    }

    /// Names and keys follow django-ca (reference §9).
    private static let knownExtensions: [KnownExtension] = [
        KnownExtension(oid: .X509ExtensionID.basicConstraints, name: "Basic Constraints", key: "basic_constraints") {
            switch try BasicConstraints($0) {
            case .isCertificateAuthority(let maxPathLength):
                return ["CA:TRUE" + (maxPathLength.map { ", pathlen:\($0)" } ?? "")]
            case .notCertificateAuthority:
                return ["CA:FALSE"]
            }
        },
        KnownExtension(oid: .X509ExtensionID.keyUsage, name: "Key Usage", key: "key_usage") {
            KeyUsageName.names(of: try KeyUsage($0))
        },
        KnownExtension(oid: .X509ExtensionID.extendedKeyUsage, name: "Extended Key Usage", key: "extended_key_usage") {
            ExtendedKeyUsageName.names(of: try ExtendedKeyUsage($0))
        },
        KnownExtension(
            oid: .X509ExtensionID.subjectAlternativeName,
            name: "Subject Alternative Name",
            key: "subject_alternative_name"
        ) {
            try SubjectAlternativeNames($0).map { GeneralNameDescription.describe($0) }
        },
        KnownExtension(oid: IssuerAlternativeNames.oid, name: "Issuer Alternative Name", key: "issuer_alternative_name") {
            try IssuerAlternativeNames($0).names.map { GeneralNameDescription.describe($0) }
        },
        KnownExtension(
            oid: .X509ExtensionID.subjectKeyIdentifier,
            name: "Subject Key Identifier",
            key: "subject_key_identifier"
        ) {
            [ExtensionText.colonHex(try SubjectKeyIdentifier($0).keyIdentifier)]
        },
        KnownExtension(
            oid: .X509ExtensionID.authorityKeyIdentifier,
            name: "Authority Key Identifier",
            key: "authority_key_identifier"
        ) {
            let identifier = try AuthorityKeyIdentifier($0)
            var lines: [String] = []
            if let keyIdentifier = identifier.keyIdentifier {
                lines.append("keyid:" + ExtensionText.colonHex(keyIdentifier))
            }
            if let issuer = identifier.authorityCertIssuer {
                lines.append("issuer:" + GeneralNameDescription.describe(issuer))
            }
            if let serial = identifier.authorityCertSerialNumber {
                lines.append("serial:" + ExtensionText.colonHex(serial.bytes))
            }
            return lines
        },
        KnownExtension(
            oid: .X509ExtensionID.authorityInformationAccess,
            name: "Authority Information Access",
            key: "authority_information_access"
        ) {
            try describeAccessDescriptions(AuthorityInformationAccess($0))
        },
        KnownExtension(
            oid: subjectInformationAccessOID,
            name: "Subject Information Access",
            key: "subject_information_access"
        ) {
            // Same syntax as AIA (RFC 5280 §4.2.2.2), so it is read with the AIA parser.
            let relabelled = Certificate.Extension(
                oid: .X509ExtensionID.authorityInformationAccess,
                critical: $0.critical,
                value: $0.value
            )
            return try describeAccessDescriptions(AuthorityInformationAccess(relabelled))
        },
        KnownExtension(oid: CRLDistributionPoints.oid, name: "CRL Distribution Points", key: "crl_distribution_points") {
            describeDistributionPoints(try CRLDistributionPoints($0).points)
        },
        KnownExtension(oid: FreshestCRL.oid, name: "Freshest CRL", key: "freshest_crl") {
            describeDistributionPoints(try FreshestCRL($0).points)
        },
        KnownExtension(oid: CertificatePolicies.oid, name: "Certificate Policies", key: "certificate_policies") {
            describePolicies(try CertificatePolicies($0).policies)
        },
        KnownExtension(oid: .X509ExtensionID.nameConstraints, name: "Name Constraints", key: "name_constraints") {
            let constraints = try NameConstraints($0)
            let permitted = constraints.permittedSubtrees.map {
                "Permitted: " + GeneralNameDescription.describe($0, inNameConstraint: true)
            }
            let excluded = constraints.excludedSubtrees.map {
                "Excluded: " + GeneralNameDescription.describe($0, inNameConstraint: true)
            }
            return permitted + excluded
        },
        KnownExtension(oid: TLSFeature.oid, name: "TLS Feature", key: "tls_feature") {
            try TLSFeature($0).names
        },
        KnownExtension(oid: OCSPNoCheck.oid, name: "OCSP No Check", key: "ocsp_no_check") {
            _ = try OCSPNoCheck($0)
            return []
        },
        KnownExtension(oid: NoRevocationAvailable.oid, name: "No Revocation Available", key: "no_revocation_available") {
            _ = try NoRevocationAvailable($0)
            return []
        },
        KnownExtension(oid: PrivateKeyUsagePeriod.oid, name: "Private Key Usage Period", key: "private_key_usage_period") {
            let period = try PrivateKeyUsagePeriod($0)
            return [period.notBefore.map { "Not before: \(TimeText.iso($0))" }, period.notAfter.map { "Not after: \(TimeText.iso($0))" }]
                .compactMap { $0 }
        },
        KnownExtension(oid: InhibitAnyPolicy.oid, name: "Inhibit anyPolicy", key: "inhibit_any_policy") {
            [String(try InhibitAnyPolicy($0).skipCerts)]
        },
        KnownExtension(oid: PolicyConstraints.oid, name: "Policy Constraints", key: "policy_constraints") {
            let constraints = try PolicyConstraints($0)
            var lines: [String] = []
            if let requireExplicitPolicy = constraints.requireExplicitPolicy {
                lines.append("Require Explicit Policy: \(requireExplicitPolicy)")
            }
            if let inhibitPolicyMapping = constraints.inhibitPolicyMapping {
                lines.append("Inhibit Policy Mapping: \(inhibitPolicyMapping)")
            }
            return lines
        },
        KnownExtension(oid: [1, 3, 6, 1, 4, 1, 11129, 2, 4, 3], name: "Precert Poison", key: "precert_poison") {
            // RFC 6962 §3.1: the value is NULL.
            _ = try ASN1Null(derEncoded: $0.value)
            return []
        },
        // Known to django-ca but only displayed there as well: shown by name with their raw value.
        rawExtension(oid: [1, 3, 36, 8, 3, 3], name: "Admissions", key: "admissions"),
        rawExtension(oid: [1, 3, 6, 1, 4, 1, 311, 21, 7], name: "MS Certificate Template", key: "ms_certificate_template"),
        rawExtension(oid: [2, 5, 29, 16], name: "Private Key Usage Period", key: "private_key_usage_period"),
        rawExtension(
            oid: [1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
            name: "Precertificate Signed Certificate Timestamps",
            key: "precertificate_signed_certificate_timestamps"
        ),
        rawExtension(
            oid: [1, 3, 6, 1, 4, 1, 11129, 2, 4, 5],
            name: "Signed Certificate Timestamps",
            key: "signed_certificate_timestamps"
        ),
    ]

    private static let subjectInformationAccessOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 11]

    private static func rawExtension(oid: ASN1ObjectIdentifier, name: String, key: String) -> KnownExtension {
        KnownExtension(oid: oid, name: name, key: key) { [ExtensionText.colonHex($0.value)] }
    }

    // MARK: - Renderers

    private static let accessMethodNames: [ASN1ObjectIdentifier: String] = [
        [1, 3, 6, 1, 5, 5, 7, 48, 1]: "OCSP",
        [1, 3, 6, 1, 5, 5, 7, 48, 2]: "CA Issuers",
        [1, 3, 6, 1, 5, 5, 7, 48, 3]: "Time Stamping",
        [1, 3, 6, 1, 5, 5, 7, 48, 5]: "CA Repository",
    ]

    private static func describeAccessDescriptions(_ access: AuthorityInformationAccess) -> [String] {
        access.map { description in
            let method = ASN1ObjectIdentifier(accessMethod: description.method)
            let methodName = accessMethodNames[method] ?? method.description
            return "\(methodName) - " + GeneralNameDescription.describe(description.location)
        }
    }

    /// One unindented line per point (its name, or its CRL issuer if it has no name), then its
    /// other fields indented, similar to OpenSSL's layout.
    private static func describeDistributionPoints(_ points: [DistributionPoint]) -> [String] {
        points.flatMap { point -> [String] in
            var lines: [String] = []
            if let fullName = point.fullName {
                lines.append("Full Name: " + GeneralNameDescription.describe(fullName))
            }
            if let relativeName = point.relativeName {
                lines.append("Relative Name: \(relativeName)")
            }
            if let reasons = point.reasons {
                lines.append("Reasons: " + reasons.names.joined(separator: ", "))
            }
            if let crlIssuer = point.crlIssuer {
                lines.append("CRL Issuer: " + GeneralNameDescription.describe(crlIssuer))
            }
            return indentingAllButFirst(lines)
        }
    }

    private static func describePolicies(_ policies: [PolicyInformation]) -> [String] {
        policies.flatMap { policy -> [String] in
            let identifier = policy.identifier == PolicyInformation.anyPolicy ? "anyPolicy" : policy.identifier.description
            var lines = ["Policy: " + identifier]
            for qualifier in policy.qualifiers {
                switch qualifier {
                case .cpsURI(let uri):
                    lines.append("  CPS: " + uri)
                case .userNotice(let notice):
                    lines.append("  User Notice:")
                    if let reference = notice.noticeReference {
                        lines.append("    Organization: " + reference.organization)
                        lines.append("    Numbers: " + reference.noticeNumbers.map(String.init).joined(separator: ", "))
                    }
                    if let text = notice.explicitText {
                        lines.append("    Explicit Text: " + text)
                    }
                case .other(let oid, let value):
                    lines.append("  \(oid): " + GeneralNameDescription.derHex(value))
                }
            }
            return lines
        }
    }

    private static func indentingAllButFirst(_ lines: [String]) -> [String] {
        lines.enumerated().map { index, line in index == 0 ? line : "  " + line }
    }
}
