import CACore
import Foundation
import SwiftASN1
import X509

/// A certificate as django-ca 3.2's API describes it (its pydantic `CertificateModel`, the `certificate` member of
/// every certificate and CA answer): names as `{oid, value}` lists, extensions as `{type, critical, value}` models.
enum DjangoCAModels {
    static func certificate(_ certificate: Certificate, der: [UInt8]) -> [String: Any] {
        let (hash, parameters) = signature(certificate.signatureAlgorithm)
        return [
            "serial": SerialNumberText.hex(certificate.serialNumber),
            "version": certificate.version == .v3 ? 2 : 0,
            "not_valid_before": TimeText.iso(certificate.notValidBefore),
            "not_valid_after": TimeText.iso(certificate.notValidAfter),
            "issuer": name(certificate.issuer),
            "subject": name(certificate.subject),
            "signature_hash_algorithm": hash ?? NSNull(),
            "signature_algorithm_oid": signatureOIDs[certificate.signatureAlgorithm] ?? NSNull(),
            "public_key_algorithm_oid": publicKeyOID(certificate.publicKey) ?? NSNull(),
            "signature_algorithm_parameters": parameters ?? NSNull(),
            "extensions": certificate.extensions.map(extensionModel),
            "pem": PEMText.encode(type: "CERTIFICATE", der: der) + "\n",
        ]
    }

    /// django-ca's NameModel: one `{oid, value}` per attribute, in certificate order.
    static func name(_ name: DistinguishedName) -> [[String: Any]] {
        name.flatMap { relativeName in
            relativeName.map { attribute in
                ["oid": attribute.type.description, "value": attributeText(attribute.value)] as [String: Any]
            }
        }
    }

    static func attributeText(_ value: RelativeDistinguishedName.Attribute.Value) -> String {
        if let text = String(value) { return text }
        return value.description
    }

    static let signatureOIDs: [Certificate.SignatureAlgorithm: String] = [
        .sha1WithRSAEncryption: "1.2.840.113549.1.1.5", .sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
        .sha384WithRSAEncryption: "1.2.840.113549.1.1.12", .sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
        .ecdsaWithSHA256: "1.2.840.10045.4.3.2", .ecdsaWithSHA384: "1.2.840.10045.4.3.3", .ecdsaWithSHA512: "1.2.840.10045.4.3.4",
        .ed25519: "1.3.101.112",
    ]

    /// The hash name and django-ca's padding or ECDSA parameters model (nil for Ed25519).
    static func signature(_ algorithm: Certificate.SignatureAlgorithm) -> (hash: String?, parameters: [String: Any]?) {
        switch algorithm {
        case .sha1WithRSAEncryption: return ("SHA1", ["name": "EMSA-PKCS1-v1_5"])
        case .sha256WithRSAEncryption: return ("SHA-256", ["name": "EMSA-PKCS1-v1_5"])
        case .sha384WithRSAEncryption: return ("SHA-384", ["name": "EMSA-PKCS1-v1_5"])
        case .sha512WithRSAEncryption: return ("SHA-512", ["name": "EMSA-PKCS1-v1_5"])
        case .ecdsaWithSHA256: return ("SHA-256", ["algorithm": "SHA-256", "deterministic_signing": false])
        case .ecdsaWithSHA384: return ("SHA-384", ["algorithm": "SHA-384", "deterministic_signing": false])
        case .ecdsaWithSHA512: return ("SHA-512", ["algorithm": "SHA-512", "deterministic_signing": false])
        default: return (nil, nil)
        }
    }

    static func publicKeyOID(_ key: Certificate.PublicKey) -> String? {
        switch KeyAlgorithm(publicKey: key) {
        case .rsa?: return "1.2.840.113549.1.1.1"
        case .ec?: return "1.2.840.10045.2.1"
        case .ed25519?: return "1.3.101.112"
        case nil: return nil
        }
    }

    // MARK: - Extensions

