import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

extension Authority {
    /// Imports an existing CA: its key goes to the key backend (re-encrypted with `password` if given).
    public func importAuthority(
        name: String, keyBytes: [UInt8], certificateBytes: [UInt8], importPassword: String?, password: String?,
        parent parentIdentifier: String?, signTemplateChanges: SignTemplateChanges,
        ocspResponderKeyValidityDays: Int? = nil, ocspResponseValiditySeconds: Int? = nil, keyBackendAlias: String? = nil,
        keyLabel: String? = nil, keyBackendPIN: String? = nil, ocspKeyBackend: String? = nil
    ) async throws -> AuthorityRecord {
        let certificate = try CertificateReader.parse(certificateBytes, what: "the CA certificate file")
        let key = try PrivateKeyCoding.decode(keyBytes, password: importPassword)
        guard key.publicKey == certificate.publicKey else {
            throw CAError(.invalidInput, "the private key does not belong to the certificate")
        }
        guard let constraints = try? certificate.extensions.basicConstraints, case .isCertificateAuthority = constraints else {
            throw CAError(.invalidInput, "the certificate is not a CA certificate (BasicConstraints CA:TRUE is missing)")
        }
        let existing = try await store.read { try await $0.allAuthorities() }
        let serial = SerialNumberText.hex(certificate.serialNumber)
        if existing.contains(where: { $0.serial == serial }) {
            throw CAError(.conflict, "a CA with serial \(SerialNumberText.colonSeparated(serial)) already exists")
        }
        if existing.contains(where: { $0.name == name }) { throw CAError(.conflict, "a CA named \"\(name)\" already exists") }
        guard let commonName = SubjectFormatter.commonName(of: certificate.subject) else {
            throw CAError(.invalidInput, "the CA certificate's subject has no CN")
        }
        var parentSerial: String?
        if let parentIdentifier {
            let parent = try await resolveAuthority(parentIdentifier)
            try Self.checkIssued(certificate, by: parent)
            parentSerial = parent.serial
        } else if certificate.issuer != certificate.subject {
            parentSerial = existing.first { (try? Self.checkIssued(certificate, by: $0)) != nil }?.serial
        }
        var configuration = AuthorityConfiguration()
        configuration.signTemplates = try signTemplateChanges.applied(to: SignTemplates())
        configuration.ocspResponderKeyValidityDays = try OCSPValidity.checkedDays(ocspResponderKeyValidityDays)
        configuration.ocspResponseValiditySeconds = try OCSPValidity.checkedSeconds(ocspResponseValiditySeconds)
        configuration.ocspKeyBackend = try checkedResponderKeyBackend(ocspKeyBackend)
        let reference: KeyReference
        if let alias = keyBackendAlias, alias != "default" {
            // Into a token: the key is protected by the token's PIN from then on, not by a password of its own.
            reference = try keyBackend(alias: alias).importKey(key, label: keyLabel ?? name, password: keyBackendPIN)
        } else {
            reference = try keyBackend.importKey(key, label: serial, password: (password?.isEmpty ?? true) ? nil : password)
        }
        let now = Date()
        let record = AuthorityRecord(
            serial: serial, name: name, commonName: commonName, subject: SubjectFormatter.format(certificate.subject),
            parentSerial: parentSerial, notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter,
            enabled: true, certificateDER: try certificate.derBytes(), keyBackend: reference.backend,
            keyLocation: reference.location, configuration: try configuration.encoded(), revocation: nil,
            createdAt: now, updatedAt: now)
        do {
            try await store.write { transaction in
                try await transaction.insertAuthority(record)
                try await transaction.audit("import-ca", target: record.serial, detail: "name \(record.name), subject \(record.subject)")
            }
        } catch {
            try? keyBackend.removeKey(reference)
            throw error
        }
        return record
    }

