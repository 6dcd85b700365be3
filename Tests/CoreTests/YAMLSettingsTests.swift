import CACore
import Foundation
import Testing

/// django-ca's YAML settings files, read as django-ca reads them (issue 14).
@Suite struct YAMLSettingsTests {
    /// A settings file in the shape django-ca's documentation and its Docker images use.
    static let djangoCAFile = """
        # django-ca settings
        CA_DIR: /srv/ca/files
        CA_DEFAULT_HOSTNAME: ca.example.com
        CA_DEFAULT_EXPIRES: 45
        CA_ACME_ORDER_VALIDITY: 1
        CA_ENABLE_ACME: true
        CA_ENABLE_REST_API: yes
        CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL: PT3H
        CA_OCSP_RESPONSE_CACHE_RENEWAL: "12:00:00"
        CA_DEFAULT_SUBJECT:
          - oid: C
            value: AT
          - oid: organizationName
            value: Example
        CA_PASSWORDS:
          4E1E2A: first
          123456: second
        CA_NOTIFICATION_DAYS: [30, 7]
        CA_CRL_PROFILES:
          user:
            only_contains_user_certs: true
            expires: 1 day, 0:00:00
            renewal: 3600
          ca:
            only_contains_ca_certs: true
        CA_PROFILES:
          client: null
          vpn:
            description: VPN clients
            expires: 30
            extensions:
              extended_key_usage:
                value: [clientAuth]
        CA_USE_CELERY: false
        SECRET_KEY: not-used
        ALLOWED_HOSTS: [ca.example.com]
        CELERY_BROKER_URL: redis://localhost
        EMAIL_HOST: mail.example.com
        EMAIL_PORT: 587
        EMAIL_USE_TLS: true
        DEFAULT_FROM_EMAIL: ca@example.com
        DATABASES:
          default:
            ENGINE: django.db.backends.postgresql
            HOST: db.example.com
            NAME: django_ca
            USER: django_ca
            PASSWORD: secret
        CA_KEY_BACKENDS:
          default:
            BACKEND: django_ca.key_backends.storages.StoragesBackend
            OPTIONS: {storage_alias: django-ca}
          hsm:
            BACKEND: django_ca.key_backends.hsm.HSMBackend
            OPTIONS: {library_path: /usr/lib/softhsm/libsofthsm2.so, token: my_token_label, user_pin: secret}
        CA_OCSP_KEY_BACKENDS:
          default:
            BACKEND: django_ca.key_backends.storages.StoragesOCSPBackend
            OPTIONS: {storage_alias: django-ca}
          db:
            BACKEND: django_ca.key_backends.db.DBOCSPBackend
          hsm:
            BACKEND: django_ca.key_backends.hsm.HSMOCSPBackend
            OPTIONS: {library_path: /usr/lib/softhsm/libsofthsm2.so, token: my_token_label, so_pin: officer}
        STORAGES:
          django-ca:
            BACKEND: django.core.files.storage.FileSystemStorage
            OPTIONS:
              location: /srv/ca/files/
        """

    func withFiles(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "yaml-settings-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        try body(directory)
    }

