import CAAuthority
import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// The JSON objects the API returns, with the member names of django-ca's API schemas where it has one.
enum APIRepresentation {
    /// A CA with django-ca 3.2's `DjangoCertificateAuthorityModel` members (its `sign_*` as extension models) and
    /// swift-ca's own (`serial`, `subject`, `status`, `pem`, the `sign_ocsp_responders`/`sign_ca_issuers` lists).
    static func authority(_ record: AuthorityRecord, ocsp: OCSPSettings) throws -> [String: Any] {
        let configuration = try record.configurationValue()
        let acme = configuration.acme ?? ACMEConfiguration()
        let templates = configuration.signTemplates
        let certificate = try record.certificate()
        let details = try CertificateDetails(certificate)
        var object: [String: Any] = [
            "id": record.serial,
            "serial": SerialNumberText.colonSeparated(record.serial),
            "name": record.name,
            "common_name": record.commonName,
            "subject": record.subject,
            "parent": record.parentSerial.map(SerialNumberText.colonSeparated) ?? NSNull(),
            "not_before": CertificateJSON.dateText(record.notBefore),
            "not_after": CertificateJSON.dateText(record.notAfter),
            "enabled": record.enabled,
            "status": CertificateJSON.status(notAfter: record.notAfter, revocation: record.revocation, enabled: record.enabled),
            "pem": pem(record.certificateDER),
            "certificate": DjangoCAModels.certificate(certificate, der: record.certificateDER),
            "fingerprints": details.fingerprints,
            "key_backend_alias": record.keyBackend,
            "ocsp_key_backend_alias": "file",
            "ocsp_responder_key_validity": configuration.ocspResponderKeyValidityDays ?? ocsp.responderCertificateDays,
            "ocsp_response_validity": configuration.ocspResponseValiditySeconds ?? Int(ocsp.responseValidity),
            "api_enabled": configuration.apiEnabled ?? false,
            "website": configuration.website ?? "",
            "terms_of_service": configuration.termsOfService ?? "",
            "caa_identity": configuration.caaIdentity ?? "",
            "acme_enabled": acme.enabled,
            "acme_registration": acme.registrationEnabled,
            "acme_requires_contact": acme.contactRequired,
            "acme_profile": acme.profile ?? NSNull(),
            "sign_ocsp_responders": templates.ocspResponders,
            "sign_ca_issuers": templates.caIssuers,
            "created": CertificateJSON.dateText(record.createdAt),
            "updated": CertificateJSON.dateText(record.updatedAt),
        ]
        for (key, value) in revocationMembers(record.revocation) { object[key] = value }
        for (key, value) in signTemplateModels(templates) { object[key] = value }
        return object
    }

    /// django-ca's revocation members: `revoked_reason` is empty, not null, while not revoked.
    static func revocationMembers(_ revocation: RevocationRecord?) -> [String: Any] {
        [
            "revoked": revocation != nil,
            "revoked_date": revocation.map { CertificateJSON.dateText($0.revokedAt) } ?? NSNull(),
            "revoked_reason": revocation?.reason.rawValue ?? "",
            "compromised": revocation?.compromisedAt.map(CertificateJSON.dateText) ?? NSNull(),
        ]
    }

    /// The CA's sign templates as django-ca's `sign_*` extension models (null where the CA adds nothing).
    static func signTemplateModels(_ templates: SignTemplates) -> [String: Any] {
        func names(_ texts: [String]) -> [[String: Any]] {
            texts.compactMap { try? GeneralNameParser.parse($0) }.map(DjangoCAModels.generalName)
        }
        func model(_ type: String, critical: Bool, _ value: Any) -> [String: Any] {
            ["type": type, "critical": critical, "value": value]
        }
        let access = templates.ocspResponders.compactMap { try? GeneralNameParser.parse($0) }.map {
            ["access_method": "1.3.6.1.5.5.7.48.1", "access_location": DjangoCAModels.generalName($0)] as [String: Any]
        } + templates.caIssuers.compactMap { try? GeneralNameParser.parse($0) }.map {
            ["access_method": "1.3.6.1.5.5.7.48.2", "access_location": DjangoCAModels.generalName($0)] as [String: Any]
        }
        let policies = templates.policies.map { policy -> [String: Any] in
            let qualifiers: [Any] = policy.practiceStatements.map { $0 as Any }
                + policy.userNotices.map { ["notice_reference": NSNull(), "explicit_text": $0] as [String: Any] }
            let identifier = policy.identifier == "anyPolicy" ? "2.5.29.32.0" : policy.identifier
            // django-ca's own templates keep an empty list where a certificate's parsed extension has null.
            return ["policy_identifier": identifier, "policy_qualifiers": qualifiers]
        }
        return [
            "sign_authority_information_access": access.isEmpty ? NSNull() : model("authority_information_access", critical: false, access),
            "sign_certificate_policies": policies.isEmpty
                ? NSNull() : model("certificate_policies", critical: templates.certificatePoliciesCritical, policies),
            "sign_crl_distribution_points": templates.crlFullNames.isEmpty
                ? NSNull()
                : model("crl_distribution_points", critical: templates.crlDistributionPointsCritical, [
                    ["full_name": names(templates.crlFullNames), "relative_name": NSNull(), "crl_issuer": NSNull(), "reasons": NSNull()]
                ]),
            "sign_issuer_alternative_name": templates.issuerAlternativeNames.isEmpty
                ? NSNull() : model("issuer_alternative_name", critical: false, names(templates.issuerAlternativeNames)),
        ]
    }

