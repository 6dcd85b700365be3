import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// Everything that is the same for all certificates of one request: resolved CA, loaded key, profile,
/// the final subject and SAN, and the extensions for each key family. A certificate's content depends on
/// the CSR only through its public key, so preparing once and issuing many lets bulk issuance share the one
/// path that single issuance uses without repeating the parsing.
public struct PreparedIssuance: Sendable {
    let authority: AuthorityRecord
    let issuer: Issuer
    let profile: Profile
    let hash: SignatureHash?
    let subject: DistinguishedName
    let subjectText: String
    let commonName: String
    let validityDays: Int
    /// The request as stored with each certificate, for `resign-cert`.
    let requestJSON: String
    let watchers: [String]
    /// The SAN as stored for searches.
    let alternativeNamesText: String
    /// Pre-encoded certificates per key family (key usage depends on it); a failure is kept and reported
    /// for CSRs of that family only.
    let blueprintsByFamily: [KeyFamily: Result<CertificateBlueprint, CAError>]
}

/// Key usage rules differ between these families only.
enum KeyFamily: CaseIterable, Sendable {
    case rsa, ellipticCurve, ed25519

    init(_ algorithm: KeyAlgorithm) {
        switch algorithm {
        case .rsa: self = .rsa
        case .ec: self = .ellipticCurve
        case .ed25519: self = .ed25519
        }
    }

    /// A representative algorithm of the family, for rules that look only at the family.
    var representative: KeyAlgorithm {
        switch self {
        case .rsa: return .rsa(bits: 2048)
        case .ellipticCurve: return .ec(.secp256r1)
        case .ed25519: return .ed25519
        }
    }
}

extension Authority {
    /// Issues one certificate and commits it (and its watchers and audit row) before returning it.
    /// Concurrent callers share commits: the store batches their transactions (see `Store.write`).
    ///
    /// `admitting` sees the CA as read for this signature and may refuse it (the REST API signs only with CAs
    /// it may show), so that a front end's own condition costs no second read.
    public func sign(
        csr csrBytes: [UInt8], request: SigningRequest, authority identifier: String?, password: String?,
        admitting: @escaping @Sendable (AuthorityRecord) throws -> Void = { _ in }
    ) async throws -> IssuedCertificate {
        try await sign(csr: csrBytes, request: request, authority: identifier, password: password, auditDetail: nil, admitting: admitting)
    }

    /// Parses, checks and signs outside any transaction, then stores the certificate and runs `completing` in
    /// one write transaction, so that what the certificate completes (an ACME order turning valid, a queue entry
    /// leaving) is committed with it or not at all.
    func sign(
        csr csrBytes: [UInt8], request: SigningRequest, authority identifier: String?, password: String?, auditDetail: String?,
        completing: ((Transaction, CertificateRecord) async throws -> Void)? = nil,
        admitting: @escaping @Sendable (AuthorityRecord) throws -> Void = { _ in }
    ) async throws -> IssuedCertificate {
        let csr = try CSRReader.parse(csrBytes)
        // The CAs come from the copy read in the last second when there is one; the write transaction checks
        // that the CA is unchanged. Whatever the copy refuses or the check finds changed is done again from a
        // fresh read, so that the copy only ever saves a read and never decides.
        var useRecentCopy = true
        for _ in 0..<3 {
            let all: [AuthorityRecord]
            if useRecentCopy, let recent = authoritySnapshot.recent() {
                all = recent
            } else {
                let readAt = Date()
                all = try await store.read { try await $0.allAuthorities() }
                authoritySnapshot.remember(all, readAt: readAt)
                useRecentCopy = false
            }
            do {
                let authority = try resolveAuthority(identifier, enabledOnly: true, among: all, admitting: admitting)
                let chain = try chain(of: authority, among: all)
                let prepared = try prepare(request, for: authority, chain: chain, password: password)
                let record = try issue(csr: csr, prepared: prepared, now: Date())
                let certificate = try record.certificate()
                try await store.write { transaction in
                    guard try await transaction.authorityIsUnchanged(authority) else { throw AuthorityChanged() }
                    try await transaction.insertCertificates([record])
                    for watcher in prepared.watchers { try await transaction.addWatcher(watcher, to: record.serial) }
                    try await transaction.audit(
                        auditDetail == nil ? "sign" : "resign", target: record.serial,
                        detail: (auditDetail.map { $0 + ", " } ?? "")
                            + "CA \(record.authoritySerial), profile \(record.profile), subject \(record.subject)")
                    try await completing?(transaction, record)
                }
                return IssuedCertificate(record: record, certificate: certificate, chain: chain, authority: authority)
            } catch is AuthorityChanged {
                useRecentCopy = false
            } catch where useRecentCopy {
                useRecentCopy = false
            }
        }
        throw CAError(.conflict, "the CA changed while the certificate was being signed; nothing was stored, try again")
    }