    @Test func djangoCAFileIsReadWithItsTypes() throws {
        try withFiles(["settings.yaml": Self.djangoCAFile]) { directory in
            let file = directory + "/settings.yaml"
            let settings = try SettingsLoader.load(environment: ["HOME": "/h", "DJANGO_CA_SETTINGS": file])
            #expect(settings.caDirectory == "/srv/ca/files")
            #expect(settings.defaultHostname == "ca.example.com")
            #expect(settings.defaultExpiresDays == 45)
            // django-ca reads a bare number here as days.
            #expect(settings.acme.orderValidity == 86_400)
            #expect(settings.access.restAPIEnabled)
            #expect(settings.ocsp.responderCertificateRenewal == 3 * 3_600)
            #expect(settings.ocsp.responseRenewal == 12 * 3_600)
            #expect(settings.defaultSubject == "C=AT,organizationName=Example")
            #expect(settings.configuredPassword(forSerial: "4E1E2A") == "first")
            #expect(settings.configuredPassword(forSerial: "123456") == "second")
            #expect(settings.notificationDays == [30, 7])
            #expect(settings.crlProfiles["user"]?.expires == 86_400)
            #expect(settings.crlProfiles["user"]?.renewal == 3_600)
            #expect(Set(settings.crlProfiles.keys) == ["user", "ca"])
            let profiles = try ProfileCatalog(settings: settings)
            #expect(!profiles.names.contains("client"))
            #expect(try profiles.profile(named: "vpn").extendedKeyUsage?.value == ["clientAuth"])
            #expect(settings.email.host == "mail.example.com")
            #expect(settings.email.port == 587)
            #expect(settings.email.useSTARTTLS)
            #expect(settings.email.from?.headerValue == "ca@example.com")
            #expect(settings.djangoInstallation.keyDirectory == "/srv/ca/files/")
            #expect(settings.djangoInstallation.hsmTokens == ["hsm": "my_token_label"])
            #expect(settings.keyBackends == [
                "default": .file,
                "hsm": .hsm(libraryPath: "/usr/lib/softhsm/libsofthsm2.so", token: "my_token_label", userPIN: "secret", soPIN: nil),
            ])
            #expect(settings.ocspKeyBackends == [
                "default": .file, "db": .file,
                "hsm": .hsm(libraryPath: "/usr/lib/softhsm/libsofthsm2.so", token: "my_token_label", userPIN: nil, soPIN: "officer"),
            ])
            guard case .postgres(let database)? = settings.djangoInstallation.database else {
                Issue.record("DATABASES was not read")
                return
            }
            #expect(database.host == "db.example.com" && database.database == "django_ca" && database.password == "secret")
            #expect(Set(settings.ignoredSettings.keys) == ["CA_USE_CELERY", "SECRET_KEY", "ALLOWED_HOSTS", "CELERY_BROKER_URL"])
            #expect(settings.sources["CA_DEFAULT_EXPIRES"] == "file \(file)")
        }
    }

    /// The fuzz targets' entry: contents in memory must read exactly as the same file on disk.
    @Test func contentsInMemoryReadAsTheFileOnDisk() throws {
        try withFiles(["settings.yaml": Self.djangoCAFile]) { directory in
            let file = directory + "/settings.yaml"
            let fromDisk = try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": file])
            let contents = try Data(contentsOf: URL(fileURLWithPath: file))
            let inMemory = try SettingsLoader.load(environment: ["HOME": "/h"], settingsFileNamed: file, contents: contents)
            #expect(inMemory.sources == fromDisk.sources)
            #expect(inMemory.keyBackends == fromDisk.keyBackends)
            #expect(inMemory.defaultSubject == fromDisk.defaultSubject)
            #expect(inMemory.acme.orderValidity == 86_400, "the .yaml name keeps django-ca's meaning")
        }
        let json = try SettingsLoader.load(
            environment: ["HOME": "/h"], settingsFileNamed: "/x/settings.json", contents: Data(#"{"CA_ACME_ORDER_VALIDITY": 600}"#.utf8))
        #expect(json.acme.orderValidity == 600)
    }

    @Test func jsonKeepsSecondsForTheOrderValidity() throws {
        try withFiles(["settings.json": #"{"CA_ACME_ORDER_VALIDITY": 600}"#]) { directory in
            let settings = try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": directory + "/settings.json"])
            #expect(settings.acme.orderValidity == 600)
        }
    }

    @Test func unknownKeyNamesTheKeyAndTheFile() throws {
        try withFiles(["settings.yaml": "CA_DEFAULT_EXPRIES: 3\n"]) { directory in
            let error = try #require(throws: CAError.self) {
                try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": directory + "/settings.yaml"])
            }
            #expect(error.message == "unknown setting CA_DEFAULT_EXPRIES in \(directory)/settings.yaml")
        }
    }

    @Test(arguments: [
        "CA_DEFAULT_EXPIRES: soon\n", "CA_DEFAULT_EXPIRES: [3]\n", "CA_ENABLE_ACME: maybe\n", "CA_PASSWORDS: [a, b]\n",
        "CA_DEFAULT_EXPIRES: PT5H\n", "CA_NOTIFICATION_DAYS: 3\n", "DATABASES: {default: {ENGINE: django.db.backends.mysql}}\n",
        "CA_KEY_BACKENDS: {hsm: {BACKEND: django_ca.key_backends.db.DBBackend}}\n", "CA_KEY_BACKENDS: {hsm: {BACKEND: hsm, OPTIONS: {}}}\n",
        "CA_OCSP_KEY_BACKENDS: {hsm: {BACKEND: django_ca.key_backends.hsm.HSMBackend}}\n",
    ])
    func mistypedValueNamesTheKeyAndTheFile(text: String) throws {
        try withFiles(["settings.yaml": text]) { directory in
            let error = try #require(throws: CAError.self) {
                try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": directory + "/settings.yaml"])
            }
            let name = String(text.prefix(while: { $0 != ":" }))
            #expect(error.message.contains(name))
            #expect(error.message.contains("\(directory)/settings.yaml"))
        }
    }

    @Test func malformedYAMLIsOneClearError() throws {
        try withFiles(["settings.yaml": "CA_DEFAULT_EXPIRES: [3\n", "list.yaml": "- a\n- b\n"]) { directory in
            for name in ["settings.yaml", "list.yaml"] {
                let error = try #require(throws: CAError.self) {
                    try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": "\(directory)/\(name)"])
                }
                #expect(error.message.hasPrefix("the settings file \(directory)/\(name) is not"))
                #expect(!error.message.contains("\n"))
            }
        }
    }

    @Test func directoryFilesApplyInNameOrderAndEmptyFilesSetNothing() throws {
        try withFiles([
            "10-base.yaml": "CA_DEFAULT_EXPIRES: 10\nCA_DEFAULT_HOSTNAME: a.example\n", "20-override.yaml": "CA_DEFAULT_EXPIRES: 20\n",
            "30-empty.yaml": "", "notes.txt": "CA_DEFAULT_EXPIRES: [not read]",
        ]) { directory in
            let settings = try SettingsLoader.load(environment: ["HOME": "/h", "DJANGO_CA_SETTINGS": directory])
            #expect(settings.defaultExpiresDays == 20)
            #expect(settings.defaultHostname == "a.example")
        }
    }

    @Test func environmentStillWinsOverTheFile() throws {
        try withFiles(["settings.yaml": "CA_DEFAULT_EXPIRES: 10\n"]) { directory in
            let settings = try SettingsLoader.load(environment: [
                "HOME": "/h", "CA_DIR": directory, "CA_DEFAULT_EXPIRES": "5",
            ])
            #expect(settings.defaultExpiresDays == 5)
        }
    }

    @Test func defaultFileIsFoundInTheCADirectory() throws {
        try withFiles(["settings.yaml": "CA_DEFAULT_EXPIRES: 12\n"]) { directory in
            let settings = try SettingsLoader.load(environment: ["HOME": "/h", "CA_DIR": directory])
            #expect(settings.defaultExpiresDays == 12)
        }
    }

    /// Yams's constructor traps on a key that is not text; the loader refuses the file instead (a fuzzing finding).
    @Test(arguments: [
        "CA_PROFILES:\n  ? [client, server]\n  : {}\n", "{a: b}: c\n", "CA_PASSWORDS:\n  [1]: x\n",
        "CA_NOTIFICATION_DAYS: &days [1]\nCA_PASSWORDS:\n  ? *days\n  : x\n",
    ])
    func keysThatAreListsOrMappingsAreRefused(text: String) throws {
        try withFiles(["settings.yaml": text]) { directory in
            let error = #expect(throws: CAError.self) {
                try SettingsLoader.load(environment: ["HOME": "/h", "DJANGO_CA_SETTINGS": directory + "/settings.yaml"])
            }
            #expect(error?.message.contains("as a key on line") == true)
        }
    }

    /// Aliases share one node in Yams, and each use is a copy once constructed: a few lines could ask for
    /// billions of values.
    @Test func aliasesThatExpandToTooManyValuesAreRefused() throws {
        var lines = ["CA_NOTIFICATION_DAYS: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
        for level in 1...9 { lines.append("x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]") }
        try withFiles(["settings.yaml": lines.joined(separator: "\n")]) { directory in
            let error = try #require(throws: CAError.self) {
                try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": directory + "/settings.yaml"])
            }
            #expect(error.message.hasSuffix("holds more than 100000 values once its aliases are expanded"))
        }
    }

    @Test func anchorsAndMergeKeysStillWork() throws {
        let text = """
            CA_CRL_PROFILES:
              user: &crl {expires: 86400, renewal: 3600, only_contains_user_certs: true}
              ca: {<<: *crl, only_contains_user_certs: false, only_contains_ca_certs: true}
            CA_NOTIFICATION_DAYS: [14, 3]
            """
        let settings = try SettingsLoader.load(environment: ["HOME": "/h"], settingsFileNamed: "/x/settings.yaml", contents: Data(text.utf8))
        #expect(settings.crlProfiles["ca"]?.expires == 86_400 && settings.crlProfiles["ca"]?.renewal == 3_600)
        #expect(settings.crlProfiles["user"]?.expires == 86_400)
        #expect(settings.notificationDays == [14, 3])
    }

    @Test(arguments: [
        ("P1D", 1.0, 86_400.0), ("PT12H", 1, 43_200), ("P1DT2H30M", 1, 95_400), ("P2W", 1, 1_209_600), ("1 day, 0:00:00", 1, 86_400),
        ("3 days, 1:02:03", 1, 262_923), ("12:00:00", 1, 43_200), ("90", 1, 90), ("2", 86_400, 172_800),
    ])
    func durations(text: String, unit: Double, seconds: Double) {
        #expect(DurationText.seconds(text, numberUnit: unit) == seconds)
    }

    @Test(arguments: ["P1Y", "P1M", "PT", "P", "1 week, 0:00:00", "12:60:00", "soon", "PT1H2"])
    func durationsThatAreRefused(text: String) {
        #expect(DurationText.seconds(text, numberUnit: 1) == nil)
    }
}