    static func profile(_ profile: Profile, isDefault: Bool) -> [String: Any] {
        var extensions: [String: Any] = [:]
        if let keyUsage = profile.keyUsage { extensions["key_usage"] = ["critical": keyUsage.critical, "value": keyUsage.value] }
        if let extendedKeyUsage = profile.extendedKeyUsage {
            extensions["extended_key_usage"] = ["critical": extendedKeyUsage.critical, "value": extendedKeyUsage.value]
        }
        if let tlsFeature = profile.tlsFeature { extensions["tls_feature"] = ["critical": tlsFeature.critical, "value": tlsFeature.value] }
        if let ocspNoCheck = profile.ocspNoCheck, ocspNoCheck.value { extensions["ocsp_no_check"] = ["critical": ocspNoCheck.critical] }
        return [
            "name": profile.name,
            "description": profile.description,
            "default": isDefault,
            "subject": profile.subject ?? NSNull(),
            "algorithm": profile.algorithm?.rawValue ?? NSNull(),
            "expires": profile.expiresDays ?? NSNull(),
            "extensions": extensions,
            "add_ocsp_url": profile.addOCSPURL,
            "add_issuer_url": profile.addIssuerURL,
            "add_crl_url": profile.addCRLURL,
            "add_issuer_alternative_name": profile.addIssuerAlternativeName,
            "autogenerated": profile.autogenerated,
        ]
    }

    /// A certificate in a listing: what the database holds, without parsing the certificate, so that a page
    /// of 100 costs one query.
    static func listedCertificate(_ record: CertificateRecord) -> [String: Any] {
        [
            "serial": SerialNumberText.colonSeparated(record.serial),
            "ca": SerialNumberText.colonSeparated(record.authoritySerial),
            "common_name": record.commonName,
            "subject": record.subject,
            "not_before": CertificateJSON.dateText(record.notBefore),
            "not_after": CertificateJSON.dateText(record.notAfter),
            "profile": record.profile,
            "autogenerated": record.autogenerated,
            "status": CertificateJSON.status(notAfter: record.notAfter, revocation: record.revocation),
            "revoked": record.revocation != nil,
            "created": CertificateJSON.dateText(record.createdAt),
            "pem": pem(record.certificateDER),
        ]
    }

    /// The members of django-ca's `DjangoCertificateModel` that swift-ca's own certificate JSON lacks or spells
    /// differently; added to every certificate the API returns.
    static func djangoCAMembers(_ record: CertificateRecord, certificate: Certificate, watchers: [String]) -> [String: Any] {
        var members = revocationMembers(record.revocation)
        members["id"] = record.serial
        members["updated"] = CertificateJSON.dateText(max(record.createdAt, record.revocation?.revokedAt ?? record.createdAt))
        members["csr"] = record.csrDER.map { PEMText.encode(type: "CERTIFICATE REQUEST", der: $0) + "\n" } ?? NSNull()
        members["certificate"] = DjangoCAModels.certificate(certificate, der: record.certificateDER)
        // django-ca's WatcherModel; swift-ca keeps addresses only, so the name is empty and the id a position.
        members["watchers"] = watchers.enumerated().map { ["id": $0.offset + 1, "name": "", "mail": $0.element] as [String: Any] }
        return members
    }

    static func order(_ order: APIOrderRecord) -> [String: Any] {
        [
            "slug": order.slug,
            "status": order.status.rawValue,
            "serial": order.certificateSerial.map(SerialNumberText.colonSeparated) ?? NSNull(),
            "error": order.error ?? NSNull(),
            "created": CertificateJSON.dateText(order.createdAt),
            "updated": CertificateJSON.dateText(order.updatedAt),
        ]
    }

    static func pem(_ der: [UInt8]) -> String {
        PEMText.encode(type: "CERTIFICATE", der: der) + "\n"
    }

    /// The keyset position after a listed certificate, as the `after` query parameter takes it back.
    static func cursor(after record: CertificateRecord) -> String {
        "\(Int64(record.notAfter.timeIntervalSince1970.rounded(.down)))-\(record.serial)"
    }

    static func position(_ cursor: String) throws -> ListingPosition {
        let parts = cursor.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let seconds = Int64(parts[0]), let serial = SerialNumberText.normalize(String(parts[1])) else {
            throw CAError(.invalidInput, "\"after\" must be a cursor from a Link header of a previous page")
        }
        return ListingPosition(notAfter: Date(timeIntervalSince1970: TimeInterval(seconds)), serial: serial)
    }
}