    /// One extension as django-ca's model; what cannot be read is its `unrecognized` model (OID and base64 DER).
    static func extensionModel(_ ext: Certificate.Extension) -> [String: Any] {
        guard let (type, value) = try? typedValue(ext) else {
            return ["type": "unknown", "critical": ext.critical, "oid": ext.oid.description, "value": Data(ext.value).base64EncodedString()]
        }
        return ["type": type, "critical": ext.critical, "value": value]
    }

    static func typedValue(_ ext: Certificate.Extension) throws -> (String, Any)? {
        switch ext.oid {
        case .X509ExtensionID.basicConstraints:
            switch try BasicConstraints(ext) {
            case .isCertificateAuthority(let length): return ("basic_constraints", ["ca": true, "path_length": length ?? NSNull()] as [String: Any])
            case .notCertificateAuthority: return ("basic_constraints", ["ca": false, "path_length": NSNull()] as [String: Any])
            }
        case .X509ExtensionID.keyUsage: return ("key_usage", keyUsage(try KeyUsage(ext)))
        case .X509ExtensionID.extendedKeyUsage: return ("extended_key_usage", try ExtendedKeyUsage(ext).map { ASN1ObjectIdentifier($0).description })
        case .X509ExtensionID.subjectAlternativeName: return ("subject_alternative_name", try SubjectAlternativeNames(ext).map(generalName))
        case IssuerAlternativeNames.oid: return ("issuer_alternative_name", try IssuerAlternativeNames(ext).names.map(generalName))
        case .X509ExtensionID.subjectKeyIdentifier:
            return ("subject_key_identifier", Data(try SubjectKeyIdentifier(ext).keyIdentifier).base64EncodedString())
        case .X509ExtensionID.authorityKeyIdentifier:
            let identifier = try AuthorityKeyIdentifier(ext)
            return ("authority_key_identifier", [
                "key_identifier": identifier.keyIdentifier.map { Data($0).base64EncodedString() } ?? NSNull(),
                "authority_cert_issuer": identifier.authorityCertIssuer.map { $0.map(generalName) } ?? NSNull(),
                "authority_cert_serial_number": identifier.authorityCertSerialNumber.map { SerialNumberText.decimal(Hex.upper($0.bytes)) } ?? NSNull(),
            ] as [String: Any])
        case .X509ExtensionID.authorityInformationAccess:
            return ("authority_information_access", try AuthorityInformationAccess(ext).map(accessDescription))
        case CRLDistributionPoints.oid: return ("crl_distribution_points", try CRLDistributionPoints(ext).points.map(distributionPoint))
        case FreshestCRL.oid: return ("freshest_crl", try FreshestCRL(ext).points.map(distributionPoint))
        case CertificatePolicies.oid: return ("certificate_policies", try CertificatePolicies(ext).policies.map(policy))
        case OCSPNoCheck.oid: return ("ocsp_no_check", NSNull())
        case TLSFeature.oid: return ("tls_feature", try TLSFeature(ext).features.map { $0 == 5 ? "status_request" : $0 == 17 ? "status_request_v2" : String($0) })
        case PolicyConstraints.oid:
            let constraints = try PolicyConstraints(ext)
            return ("policy_constraints", [
                "require_explicit_policy": constraints.requireExplicitPolicy ?? NSNull(),
                "inhibit_policy_mapping": constraints.inhibitPolicyMapping ?? NSNull(),
            ] as [String: Any])
        case InhibitAnyPolicy.oid: return ("inhibit_any_policy", try InhibitAnyPolicy(ext).skipCerts)
        case .X509ExtensionID.nameConstraints:
            let constraints = try NameConstraints(ext)
            return ("name_constraints", [
                "permitted_subtrees": constraints.permittedSubtrees.isEmpty ? NSNull() : Array(constraints.permittedSubtrees).map { generalName($0, network: true) },
                "excluded_subtrees": constraints.excludedSubtrees.isEmpty ? NSNull() : Array(constraints.excludedSubtrees).map { generalName($0, network: true) },
            ] as [String: Any])
        case PrivateKeyUsagePeriod.oid:
            let period = try PrivateKeyUsagePeriod(ext)
            return ("private_key_usage_period", [
                "not_before": period.notBefore.map(TimeText.iso) ?? NSNull(), "not_after": period.notAfter.map(TimeText.iso) ?? NSNull(),
            ] as [String: Any])
        default:
            return nil
        }
    }

