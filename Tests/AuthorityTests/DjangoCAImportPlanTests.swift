import CACore
import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509
@testable import CAAuthority
@testable import CAStore

/// `Authority.importDjangoCA` in process, on an installation made in memory: what it writes, that a second run
/// writes nothing, and that a failure half-way leaves the database and the key directory untouched.
@Suite(.timeLimit(.minutes(10))) struct DjangoCAImportPlanTests {
    /// A CA made here, its certificate and key file laid out as django-ca's storages backend keeps them.
    struct MadeAuthority {
        let key: P256.Signing.PrivateKey
        let certificate: Certificate
        let row: DjangoCAAuthorityRow
    }

    static func revocationColumns(_ reason: String? = nil) -> DjangoCARevocationColumns {
        DjangoCARevocationColumns(
            revoked: reason != nil, revokedAt: reason.map { _ in Date(timeIntervalSince1970: 1_800_000_000) }, reason: reason ?? "",
            compromisedAt: nil)
    }

    static func makeAuthority(id: Int64, name: String, keyDirectory: String, writeKey: Bool = true) throws -> MadeAuthority {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: Date(timeIntervalSinceNow: -3_600), notValidAfter: Date(timeIntervalSinceNow: 86_400 * 365),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
        let serial = SerialNumberText.hex(certificate.serialNumber)
        if writeKey {
            try FileManager.default.createDirectory(atPath: keyDirectory + "/ca", withIntermediateDirectories: true)
            try Data(try PrivateKeyCoding.pkcs8DER(.init(key))).write(to: URL(fileURLWithPath: keyDirectory + "/ca/\(serial).key"))
        }
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let row = DjangoCAAuthorityRow(
            id: id, name: name, serial: serial, certificate: serializer.serializedBytes, parentID: nil, enabled: true,
            revocation: revocationColumns(), keyBackendAlias: "default", keyBackendOptions: #"{"path": "ca/\#(serial).key"}"#,
            signAuthorityInformationAccess: """
                {"type": "authority_information_access", "critical": false, "value": [
                 {"access_method": "1.3.6.1.5.5.7.48.1", "access_location": {"type": "URI", "value": "http://ocsp.example.com/"}},
                 {"access_method": "1.3.6.1.5.5.7.48.2", "access_location": {"type": "URI", "value": "http://ca.example.com/ca.der"}}]}
                """,
            signCertificatePolicies: """
                {"type": "certificate_policies", "critical": false, "value": [{"policy_identifier": "1.3.6.1.4.1.99999.1",
                 "policy_qualifiers": ["https://ca.example.com/cps/", {"notice_reference": null, "explicit_text": "Be nice"}]}]}
                """,
            signCRLDistributionPoints: """
                {"type": "crl_distribution_points", "critical": false, "value": [{"full_name": [{"type": "URI",
                 "value": "http://crl.example.com/ca.crl"}], "relative_name": null, "crl_issuer": null, "reasons": null}]}
                """,
            signIssuerAlternativeName: #"{"type": "issuer_alternative_name", "critical": false, "value": [{"type": "email", "value": "pki@example.com"}]}"#,
            caaIdentity: "", website: "https://ca.example.com/", termsOfService: "", ocspKeyBackendAlias: "default",
            ocspKeyBackendOptions: "{}", ocspResponderKeyValidityDays: 2, ocspResponseValiditySeconds: 7_200, acmeEnabled: true,
            acmeRegistration: false, acmeRequiresContact: true, acmeProfile: "server", apiEnabled: true, createdAt: Date())
        return MadeAuthority(key: key, certificate: certificate, row: row)
    }

    static func leaf(id: Int64, of authority: MadeAuthority, name: String, reason: String?) throws -> DjangoCACertificateRow {
        let key = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: Date(timeIntervalSinceNow: -3_600), notValidAfter: Date(timeIntervalSinceNow: 86_400 * 30),
            issuer: authority.certificate.subject, subject: try DistinguishedName { CommonName(name) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { SubjectAlternativeNames([.dnsName(name)]) }, issuerPrivateKey: .init(authority.key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return DjangoCACertificateRow(
            id: id, authorityID: authority.row.id, serial: SerialNumberText.hex(certificate.serialNumber),
            certificate: serializer.serializedBytes, csr: nil, profile: "webserver", autogenerated: false,
            revocation: revocationColumns(reason), createdAt: Date())
    }

    static func accountKeyPEM() throws -> String {
        try Certificate.PublicKey(P256.Signing.PrivateKey().publicKey).serializeAsPEM().pemString
    }

    typealias Fixture = AuthorityFixture

    @Test func importsEveryKindOnceAndSecondRunSkipsAll() async throws {
        try await Fixture.with { fixture in
            let made = try Self.makeAuthority(id: 1, name: "Made Root", keyDirectory: fixture.keyDirectory)
            var installation = DjangoCAInstallation(newestMigration: "0060_acmeorder_error")
            installation.authorities = [made.row]
            installation.certificates = [
                try Self.leaf(id: 10, of: made, name: "good.example", reason: nil),
                try Self.leaf(id: 11, of: made, name: "gone.example", reason: "superseded"),
            ]
            installation.watchers = [DjangoCAWatcherRow(certificateID: 10, mail: "ops@example.com")]
            installation.highestRevocationListNumbers = [1: 7]
            let accountPEM = try Self.accountKeyPEM()
            let accountKey = try JSONWebKey(publicKey: try Certificate.PublicKey(pemEncoded: accountPEM))
            installation.acmeAccounts = [DjangoCAACMEAccountRow(
                authorityID: 1, publicKeyPEM: accountPEM, thumbprint: accountKey.thumbprint(), slug: "AbCdEf123456", status: "valid",
                contact: "mailto:a@example.com\nmailto:b@example.com", termsOfServiceAgreed: true, createdAt: Date())]
            let options = DjangoCAImportOptions(keyDirectory: fixture.keyDirectory)

            let report = try await fixture.authority.importDjangoCA(installation, options: options)
            #expect(report.djangoCARelease == "django-ca 3.2")
            #expect(report.imported[.authorities] == 1 && report.imported[.certificates] == 2 && report.imported[.watchers] == 1)
            #expect(report.imported[.acmeAccounts] == 1)
            #expect((report.imported[.revocationListNumbers] ?? 0) >= 3)

            let serial = made.row.serial
            let stored = try #require(try await fixture.authority.store.read { try await $0.authority(serial: serial) })
            let configuration = try AuthorityConfiguration.decode(stored.configuration)
            #expect(configuration.signTemplates.ocspResponders == ["http://ocsp.example.com/"])
            #expect(configuration.signTemplates.caIssuers == ["http://ca.example.com/ca.der"])
            #expect(configuration.signTemplates.crlFullNames == ["http://crl.example.com/ca.crl"])
            #expect(configuration.signTemplates.policies == [
                PolicyTemplate(identifier: "1.3.6.1.4.1.99999.1", practiceStatements: ["https://ca.example.com/cps/"], userNotices: ["Be nice"]),
            ])
            #expect(configuration.signTemplates.issuerAlternativeNames == ["email:pki@example.com"])
            #expect(configuration.acme?.enabled == true && configuration.acme?.registrationEnabled == false && configuration.acme?.profile == "server")
            #expect(configuration.apiEnabled == true && configuration.ocspResponderKeyValidityDays == 2 && configuration.ocspResponseValiditySeconds == 7_200)
            #expect(stored.certificateDER == made.row.certificate)
            // The key came over and signs.
            let signer = try fixture.authority.keyBackend.loadSigner(KeyReference(backend: stored.keyBackend, location: stored.keyLocation), password: nil)
            #expect(signer.publicKey == made.certificate.publicKey)

            let gone = try #require(try await fixture.authority.store.read { try await $0.certificate(serial: installation.certificates[1].serial) })
            #expect(gone.revocation?.reason == .superseded)
            #expect(try await fixture.authority.store.read { try await $0.watchers(of: installation.certificates[0].serial) } == ["ops@example.com"])
            for scope in ["user", "ca", "all"] {
                #expect(try await fixture.authority.store.write { try await $0.nextRevocationListNumber(authority: serial, scope: scope) } == 8)
            }
            let account = try #require(try await fixture.authority.store.read { try await $0.acmeAccount(id: "AbCdEf123456") })
            #expect(account.thumbprint == accountKey.thumbprint() && account.contact == ["mailto:a@example.com", "mailto:b@example.com"])

            let again = try await fixture.authority.importDjangoCA(installation, options: options)
            #expect(again.imported[.authorities] == 0 && again.skipped[.authorities] == 1)
            #expect(again.imported[.certificates] == 0 && again.skipped[.certificates] == 2)
            #expect(again.imported[.acmeAccounts] == 0 && again.imported[.revocationListNumbers] == 0)
        }
    }

    @Test func aFailureLeavesTheDatabaseAndTheKeyDirectoryAsTheyWere() async throws {
        try await Fixture.with { fixture in
            let first = try Self.makeAuthority(id: 1, name: "First", keyDirectory: fixture.keyDirectory)
            // The second CA's key file is missing: the first CA's key, already decoded, must not stay behind either.
            let second = try Self.makeAuthority(id: 2, name: "Second", keyDirectory: fixture.keyDirectory, writeKey: false)
            var installation = DjangoCAInstallation(newestMigration: "0058_certificate_ocsp_response_and_more")
            installation.authorities = [first.row, second.row]
            installation.certificates = [try Self.leaf(id: 1, of: first, name: "a.example", reason: nil)]
            await #expect(throws: CAError.self) {
                try await fixture.authority.importDjangoCA(installation, options: DjangoCAImportOptions(keyDirectory: fixture.keyDirectory))
            }
            #expect(try await fixture.authority.authorities().isEmpty)
            let keys = (try? FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/ca/keys")) ?? []
            #expect(keys.isEmpty, "\(keys)")

            // With --allow-missing-keys the second CA comes over without its key and says so.
            let report = try await fixture.authority.importDjangoCA(
                installation, options: DjangoCAImportOptions(keyDirectory: fixture.keyDirectory, allowMissingKeys: true))
            #expect(report.imported[.authorities] == 2)
            #expect(report.notes.contains { $0.contains("Second was imported without its key") })
        }
    }

    /// A CA whose key django-ca keeps in an HSM is recorded with its token (from CA_KEY_BACKENDS) and key label.
    @Test func anHSMKeyIsRecordedWithItsTokenAndLabel() async throws {
        let directory = NSTemporaryDirectory() + "swift-ca-django-hsm-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try TemporaryDatabase(directory: directory)
        var settings = Settings.defaults(home: directory)
        settings.caDirectory = directory + "/ca"
        settings.databaseURL = try DatabaseLocation.parse(database.url)
        settings.djangoInstallation.hsmTokens = ["hsm": "my_token_label"]
        let authority = try await Authority.open(settings: settings)
        do {
            try await Self.checkHSMRow(authority: authority, directory: directory)
        } catch {
            await authority.close()
            throw error
        }
        await authority.close()
    }

    static func checkHSMRow(authority: Authority, directory: String) async throws {
        var made = try Self.makeAuthority(id: 1, name: "HSM Root", keyDirectory: directory + "/keys", writeKey: false).row
        made.keyBackendAlias = "hsm"
        made.keyBackendOptions = #"{"key_id": "0A1B", "key_label": "root-key", "key_type": "EC"}"#
        var installation = DjangoCAInstallation(newestMigration: "0060_acmeorder_error")
        installation.authorities = [made]
        let report = try await authority.importDjangoCA(installation, options: DjangoCAImportOptions(keyDirectory: nil))
        #expect(report.notes.contains { $0.contains("token \"my_token_label\", key label \"root-key\"") })
        let stored = try #require(try await authority.store.read { try await $0.authority(serial: made.serial) })
        #expect(stored.keyBackend == "hsm")
        #expect(stored.keyLocation == #"{"key_id":"0A1B","key_label":"root-key","key_type":"EC","token":"my_token_label"}"#)
    }

    @Test func aSerialPresentWithOtherContentsStopsEverything() async throws {
        try await Fixture.with { fixture in
            let made = try Self.makeAuthority(id: 1, name: "Made Root", keyDirectory: fixture.keyDirectory)
            var installation = DjangoCAInstallation(newestMigration: "0060_acmeorder_error")
            installation.authorities = [made.row]
            let leaf = try Self.leaf(id: 1, of: made, name: "a.example", reason: nil)
            installation.certificates = [leaf]
            _ = try await fixture.authority.importDjangoCA(installation, options: DjangoCAImportOptions(keyDirectory: fixture.keyDirectory))
            // The same serial, other bytes: a second leaf re-serialised under the first one's serial.
            var changed = try Self.leaf(id: 2, of: made, name: "b.example", reason: nil)
            changed.serial = leaf.serial
            var forged = try Certificate(derEncoded: changed.certificate)
            forged = try Certificate(
                version: .v3, serialNumber: try Certificate(derEncoded: leaf.certificate).serialNumber, publicKey: forged.publicKey,
                notValidBefore: forged.notValidBefore, notValidAfter: forged.notValidAfter, issuer: forged.issuer, subject: forged.subject,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: forged.extensions, issuerPrivateKey: .init(made.key))
            var serializer = DER.Serializer()
            try serializer.serialize(forged)
            changed.certificate = serializer.serializedBytes
            installation.certificates = [changed, try Self.leaf(id: 3, of: made, name: "c.example", reason: nil)]
            let error = await #expect(throws: CAError.self) {
                try await fixture.authority.importDjangoCA(installation, options: DjangoCAImportOptions(keyDirectory: fixture.keyDirectory))
            }
            #expect(error?.message.contains("different contents") == true)
            var filter = CertificateFilter()
            filter.includeExpired = true
            filter.includeRevoked = true
            #expect(try await fixture.authority.listCertificates(filter).count == 1)
        }
    }
}
