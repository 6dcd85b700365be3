import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// What `import-django-ca` is told besides the installation itself.
public struct DjangoCAImportOptions: Sendable {
    /// django-ca's key storage directory (its `STORAGES["django-ca"]` location, CA_DIR in older set-ups).
    public var keyDirectory: String?
    /// `--password SERIAL=PASSWORD`: serial in any spelling to the password of that CA's key.
    public var passwords: [String: String] = [:]
    /// Import CAs whose key file is missing or unreadable, without their key (they cannot sign).
    public var allowMissingKeys = false

    public init(keyDirectory: String?, passwords: [String: String] = [:], allowMissingKeys: Bool = false) {
        self.keyDirectory = keyDirectory
        self.passwords = passwords
        self.allowMissingKeys = allowMissingKeys
    }
}

/// What one `import-django-ca` run did, per kind.
public struct DjangoCAImportReport: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case authorities = "CAs"
        case certificates
        case watchers
        case acmeAccounts = "ACME accounts"
        case responderKeys = "OCSP responder keys"
        case revocationListNumbers = "CRL numbers"
    }

    /// django-ca's release, from its newest migration.
    public var djangoCARelease: String
    public var imported: [Kind: Int] = [:]
    /// Already in swift-ca's database with the same contents (a second run).
    public var skipped: [Kind: Int] = [:]
    /// What was left out or changed on the way, one sentence each.
    public var notes: [String] = []
}

/// Asks for the password of an encrypted CA key (the CLI prompts on a terminal); nil when none can be had.
public typealias DjangoCAPasswordPrompt = @Sendable (_ authorityName: String, _ serial: String) -> String?
/// Told how many certificates of how many have been converted, for a progress line.
public typealias DjangoCAImportProgress = @Sendable (_ done: Int, _ total: Int) -> Void

extension Authority {
    /// Brings a django-ca 3.x installation into this database in one transaction: nothing is written unless all
    /// of it can be. Key files are written first and removed again when the transaction fails. Records already
    /// here with the same contents are skipped, so a second run imports nothing twice; a serial that is here
    /// with different contents stops the import.
    public func importDjangoCA(
        _ installation: DjangoCAInstallation, options: DjangoCAImportOptions, passwordPrompt: DjangoCAPasswordPrompt? = nil,
        progress: DjangoCAImportProgress? = nil
    ) async throws -> DjangoCAImportReport {
        var plan = DjangoCAImportPlan(
            report: DjangoCAImportReport(djangoCARelease: DjangoCAImportPlan.release(of: installation.newestMigration)))
        let existingAuthorities = try await store.read { try await $0.allAuthorities() }
        try plan.planAuthorities(installation.authorities, existing: existingAuthorities)
        try await plan.planCertificates(installation, store: store, progress: progress)
        try plan.planACMEAccounts(installation.acmeAccounts)
        plan.planWatchers(installation.watchers)

        // Keys are read (and passwords asked for) before anything is written, so that a wrong password changes nothing.
        try plan.planResponderKeyBackends(settings: settings)
        var keys = try plan.readAuthorityKeys(options: options, settings: settings, prompt: passwordPrompt)
        keys.append(contentsOf: plan.readResponderKeys(options: options))
        var written: [KeyReference] = []
        do {
            for key in keys {
                written.append(try keyBackend.importKey(key.key, label: key.label, password: key.password))
                if let index = plan.newAuthorities.firstIndex(where: { $0.serial == key.label }) {
                    plan.newAuthorities[index].keyBackend = written.last!.backend
                    plan.newAuthorities[index].keyLocation = written.last!.location
                }
            }
            let scopes = Set(settings.crlProfiles.values.map { RevocationListRequest(profile: $0).scopeKey } + ["all", "user", "ca"])
            let finished = plan
            let counts = try await store.write { transaction in
                try await finished.write(to: transaction, crlNumbers: installation.highestRevocationListNumbers, scopes: scopes)
            }
            plan.report.imported[.acmeAccounts] = counts.accounts
            plan.report.skipped[.acmeAccounts] = plan.newAccounts.count - counts.accounts
            plan.report.imported[.revocationListNumbers] = counts.crlNumbers
        } catch {
            for reference in written { try? keyBackend.removeKey(reference) }
            throw error
        }
        return plan.report
    }
}