    /// django-ca's snake_case key usage names.
    static func keyUsage(_ usage: KeyUsage) -> [String] {
        let flags: [(Bool, String)] = [
            (usage.digitalSignature, "digital_signature"), (usage.nonRepudiation, "content_commitment"),
            (usage.keyEncipherment, "key_encipherment"), (usage.dataEncipherment, "data_encipherment"),
            (usage.keyAgreement, "key_agreement"), (usage.keyCertSign, "key_cert_sign"), (usage.cRLSign, "crl_sign"),
            (usage.encipherOnly, "encipher_only"), (usage.decipherOnly, "decipher_only"),
        ]
        return flags.filter(\.0).map(\.1)
    }

    static func accessDescription(_ description: AuthorityInformationAccess.AccessDescription) -> [String: Any] {
        let method: String
        switch description.method {
        case .ocspServer: method = "1.3.6.1.5.5.7.48.1"
        case .issuingCA: method = "1.3.6.1.5.5.7.48.2"
        default: method = "\(description.method)"
        }
        return ["access_method": method, "access_location": generalName(description.location)]
    }

    static func distributionPoint(_ point: DistributionPoint) -> [String: Any] {
        [
            "full_name": point.fullName.map { $0.map(generalName) } ?? NSNull(),
            "relative_name": point.relativeName.map { relativeName in
                relativeName.map { ["oid": $0.type.description, "value": attributeText($0.value)] as [String: Any] }
            } ?? NSNull(),
            "crl_issuer": point.crlIssuer.map { $0.map(generalName) } ?? NSNull(),
            "reasons": point.reasons.map { $0.names.map(reasonName) } ?? NSNull(),
        ]
    }

    /// RFC 5280's reason names (`keyCompromise`) in django-ca's spelling (`key_compromise`).
    static func reasonName(_ name: String) -> String {
        let special = ["cACompromise": "ca_compromise", "aACompromise": "aa_compromise"]
        if let known = special[name] { return known }
        return name.reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }

    static func policy(_ information: PolicyInformation) -> [String: Any] {
        let qualifiers: [Any] = information.qualifiers.map { qualifier in
            switch qualifier {
            case .cpsURI(let uri): return uri
            case .userNotice(let notice):
                return [
                    "notice_reference": notice.noticeReference.map {
                        ["organization": $0.organization, "notice_numbers": $0.noticeNumbers] as [String: Any]
                    } ?? NSNull(),
                    "explicit_text": notice.explicitText ?? NSNull(),
                ] as [String: Any]
            case .other(let oid, _): return oid.description
            }
        }
        return ["policy_identifier": information.identifier.description, "policy_qualifiers": qualifiers.isEmpty ? NSNull() : qualifiers]
    }

    /// django-ca's GeneralNameModel: `{type, value}`; a directory name's value is a name list.
    static func generalName(_ name: GeneralName) -> [String: Any] {
        generalName(name, network: false)
    }

    static func generalName(_ name: GeneralName, network: Bool) -> [String: Any] {
        switch name {
        case .dnsName(let value): return ["type": "DNS", "value": value]
        case .rfc822Name(let value): return ["type": "email", "value": value]
        case .uniformResourceIdentifier(let value): return ["type": "URI", "value": value]
        case .registeredID(let oid): return ["type": "RID", "value": oid.description]
        case .directoryName(let distinguishedName): return ["type": "dirName", "value": self.name(distinguishedName)]
        case .ipAddress, .otherName, .x400Address, .ediPartyName:
            // The same text `view-cert` shows after its `TYPE:` prefix.
            let text = GeneralNameDescription.describe(name, inNameConstraint: network)
            let separator = text.firstIndex(of: ":") ?? text.startIndex
            let type = String(text[..<separator])
            return ["type": type == "IP" ? "IP" : type, "value": String(text[text.index(after: separator)...])]
        }
    }
}