    /// Imports a certificate issued elsewhere by one of our CAs (found by issuer name and signature).
    public func importCertificate(_ bytes: [UInt8], authority identifier: String?) async throws -> CertificateRecord {
        let certificate = try CertificateReader.parse(bytes, what: "the certificate file")
        let candidates: [AuthorityRecord]
        if let identifier {
            candidates = [try await resolveAuthority(identifier)]
        } else {
            candidates = try await store.read { try await $0.allAuthorities() }
        }
        guard let authority = candidates.first(where: { (try? Self.checkIssued(certificate, by: $0)) != nil }) else {
            throw CAError(.notFound, "no known CA issued this certificate (issuer \(SubjectFormatter.format(certificate.issuer)))")
        }
        let serial = SerialNumberText.hex(certificate.serialNumber)
        if try await store.read({ try await $0.certificate(serial: serial) }) != nil {
            throw CAError(.conflict, "certificate \(SerialNumberText.colonSeparated(serial)) is already in the database")
        }
        let record = CertificateRecord(
            serial: serial, authoritySerial: authority.serial,
            commonName: SubjectFormatter.commonName(of: certificate.subject) ?? "",
            subject: SubjectFormatter.format(certificate.subject), notBefore: certificate.notValidBefore,
            notAfter: certificate.notValidAfter, certificateDER: try certificate.derBytes(), csrDER: nil,
            profile: "", autogenerated: false, issuance: "{}", revocation: nil, createdAt: Date(),
            alternativeNames: CertificateSearchText.alternativeNames(
                ((try? certificate.extensions.subjectAlternativeNames) ?? nil).map(Array.init) ?? []))
        try await store.write { transaction in
            try await transaction.insertCertificates([record])
            try await transaction.audit("import-cert", target: record.serial, detail: "CA \(record.authoritySerial), subject \(record.subject)")
        }
        return record
    }

    static func checkIssued(_ certificate: Certificate, by authority: AuthorityRecord) throws {
        let issuer = try authority.certificate()
        guard certificate.issuer == issuer.subject,
            issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
        else {
            throw CAError(.invalidInput, "the certificate was not issued by CA \"\(authority.name)\"")
        }
    }

    /// Changes what `edit-ca` may change: name, enabled, templates and metadata.
    public func editAuthority(
        _ identifier: String, name: String?, enabled: Bool?, signTemplateChanges: SignTemplateChanges,
        website: String?, termsOfService: String?, caaIdentity: String?, acmeChanges: ACMEConfigurationChanges = ACMEConfigurationChanges(),
        apiEnabled: Bool? = nil, ocspResponderKeyValidityDays: Int? = nil, ocspResponseValiditySeconds: Int? = nil,
        ocspKeyBackend: String? = nil, ocspEnabled: Bool? = nil,
        revocationListLayout: RevocationListLayoutChanges = RevocationListLayoutChanges()
    ) async throws -> AuthorityRecord {
        var record = try await resolveAuthority(identifier)
        var configuration = try record.configurationValue()
        if !acmeChanges.isEmpty {
            if let profile = acmeChanges.profile { _ = try profiles.profile(named: profile) }
            configuration.acme = acmeChanges.applied(to: configuration.acme)
        }
        configuration.signTemplates = try signTemplateChanges.applied(to: configuration.signTemplates)
        if let website { configuration.website = website }
        if let termsOfService { configuration.termsOfService = termsOfService }
        if let caaIdentity { configuration.caaIdentity = caaIdentity }
        if let apiEnabled { configuration.apiEnabled = apiEnabled }
        if let days = try OCSPValidity.checkedDays(ocspResponderKeyValidityDays) { configuration.ocspResponderKeyValidityDays = days }
        if let seconds = try OCSPValidity.checkedSeconds(ocspResponseValiditySeconds) { configuration.ocspResponseValiditySeconds = seconds }
        if let ocspKeyBackend { configuration.ocspKeyBackend = try checkedResponderKeyBackend(ocspKeyBackend) }
        if let ocspEnabled { configuration.ocspEnabled = ocspEnabled ? nil : false }
        configuration = try await applying(revocationListLayout, to: configuration, authority: record)
        let before = record
        if let name, name != record.name {
            if try await store.read({ try await $0.allAuthorities() }).contains(where: { $0.name == name }) {
                throw CAError(.conflict, "a CA named \"\(name)\" already exists")
            }
            record.name = name
        }
        if let enabled { record.enabled = enabled }
        record.configuration = try configuration.encoded()
        let updated = record
        try await store.write { transaction in
            try await transaction.updateAuthorityMetadata(updated)
            try await transaction.audit("edit-ca", target: updated.serial, detail: try Self.describeChanges(from: before, to: updated))
        }
        return record
    }
}