/// One key to write to swift-ca's key backend.
struct DjangoCAImportedKey {
    var label: String
    var key: Certificate.PrivateKey
    var password: String?
}

/// The records an import will write, worked out before the write transaction.
struct DjangoCAImportPlan: Sendable {
    var report: DjangoCAImportReport
    /// django-ca's CA ids to swift-ca serials, for every CA of the installation (new or already here).
    var authoritySerials: [Int64: String] = [:]
    var newAuthorities: [AuthorityRecord] = []
    /// django-ca's rows of the CAs in `newAuthorities`, for their keys.
    var newAuthorityRows: [String: DjangoCAAuthorityRow] = [:]
    /// django-ca certificate ids to serials, for the watchers of new certificates.
    var newCertificateSerials: [Int64: String] = [:]
    var newCertificates: [CertificateRecord] = []
    var newWatchers: [(serial: String, mail: String)] = []
    var newAccounts: [ACMEAccountRecord] = []

    static func release(of migration: String) -> String {
        "django-ca " + DjangoCASource.releaseName(ofMigration: migration)
    }

    /// The certificate's DER: django-ca stores DER, but its loader accepts PEM in rows from old versions.
    static func certificate(_ bytes: [UInt8], what: String) throws -> (certificate: Certificate, der: [UInt8]) {
        let certificate = try CertificateReader.parse(bytes, what: what)
        let isPEM = bytes.starts(with: Array("-----BEGIN".utf8))
        return (certificate, isPEM ? try certificate.derBytes() : bytes)
    }

    static func revocation(_ columns: DjangoCARevocationColumns, createdAt: Date) -> RevocationRecord? {
        guard columns.revoked else { return nil }
        return RevocationRecord(
            revokedAt: columns.revokedAt ?? createdAt, reason: RevocationReason(rawValue: columns.reason) ?? .unspecified,
            compromisedAt: columns.compromisedAt)
    }

