import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// Everything that is the same for all certificates of one request: resolved CA, loaded key, profile.
/// Preparing once and issuing many lets bulk issuance share the one path that single issuance uses.
public struct PreparedIssuance: Sendable {
    let authority: AuthorityRecord
    let issuer: Issuer
    let profile: Profile
    let request: SigningRequest
    let templates: SignTemplates
    let hash: SignatureHash?
    let explicitSubject: DistinguishedName
    let defaultSubject: DistinguishedName?
    let alternativeNames: [GeneralName]
}

extension Authority {
    /// Issues one certificate and commits it (and its watchers) before returning it.
    public func sign(
        csr csrBytes: [UInt8], request: SigningRequest, authority identifier: String?, password: String?
    ) async throws -> IssuedCertificate {
        let csr = try CSRReader.parse(csrBytes)
        let prepared = try await prepare(request, authority: identifier, password: password)
        let (record, certificate) = try issue(csr: csr, prepared: prepared, now: Date())
        try await store.transaction {
            try await self.store.insertCertificates([record])
            for watcher in request.watchers { try await self.store.addWatcher(try Self.emailAddress(watcher), to: record.serial) }
        }
        return IssuedCertificate(record: record, certificate: certificate, chain: try await chain(of: prepared.authority))
    }

    /// Issues one certificate per CSR and commits them in one transaction (benchmarks, bulk imports).
    public func signBatch(csrs: [[UInt8]], request: SigningRequest, authority identifier: String?, password: String?)
        async throws -> [CertificateRecord]
    {
        let prepared = try await prepare(request, authority: identifier, password: password)
        let now = Date()
        // Parsing, verifying and signing dominate; spread them over the cores, then store in one transaction.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, csrs.count / 64))
        let chunkSize = (csrs.count + workers - 1) / max(workers, 1)
        let records = try await withThrowingTaskGroup(of: (Int, [CertificateRecord]).self) { group in
            for (index, start) in stride(from: 0, to: csrs.count, by: max(chunkSize, 1)).enumerated() {
                let chunk = Array(csrs[start..<min(start + chunkSize, csrs.count)])
                group.addTask {
                    (index, try chunk.map { try self.issue(csr: try CSRReader.parse($0), prepared: prepared, now: now).record })
                }
            }
            var chunks: [(Int, [CertificateRecord])] = []
            for try await chunk in group { chunks.append(chunk) }
            return chunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
        try await store.transaction { try await self.store.insertCertificates(records) }
        return records
    }

    public func prepare(_ request: SigningRequest, authority identifier: String?, password: String?) async throws
        -> PreparedIssuance
    {
        let authority = try await resolveAuthority(identifier, enabledOnly: true)
        guard authority.revocation == nil else { throw CAError(.policy, "CA \"\(authority.name)\" is revoked") }
        guard authority.notAfter > Date() else { throw CAError(.policy, "CA \"\(authority.name)\" has expired") }
        let profile = try profiles.profile(named: request.profile)
        let configuration = try authority.configurationValue()

        let explicitSubject = try SubjectParser.parse(request.subject ?? "")
        var defaultSubject: DistinguishedName?
        if profile.usesDefaultSubject, let text = profile.subject ?? settings.defaultSubject {
            defaultSubject = try SubjectParser.parse(text)
        }
        let alternativeNames = try request.alternativeNames.map { try GeneralNameParser.parse($0) }
        for watcher in request.watchers { _ = try Self.emailAddress(watcher) }
        let issuer = try issuer(for: authority, password: password)
        return PreparedIssuance(
            authority: authority, issuer: issuer, profile: profile, request: request,
            templates: configuration.signTemplates,
            hash: request.hash ?? profile.algorithm ?? configuration.signatureHash ?? settings.defaultSignatureHash,
            explicitSubject: explicitSubject, defaultSubject: defaultSubject, alternativeNames: alternativeNames)
    }

    func issue(csr: CertificateSigningRequest, prepared: PreparedIssuance, now: Date) throws
        -> (record: CertificateRecord, certificate: Certificate)
    {
        guard let keyAlgorithm = KeyAlgorithm(publicKey: csr.publicKey) else {
            throw CAError(.invalidInput, "the CSR's public key type is not supported (use RSA, EC P-256/384/521 or Ed25519)")
        }
        try keyAlgorithm.checkStrength(minimumRSABits: settings.minimumKeySize, what: "the CSR's key")
        let request = prepared.request
        let days = request.expiresDays ?? prepared.profile.expiresDays ?? settings.defaultExpiresDays
        guard days > 0 else { throw CAError(.invalidInput, "--expires must be at least 1 day") }
        let notAfter = Validity.notAfter(now: now, days: days)
        if notAfter > prepared.authority.notAfter {
            throw CAError(
                .policy,
                "the certificate would expire after its CA \"\(prepared.authority.name)\" "
                    + "(\(Self.day(notAfter)) > \(Self.day(prepared.authority.notAfter))); choose a shorter --expires")
        }

        var subject = SubjectComposer.merge(prepared.explicitSubject, over: prepared.defaultSubject)
        var alternativeNames = prepared.alternativeNames
        if let commonName = SubjectFormatter.commonName(of: subject) {
            if request.commonNameInAlternativeNames, let name = try? GeneralNameParser.parse(commonName),
                SubjectComposer.isNameForAlternativeNames(name), !alternativeNames.contains(name)
            {
                alternativeNames.insert(name, at: 0)
            }
        } else if let first = alternativeNames.first {
            guard let value = SubjectComposer.commonNameValue(of: first) else {
                throw CAError(.invalidInput, "the first --alt \"\(GeneralNameFormatter.format(first))\" cannot serve as the CN; give --subject with a CN")
            }
            subject = try SubjectComposer.appendingCommonName(value, to: subject)
        }
        guard !subject.isEmpty || !alternativeNames.isEmpty else {
            throw CAError(.invalidInput, "the certificate needs a subject with a CN or at least one --alt name")
        }

        let extensions = try EndEntityExtensions(
            profile: prepared.profile, templates: prepared.templates, overrides: request.overrides,
            keyAlgorithm: keyAlgorithm, alternativeNames: alternativeNames
        ).build()
        let serialNumber = SerialNumberText.random()
        let certificate = try CertificateSigner.sign(
            CertificateSpecification(
                serialNumber: serialNumber, subject: subject, publicKey: csr.publicKey,
                notBefore: Validity.notBefore(now: now), notAfter: notAfter, hash: prepared.hash, extensions: extensions),
            by: prepared.issuer)
        let record = CertificateRecord(
            serial: SerialNumberText.hex(serialNumber), authoritySerial: prepared.authority.serial,
            commonName: SubjectFormatter.commonName(of: subject) ?? "",
            subject: SubjectFormatter.format(subject), notBefore: certificate.notValidBefore,
            notAfter: certificate.notValidAfter, certificateDER: try certificate.derBytes(), csrDER: try Self.der(of: csr),
            profile: prepared.profile.name, autogenerated: prepared.profile.autogenerated,
            issuance: try Self.encode(request), revocation: nil, createdAt: now)
        return (record, certificate)
    }

    /// Re-issues a certificate from its stored CSR and request; the CA-provided extensions are current.
    public func resign(
        _ identifier: String, expiresDays: Int?, watchers: [String], password: String?
    ) async throws -> IssuedCertificate {
        let original = try await resolveCertificate(identifier)
        guard let csr = original.csrDER else {
            throw CAError(.invalidInput, "certificate \(SerialNumberText.colonSeparated(original.serial)) has no stored CSR (it was imported)")
        }
        var request = try Self.decodeRequest(original.issuance, serial: original.serial)
        if let expiresDays { request.expiresDays = expiresDays }
        request.watchers = Array(Set(request.watchers + watchers)).sorted()
        return try await sign(csr: csr, request: request, authority: original.authoritySerial, password: password)
    }

    /// The CA chain above a certificate: its CA first, the root last.
    public func chain(of authority: AuthorityRecord) async throws -> [Certificate] {
        var result: [Certificate] = [try authority.certificate()]
        var current = authority
        var seen: Set<String> = [authority.serial]
        while let parentSerial = current.parentSerial, let parent = try await store.authority(serial: parentSerial),
            seen.insert(parent.serial).inserted
        {
            result.append(try parent.certificate())
            current = parent
        }
        return result
    }

    static func der(of csr: CertificateSigningRequest) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        return serializer.serializedBytes
    }

    static func encode(_ request: SigningRequest) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(request), as: UTF8.self)
    }

    static func decodeRequest(_ json: String, serial: String) throws -> SigningRequest {
        do {
            return try JSONDecoder().decode(SigningRequest.self, from: Data(json.utf8))
        } catch {
            throw CAError(.storage, "the stored issuance parameters of \(serial) cannot be read: \(error)")
        }
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    /// Accepts `user@example.com` and `Name <user@example.com>`; returns the bare address.
    static func emailAddress(_ text: String) throws -> String {
        var address = text.trimmingCharacters(in: .whitespaces)
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(" ") else {
            throw CAError(.invalidInput, "\"\(text)\" is not an e-mail address")
        }
        return address
    }
}
