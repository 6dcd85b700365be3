import Foundation
import Testing
@testable import CACore

@Suite struct SettingsTests {
    @Test func defaultsFollowDjangoCA() throws {
        let settings = try SettingsLoader.load(environment: ["HOME": "/home/test"])
        #expect(settings.caDirectory == "/home/test/.swift-ca")
        #expect(settings.databasePath == "/home/test/.swift-ca/swift-ca.sqlite3")
        #expect(settings.defaultExpiresDays == 100)
        #expect(settings.defaultProfile == "webserver")
        #expect(settings.defaultPrivateKeyType == "RSA")
        #expect(settings.defaultKeySize == 4096)
        #expect(settings.minimumKeySize == 2048)
        #expect(settings.urlPath == "ca/")
        #expect(settings.sources.values.allSatisfy { $0 == "default" })
    }

    @Test func environmentWinsAndPrefixedNamesWinOverPlainOnes() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_DIR": "/srv/ca", "CA_DEFAULT_EXPIRES": "30", "SWIFT_CA_CA_DEFAULT_EXPIRES": "45",
            "CA_PASSWORDS": "{\"AB:CD\": \"pw\"}", "CA_URL_PATH": "/pki", "CA_DEFAULT_ELLIPTIC_CURVE": "P-384",
        ])
        #expect(settings.caDirectory == "/srv/ca")
        #expect(settings.databasePath == "/srv/ca/swift-ca.sqlite3")
        #expect(settings.defaultExpiresDays == 45)
        #expect(settings.sources["CA_DEFAULT_EXPIRES"] == "environment SWIFT_CA_CA_DEFAULT_EXPIRES")
        #expect(settings.configuredPassword(forSerial: "ABCD") == "pw")
        #expect(settings.urlPath == "pki/")
        #expect(settings.defaultEllipticCurve == .secp384r1)
    }

    /// Secrets from files named by `<NAME>_FILE` (environment or settings file) and by `user_pin_file`; one trailing
    /// line break is dropped, and a secret given twice, an unreadable, empty or oversized file is refused by name.
    @Test func secretsAreReadFromFiles() throws {
        let directory = NSTemporaryDirectory() + "secrets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func secret(_ name: String, _ text: String) throws -> String {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            return directory + "/" + name
        }
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_DIR": directory,
            "CA_EMAIL_PASSWORD_FILE": try secret("smtp", "s3cret pass\n"),
            "SWIFT_CA_CA_DATABASE_URL_FILE": try secret("database", "postgresql://ca:pw@db.example.com/ca\r\n"),
            "CA_PASSWORDS_FILE": try secret("passwords", "{\"AB:CD\": \"key pw\"}"),
            "CA_KEY_BACKENDS": "{\"hsm\": {\"BACKEND\": \"hsm\", \"OPTIONS\": {\"library_path\": \"/lib.so\", \"token\": \"t\", "
                + "\"user_pin_file\": \"\(try secret("pin", "1234\n"))\"}}}",
        ])
        #expect(settings.email.password?.value == "s3cret pass")
        #expect(settings.sources["CA_EMAIL_PASSWORD"] == "environment CA_EMAIL_PASSWORD_FILE (file \(directory)/smtp)")
        #expect(settings.databaseURL?.description.contains("db.example.com") == true)
        #expect(settings.configuredPassword(forSerial: "ABCD") == "key pw")
        #expect(settings.keyBackends["hsm"] == .hsm(libraryPath: "/lib.so", token: "t", userPIN: "1234", soPIN: nil))

        try #"{"CA_EMAIL_PASSWORD_FILE": "\#(try secret("smtp2", "from a settings file"))"}"#
            .write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        #expect(try SettingsLoader.load(environment: ["CA_DIR": directory]).email.password?.value == "from a settings file")
        try FileManager.default.removeItem(atPath: directory + "/settings.json")

        for (environment, fragment) in [
            (["CA_EMAIL_PASSWORD": "x", "CA_EMAIL_PASSWORD_FILE": try secret("a", "y")], "keep one"),
            (["CA_EMAIL_PASSWORD_FILE": directory + "/missing"], "cannot read the file"),
            (["CA_EMAIL_PASSWORD_FILE": try secret("empty", "\n")], "is empty"),
            (["CA_EMAIL_PASSWORD_FILE": try secret("large", String(repeating: "x", count: 70_000))], "too large"),
        ] {
            let error = try #require(throws: CAError.self) { try SettingsLoader.load(environment: environment.merging(["CA_DIR": directory]) { $1 }) }
            #expect(error.message.contains(fragment) && error.message.contains("CA_EMAIL_PASSWORD"), "\(error.message)")
        }
    }

    @Test func settingsFileIsReadFromCADirectory() throws {
        let directory = NSTemporaryDirectory() + "settings-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"{"CA_DEFAULT_HOSTNAME": "ca.example.com", "CA_NOTIFICATION_DAYS": [7, 1]}"#
            .write(toFile: directory + "/settings.json", atomically: true, encoding: .utf8)
        let settings = try SettingsLoader.load(environment: ["CA_DIR": directory])
        #expect(settings.defaultHostname == "ca.example.com")
        #expect(settings.notificationDays == [7, 1])
        #expect(settings.sources["CA_DEFAULT_HOSTNAME"] == "file \(directory)/settings.json")
    }

    @Test(arguments: [
        ["CA_DEFAULT_EXPIRES": "-1"], ["CA_DEFAULT_ELLIPTIC_CURVE": "secp192r1"], ["CA_PASSWORDS": "not json"],
        ["CA_DEFAULT_SIGNATURE_HASH_ALGORITHM": "MD5"], ["CA_PROFILES": "{\"x\": 3}"], ["CA_NOTIFICATION_DAYS": "[0]"],
    ])
    func invalidValuesAreNamedInTheError(environment: [String: String]) throws {
        let error = try #require(throws: CAError.self) { try SettingsLoader.load(environment: environment) }
        #expect(error.kind == .invalidInput)
    }

    @Test func defaultSubjectInDjangoCAListForm() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_DEFAULT_SUBJECT": #"[{"oid": "C", "value": "AT"}, {"oid": "O", "value": "Example, Inc."}]"#,
        ])
        let subject = try SubjectParser.parse(try #require(settings.defaultSubject))
        #expect(SubjectFormatter.format(subject) == #"C=AT,O=Example\, Inc."#)
    }

    @Test func unknownKeysInTheFileAreRejected() throws {
        let file = NSTemporaryDirectory() + "settings-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try #"{"CA_TYPO": 1}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: CAError.self) { try SettingsLoader.load(environment: ["SWIFT_CA_SETTINGS": file]) }
        #expect(error.message.contains("CA_TYPO"))
    }
}