    /// Thrown inside the write transaction when the CA is no longer what the signature was made with.
    private struct AuthorityChanged: Error {}

    /// Issues one certificate per CSR and commits them in one transaction (benchmarks, bulk imports).
    ///
    /// CSRs are taken in chunks: the cores sign chunk k+1 while the database inserts chunk k, and the
    /// transaction commits only after the last insert, so the batch is stored completely or not at all.
    public func signBatch(csrs: [[UInt8]], request: SigningRequest, authority identifier: String?, password: String?)
        async throws -> [CertificateRecord]
    {
        let prepared = try await prepare(request, authority: identifier, password: password)
        let now = Date()
        let chunkSize = 1_000
        return try await store.write { transaction in
            var issued: [CertificateRecord] = []
            issued.reserveCapacity(csrs.count)
            var pendingInsert: Task<Void, any Error>?
            do {
                for start in stride(from: 0, to: csrs.count, by: chunkSize) {
                    let chunk = Array(csrs[start..<min(start + chunkSize, csrs.count)])
                    let records = try await self.issueInParallel(chunk, prepared: prepared, now: now)
                    try await pendingInsert?.value
                    pendingInsert = Task { try await transaction.insertCertificates(records) }
                    issued += records
                }
                try await pendingInsert?.value
                for record in issued {
                    for watcher in prepared.watchers { try await transaction.addWatcher(watcher, to: record.serial) }
                }
                if let first = issued.first, let last = issued.last {
                    try await transaction.audit(
                        "sign-batch", target: prepared.authority.serial,
                        detail: "\(issued.count) certificates, serials \(first.serial) to \(last.serial), profile \(prepared.profile.name)")
                }
            } catch {
                // The transaction rolls back only once no insert is still running on the connection.
                _ = try? await pendingInsert?.value
                throw error
            }
            return issued
        }
    }

    /// Parsing, verifying and signing dominate issuance; this spreads them over the cores.
    func issueInParallel(_ csrs: [[UInt8]], prepared: PreparedIssuance, now: Date) async throws -> [CertificateRecord] {
        // Called inside a write transaction, whose task prefers the connection's one thread; signing must use
        // every core instead.
        try await withTaskExecutorPreference(globalConcurrentExecutor) {
            try await issueOnAllCores(csrs, prepared: prepared, now: now)
        }
    }