    mutating func planAuthorities(_ rows: [DjangoCAAuthorityRow], existing: [AuthorityRecord]) throws {
        let existingBySerial = Dictionary(existing.map { ($0.serial, $0) }, uniquingKeysWith: { first, _ in first })
        var parsed: [(row: DjangoCAAuthorityRow, certificate: Certificate, der: [UInt8], serial: String)] = []
        for row in rows {
            let (certificate, der) = try Self.certificate(row.certificate, what: "django-ca's certificate of CA \(row.name)")
            let serial = SerialNumberText.hex(certificate.serialNumber)
            authoritySerials[row.id] = serial
            parsed.append((row, certificate, der, serial))
        }
        for entry in parsed {
            let row = entry.row
            if let present = existingBySerial[entry.serial] {
                guard present.certificateDER == entry.der else {
                    throw CAError(
                        .conflict,
                        "CA \(SerialNumberText.colonSeparated(entry.serial)) is already in swift-ca's database with a different certificate; nothing was imported")
                }
                report.skipped[.authorities, default: 0] += 1
                continue
            }
            if let sameName = existing.first(where: { $0.name == row.name }) {
                throw CAError(
                    .conflict,
                    "a CA named \"\(row.name)\" is already in swift-ca's database (serial \(SerialNumberText.colonSeparated(sameName.serial))); rename it with edit-ca first")
            }
            let (templates, notes) = try DjangoCASignTemplates.templates(of: row)
            report.notes.append(contentsOf: notes)
            var configuration = AuthorityConfiguration()
            configuration.signTemplates = templates
            configuration.website = row.website.isEmpty ? nil : row.website
            configuration.termsOfService = row.termsOfService.isEmpty ? nil : row.termsOfService
            configuration.caaIdentity = row.caaIdentity.isEmpty ? nil : row.caaIdentity
            configuration.apiEnabled = row.apiEnabled
            configuration.ocspResponderKeyValidityDays = row.ocspResponderKeyValidityDays
            configuration.ocspResponseValiditySeconds = row.ocspResponseValiditySeconds
            var acme = ACMEConfiguration()
            acme.enabled = row.acmeEnabled
            acme.registrationEnabled = row.acmeRegistration
            acme.contactRequired = row.acmeRequiresContact
            acme.profile = row.acmeProfile.isEmpty ? nil : row.acmeProfile
            configuration.acme = acme
            let certificate = entry.certificate
            // Until its key is written, a CA records where django-ca kept it; `readAuthorityKeys` replaces this.
            newAuthorities.append(AuthorityRecord(
                serial: entry.serial, name: row.name, commonName: SubjectFormatter.commonName(of: certificate.subject) ?? row.name,
                subject: SubjectFormatter.format(certificate.subject), parentSerial: row.parentID.flatMap { authoritySerials[$0] },
                notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter, enabled: row.enabled,
                certificateDER: entry.der, keyBackend: "django-ca:" + row.keyBackendAlias, keyLocation: row.keyBackendOptions,
                configuration: try configuration.encoded(), revocation: Self.revocation(row.revocation, createdAt: row.createdAt),
                createdAt: row.createdAt, updatedAt: Date()))
            newAuthorityRows[entry.serial] = row
        }
        // Parents first: a CA row names its parent, which must be stored before it.
        var ordered: [AuthorityRecord] = []
        var placed = Set(existing.map(\.serial))
        var remaining = newAuthorities
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.parentSerial.map(placed.contains) ?? true }
            let next = ready.isEmpty ? remaining : ready
            ordered.append(contentsOf: next)
            placed.formUnion(next.map(\.serial))
            remaining.removeAll { record in next.contains { $0.serial == record.serial } }
        }
        newAuthorities = ordered
        report.imported[.authorities] = newAuthorities.count
    }

    mutating func planCertificates(_ installation: DjangoCAInstallation, store: Store, progress: DjangoCAImportProgress?) async throws {
        let total = installation.certificates.count
        var converted: [(row: DjangoCACertificateRow, record: CertificateRecord)] = []
        converted.reserveCapacity(total)
        for (index, row) in installation.certificates.enumerated() {
            guard let authoritySerial = authoritySerials[row.authorityID] else {
                throw CAError(.invalidInput, "django-ca's certificate \(row.serial) names a CA (id \(row.authorityID)) that its database lacks")
            }
            let (certificate, der) = try Self.certificate(row.certificate, what: "django-ca's certificate \(row.serial)")
            var csr = row.csr
            if let text = csr.flatMap({ String(bytes: $0, encoding: .utf8) }), text.hasPrefix("-----BEGIN") {
                csr = (try? PEMDocument(pemString: text)).map(\.derBytes)
            }
            let record = CertificateRecord(
                serial: SerialNumberText.hex(certificate.serialNumber), authoritySerial: authoritySerial,
                commonName: SubjectFormatter.commonName(of: certificate.subject) ?? "", subject: SubjectFormatter.format(certificate.subject),
                notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter, certificateDER: der, csrDER: csr,
                profile: row.profile, autogenerated: row.autogenerated, issuance: "{}",
                revocation: Self.revocation(row.revocation, createdAt: row.createdAt), createdAt: row.createdAt,
                alternativeNames: CertificateSearchText.alternativeNames(
                    ((try? certificate.extensions.subjectAlternativeNames) ?? nil).map(Array.init) ?? []))
            converted.append((row, record))
            if (index + 1) % 1_000 == 0 || index + 1 == total { progress?(index + 1, total) }
        }
        let present = try await store.read { transaction in
            var found: [String: [UInt8]] = [:]
            for entry in converted {
                if let record = try await transaction.certificate(serial: entry.record.serial) { found[record.serial] = record.certificateDER }
            }
            return found
        }
        for (row, record) in converted {
            if let der = present[record.serial] {
                guard der == record.certificateDER else {
                    throw CAError(
                        .conflict,
                        "certificate \(SerialNumberText.colonSeparated(record.serial)) is already in swift-ca's database with different contents; nothing was imported")
                }
                report.skipped[.certificates, default: 0] += 1
                continue
            }
            newCertificates.append(record)
            newCertificateSerials[row.id] = record.serial
        }
        report.imported[.certificates] = newCertificates.count
    }

    mutating func planWatchers(_ watchers: [DjangoCAWatcherRow]) {
        for watcher in watchers {
            guard let serial = newCertificateSerials[watcher.certificateID] else {
                report.skipped[.watchers, default: 0] += 1
                continue
            }
            newWatchers.append((serial, watcher.mail))
        }
        report.imported[.watchers] = newWatchers.count
    }

    mutating func planACMEAccounts(_ accounts: [DjangoCAACMEAccountRow]) throws {
        for row in accounts {
            guard let authoritySerial = authoritySerials[row.authorityID] else { continue }
            let key: JSONWebKey
            do {
                key = try JSONWebKey(publicKey: try Certificate.PublicKey(pemEncoded: row.publicKeyPEM))
            } catch {
                report.notes.append("ACME account \(row.slug): its key type is not one swift-ca accepts for ACME; the account was left out")
                continue
            }
            if key.thumbprint() != row.thumbprint {
                report.notes.append("ACME account \(row.slug): django-ca's thumbprint does not match its key; swift-ca's own is stored")
            }
            newAccounts.append(ACMEAccountRecord(
                id: row.slug, authoritySerial: authoritySerial, thumbprint: key.thumbprint(), jwk: key.canonicalJSON,
                status: ACMEStatus(rawValue: row.status) ?? .valid,
                contact: row.contact.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty },
                termsAgreed: row.termsOfServiceAgreed, createdAt: row.createdAt))
        }
    }

    /// Writes everything in the caller's transaction; returns how many ACME accounts were new and how many CRL
    /// numbers were raised.
    func write(to transaction: Transaction, crlNumbers: [Int64: Int], scopes: Set<String>) async throws -> (accounts: Int, crlNumbers: Int) {
        for authority in newAuthorities {
            try await transaction.insertAuthority(authority)
        }
        for start in stride(from: 0, to: newCertificates.count, by: 1_000) {
            try await transaction.insertCertificates(Array(newCertificates[start..<min(start + 1_000, newCertificates.count)]))
        }
        for watcher in newWatchers {
            try await transaction.addWatcher(watcher.mail, to: watcher.serial)
        }
        var accounts = 0
        for account in newAccounts {
            if let present = try await transaction.acmeAccount(id: account.id) {
                guard present.thumbprint == account.thumbprint else {
                    throw CAError(.conflict, "ACME account \(account.id) is already in swift-ca's database with a different key; nothing was imported")
                }
                continue
            }
            try await transaction.insertACMEAccount(account)
            accounts += 1
        }
        // The next CRL of every scope gets a number above every number django-ca used for the CA.
        var raised = 0
        for (authorityID, highest) in crlNumbers.sorted(by: { $0.key < $1.key }) {
            guard let serial = authoritySerials[authorityID] else { continue }
            for scope in scopes.sorted() where try await transaction.nextRevocationListNumber(authority: serial, scope: scope) <= highest {
                try await transaction.reserveRevocationListNumber(authority: serial, sequence: scope, number: highest)
                raised += 1
            }
        }
        let summary = DjangoCAImportReport.Kind.allCases.compactMap { kind -> String? in
            let count = kind == .acmeAccounts ? accounts : report.imported[kind] ?? 0
            return count == 0 ? nil : "\(count) \(kind.rawValue)"
        }
        try await transaction.audit(
            "import-django-ca", target: "", detail: "from \(report.djangoCARelease): " + (summary.isEmpty ? "nothing new" : summary.joined(separator: ", ")))
        return (accounts, raised)
    }
}

extension Authority {
    /// Reads a django-ca installation's database without changing it (SQLite file or PostgreSQL).
    public static func readDjangoCAInstallation(_ location: DatabaseLocation) async throws -> DjangoCAInstallation {
        try await DjangoCASource.read(location)
    }
}