@Suite struct ProfileTests {
    @Test func builtInProfilesMatchDjangoCA() throws {
        let catalog = try ProfileCatalog(settings: Settings.defaults(home: "/"))
        // django-ca's five, and swift-ca's short-lived (RFC 9608).
        #expect(catalog.names == ["client", "enduser", "ocsp", "server", "short-lived", "webserver"])
        let webserver = try catalog.profile(named: nil)
        #expect(webserver.name == "webserver")
        #expect(webserver.extendedKeyUsage?.value == ["serverAuth"])
        let ocsp = try catalog.profile(named: "ocsp")
        #expect(ocsp.autogenerated && !ocsp.addOCSPURL && !ocsp.usesDefaultSubject)
        #expect(throws: CAError.self) { try catalog.profile(named: "missing") }
    }

    @Test func caProfilesChangeAddAndRemoveProfiles() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h",
            "CA_PROFILES": """
                {"client": null, "server": {"expires": 7, "extensions": {"ocsp_no_check": {}, "extended_key_usage": null}},
                 "device": {"subject": false, "extensions": {"key_usage": {"critical": false, "value": ["digitalSignature"]}}}}
                """,
        ])
        let catalog = try ProfileCatalog(settings: settings)
        #expect(!catalog.names.contains("client"))
        let server = try catalog.profile(named: "server")
        #expect(server.expiresDays == 7)
        #expect(server.extendedKeyUsage == nil)
        #expect(server.ocspNoCheck == ProfileExtension(critical: false, value: true))
        #expect(server.keyUsage?.value == ["digitalSignature", "keyAgreement", "keyEncipherment"])
        let device = try catalog.profile(named: "device")
        #expect(device.keyUsage == ProfileExtension(critical: false, value: ["digitalSignature"]))
        #expect(!device.usesDefaultSubject)
    }

    @Test func defaultProfileMustExist() throws {
        var settings = Settings.defaults(home: "/")
        settings.defaultProfile = "nope"
        #expect(throws: CAError.self) { try ProfileCatalog(settings: settings) }
    }
}