    private func issueOnAllCores(_ csrs: [[UInt8]], prepared: PreparedIssuance, now: Date) async throws -> [CertificateRecord] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, csrs.count / 64))
        let size = max(1, (csrs.count + workers - 1) / workers)
        return try await withThrowingTaskGroup(of: (Int, [CertificateRecord]).self) { group in
            for (index, start) in stride(from: 0, to: csrs.count, by: size).enumerated() {
                let part = csrs[start..<min(start + size, csrs.count)]
                group.addTask {
                    (index, try part.map { try self.issue(csr: try CSRReader.parse($0), prepared: prepared, now: now) })
                }
            }
            var parts: [(Int, [CertificateRecord])] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    public func prepare(_ request: SigningRequest, authority identifier: String?, password: String?) async throws
        -> PreparedIssuance
    {
        let authority = try await resolveAuthority(identifier, enabledOnly: true)
        return try prepare(request, for: authority, chain: try await chain(of: authority), password: password)
    }

    /// Everything but the database read: the key, the profile, the subject and the pre-encoded extensions.
    func prepare(_ request: SigningRequest, for authority: AuthorityRecord, chain: [Certificate], password: String?) throws
        -> PreparedIssuance
    {
        guard authority.revocation == nil else { throw CAError(.policy, "CA \"\(authority.name)\" is revoked") }
        guard authority.notAfter > Date() else { throw CAError(.policy, "CA \"\(authority.name)\" has expired") }
        let profile = try profiles.profile(named: request.profile)
        let configuration = try authority.configurationValue()
        let days = request.expiresDays ?? profile.expiresDays ?? settings.defaultExpiresDays
        guard days > 0 else { throw CAError(.invalidInput, "--expires must be at least 1 day") }

        var defaultSubject: DistinguishedName?
        if profile.usesDefaultSubject, let text = profile.subject ?? settings.defaultSubject {
            defaultSubject = try SubjectParser.parse(text)
        }
        var subject = SubjectComposer.merge(try SubjectParser.parse(request.subject ?? ""), over: defaultSubject)
        var alternativeNames = try request.alternativeNames.map { try GeneralNameParser.parse($0) }
        if let commonName = SubjectFormatter.commonName(of: subject) {
            if request.commonNameInAlternativeNames, let name = try? GeneralNameParser.parse(commonName),
                SubjectComposer.isNameForAlternativeNames(name), !alternativeNames.contains(name)
            {
                alternativeNames.insert(name, at: 0)
            }
        } else if let first = alternativeNames.first {
            guard let value = SubjectComposer.commonNameValue(of: first) else {
                throw CAError(
                    .invalidInput,
                    "the first --alt \"\(GeneralNameFormatter.format(first))\" cannot serve as the CN; give --subject with a CN")
            }
            subject = try SubjectComposer.appendingCommonName(value, to: subject)
        }
        guard !subject.isEmpty || !alternativeNames.isEmpty else {
            throw CAError(.invalidInput, "the certificate needs a subject with a CN or at least one --alt name")
        }
        let watchers = try request.watchers.map(Self.emailAddress)
        try Self.checkNameConstraints(alternativeNames, chain: chain, authority: authority)

        let issuer = try issuer(for: authority, password: password)
        let hash = request.hash ?? profile.algorithm ?? configuration.signatureHash ?? settings.defaultSignatureHash
        var blueprintsByFamily: [KeyFamily: Result<CertificateBlueprint, CAError>] = [:]
        for family in KeyFamily.allCases {
            let builder = EndEntityExtensions(
                profile: profile, templates: configuration.signTemplates, overrides: request.overrides,
                keyAlgorithm: family.representative, alternativeNames: alternativeNames)
            do {
                let extensions = try builder.build()
                blueprintsByFamily[family] = .success(
                    try CertificateBlueprint(subject: subject, issuer: issuer, hash: hash, extensions: extensions))
            } catch let error as CAError where error.kind == .policy {
                // Only key-usage rules depend on the family; they matter only if a CSR of that family comes.
                blueprintsByFamily[family] = .failure(error)
            }
        }
        return PreparedIssuance(
            authority: authority, issuer: issuer, profile: profile, hash: hash,
            subject: subject, subjectText: SubjectFormatter.format(subject),
            commonName: SubjectFormatter.commonName(of: subject) ?? "", validityDays: days,
            requestJSON: try Self.encode(request), watchers: watchers,
            alternativeNamesText: CertificateSearchText.alternativeNames(alternativeNames), blueprintsByFamily: blueprintsByFamily)
    }

    func issue(csr: CSRReader.ParsedRequest, prepared: PreparedIssuance, now: Date) throws -> CertificateRecord {
        guard let keyAlgorithm = KeyAlgorithm(publicKey: csr.publicKey) else {
            throw CAError(.invalidInput, "the CSR's public key type is not supported (use RSA, EC P-256/384/521 or Ed25519)")
        }
        try keyAlgorithm.checkStrength(minimumRSABits: settings.minimumKeySize, what: "the CSR's key")
        let notBefore = Validity.notBefore(now: now)
        let notAfter = Validity.notAfter(now: now, days: prepared.validityDays)
        if notAfter > prepared.authority.notAfter {
            throw CAError(
                .policy,
                "the certificate would expire after its CA \"\(prepared.authority.name)\" "
                    + "(\(Self.day(notAfter)) > \(Self.day(prepared.authority.notAfter))); choose a shorter --expires")
        }
        guard let blueprint = prepared.blueprintsByFamily[KeyFamily(keyAlgorithm)] else {
            throw CAError(.invalidInput, "the CSR's public key type is not supported")
        }
        let serialNumber = SerialNumberText.random()
        let der = try blueprint.get().sign(
            serialNumber: serialNumber, notBefore: notBefore, notAfter: notAfter,
            subjectPublicKeyInfo: csr.subjectPublicKeyInfo)
        return CertificateRecord(
            serial: SerialNumberText.hex(serialNumber), authoritySerial: prepared.authority.serial,
            commonName: prepared.commonName, subject: prepared.subjectText, notBefore: notBefore, notAfter: notAfter,
            certificateDER: der, csrDER: csr.der, profile: prepared.profile.name,
            autogenerated: prepared.profile.autogenerated, issuance: prepared.requestJSON, revocation: nil, createdAt: now,
            alternativeNames: prepared.alternativeNamesText)
    }

    /// Re-issues a certificate from its stored CSR and request; the CA-provided extensions are current.
    public func resign(
        _ identifier: String, expiresDays: Int?, watchers: [String], password: String?
    ) async throws -> IssuedCertificate {
        let replay = try await resignRequest(identifier, expiresDays: expiresDays, watchers: watchers)
        return try await sign(
            csr: replay.csr, request: replay.request, authority: replay.original.authoritySerial, password: password,
            auditDetail: "re-signs \(replay.original.serial)")
    }

    /// What re-signing asks for: the stored CSR and request, with a new expiry and more watchers. Public so
    /// that a node without CA keys can queue a re-signature for a node that has them.
    public func resignRequest(
        _ identifier: String, expiresDays: Int?, watchers: [String]
    ) async throws -> (original: CertificateRecord, csr: [UInt8], request: SigningRequest) {
        let original = try await resolveCertificate(identifier)
        guard let csr = original.csrDER else {
            throw CAError(.invalidInput, "certificate \(SerialNumberText.colonSeparated(original.serial)) has no stored CSR (it was imported)")
        }
        var request = try Self.decodeRequest(original.issuance, serial: original.serial)
        if let expiresDays { request.expiresDays = expiresDays }
        request.watchers = Array(Set(request.watchers + watchers)).sorted()
        return (original, csr, request)
    }

    /// The CA chain above a certificate: its CA first, the root last.
    public func chain(of authority: AuthorityRecord) async throws -> [Certificate] {
        try await store.read { try await chain(of: authority, in: $0) }
    }

    /// The chain from CAs read before.
    func chain(of authority: AuthorityRecord, among all: [AuthorityRecord]) throws -> [Certificate] {
        let bySerial = Dictionary(all.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [Certificate] = [try authority.certificate()]
        var current = authority
        var seen: Set<String> = [authority.serial]
        while let parentSerial = current.parentSerial, let parent = bySerial[parentSerial], seen.insert(parent.serial).inserted {
            result.append(try parent.certificate())
            current = parent
        }
        return result
    }

    public func chain(of authority: AuthorityRecord, in transaction: Transaction) async throws -> [Certificate] {
        var result: [Certificate] = [try authority.certificate()]
        var current = authority
        var seen: Set<String> = [authority.serial]
        while let parentSerial = current.parentSerial, let parent = try await transaction.authority(serial: parentSerial),
            seen.insert(parent.serial).inserted
        {
            result.append(try parent.certificate())
            current = parent
        }
        return result
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

    /// Accepts `user@example.com` and `Name <user@example.com>` (see `EmailAddress`); returns the bare
    /// address, which is what watchers are stored and removed by.
    static func emailAddress(_ text: String) throws -> String {
        try EmailAddress(parsing: text).address
    }
}
