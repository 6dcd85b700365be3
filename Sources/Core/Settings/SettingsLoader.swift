import Foundation

/// Builds `Settings` from defaults, settings files (swift-ca's JSON, django-ca's YAML) and the environment.
///
/// Files: see `SettingsFile`. Environment: each setting by its own name (`CA_DEFAULT_EXPIRES=30`) or with a
/// `SWIFT_CA_` prefix, which wins. Structured values (CA_PROFILES, CA_PASSWORDS, CA_NOTIFICATION_DAYS) are JSON
/// in the environment too.
public enum SettingsLoader {
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        try load(environment: environment) { caDirectory in
            try SettingsFile.locate(environment: environment, caDirectory: caDirectory).map { ($0, try $0.data()) }
        }
    }

    /// As `load(environment:)`, with one settings file given by its name and contents instead of looked up; the
    /// name's extension says JSON or YAML. For the fuzz targets, which would otherwise spend most of each run
    /// writing and syncing a temporary file.
    public static func load(environment: [String: String], settingsFileNamed path: String, contents: Data) throws -> Settings {
        try load(environment: environment) { _ in [(SettingsFile(path: path), contents)] }
    }

    private static func load(
        environment: [String: String], files: (_ caDirectory: String) throws -> [(SettingsFile, Data)]
    ) throws -> Settings {
        var settings = Settings.defaults(home: environment["HOME"] ?? NSHomeDirectory())
        let environmentValues = try environmentSettings(environment)

        // CA_DIR decides where the default settings files are, so it is read from the environment first.
        if let directory = environmentValues["CA_DIR"] {
            try apply(name: "CA_DIR", value: directory.value, source: directory.source, to: &settings)
        }
        for (file, data) in try files(settings.caDirectory) {
            let contents = try file.read(data)
            for (name, value) in contents.settings.sorted(by: { $0.key < $1.key }) {
                try apply(name: name, value: value, source: "file \(file.path)", dialect: file.dialect, to: &settings)
            }
            for (name, reason) in contents.ignored {
                settings.ignoredSettings[name] = "\(reason) (file \(file.path))"
            }
        }
        for (name, entry) in environmentValues.sorted(by: { $0.key < $1.key }) {
            try apply(name: name, value: entry.value, source: entry.source, to: &settings)
        }
        if settings.email.useSTARTTLS && settings.email.useImplicitTLS {
            throw CAError(.invalidInput, "CA_EMAIL_USE_TLS (STARTTLS) and CA_EMAIL_USE_SSL (implicit TLS) exclude each other; set one")
        }
        if settings.sources["CA_DATABASE"] == "default" {
            settings.databasePath = (settings.caDirectory as NSString).appendingPathComponent("swift-ca.sqlite3")
        }
        return settings
    }

    /// Where the command line's global `--database` option hands its value to the loader.
    public static let databaseOptionVariable = "SWIFT_CA_DATABASE_OPTION"

    static func environmentSettings(_ environment: [String: String]) throws -> [String: (value: Any, source: String)] {
        var result: [String: (value: Any, source: String)] = [:]
        for name in Settings.names {
            if let value = environment["SWIFT_CA_" + name] {
                result[name] = (value, "environment SWIFT_CA_\(name)")
            } else if let value = environment[name] {
                result[name] = (value, "environment \(name)")
            }
        }
        for name in SecretFile.settingNames.sorted() {
            for variable in ["SWIFT_CA_" + name + "_FILE", name + "_FILE"] {
                guard let path = environment[variable] else { continue }
                if let given = result[name] {
                    throw CAError(.invalidInput, "\(variable) and \(given.source) both set \(name); keep one")
                }
                result[name] = (try SecretFile.read(path, for: variable), "environment \(variable) (file \(path))")
                break
            }
        }
        for (alias, name) in Settings.aliases.sorted(by: { $0.key < $1.key }) where result[name] == nil {
            if let value = environment["SWIFT_CA_" + alias] {
                result[name] = (value, "environment SWIFT_CA_\(alias)")
            } else if let value = environment[alias] {
                result[name] = (value, "environment \(alias)")
            }
        }
        if let value = environment[databaseOptionVariable] {
            result["CA_DATABASE_URL"] = (value, "option --database")
        }
        return result
    }

    static func apply(
        name: String, value: Any, source: String, dialect: SettingsFile.Dialect = .swiftCA, to settings: inout Settings
    ) throws {
        let reader = SettingValue(name: name, value: value, source: source)
        switch name {
        case "CA_DIR": settings.caDirectory = try reader.string()
        case "CA_DATABASE": settings.databasePath = try reader.string()
        case "CA_DATABASE_URL":
            let text = try reader.string()
            settings.databaseURL = text.isEmpty ? nil : try DatabaseLocation.parse(text)
        case "CA_DEFAULT_EXPIRES": settings.defaultExpiresDays = try reader.days()
        case "CA_SHORT_LIVED_MAXIMUM_DAYS": settings.shortLivedMaximumDays = try reader.days()
        case "CA_DEFAULT_CA_EXPIRES": settings.defaultCAExpiresDays = try reader.days()
        case "CA_DEFAULT_PROFILE": settings.defaultProfile = try reader.string()
        case "CA_PROFILES": settings.profileOverrides = try reader.profiles()
        case "CA_DEFAULT_SUBJECT": settings.defaultSubject = try reader.subject()
        case "CA_DEFAULT_PRIVATE_KEY_TYPE": settings.defaultPrivateKeyType = try reader.string()
        case "CA_DEFAULT_KEY_SIZE": settings.defaultKeySize = try reader.positiveInteger()
        case "CA_MIN_KEY_SIZE": settings.minimumKeySize = try reader.positiveInteger()
        case "CA_DEFAULT_ELLIPTIC_CURVE":
            let curveName = try reader.string()
            guard let curve = EllipticCurve(name: curveName) else {
                throw reader.invalid("an elliptic curve (secp256r1, secp384r1, secp521r1)")
            }
            settings.defaultEllipticCurve = curve
        case "CA_DEFAULT_SIGNATURE_HASH_ALGORITHM":
            let text = try reader.string()
            settings.defaultSignatureHash = text.isEmpty ? nil : try SignatureHash(name: text)
        case "CA_DEFAULT_HOSTNAME":
            let host = try reader.string()
            settings.defaultHostname = host.isEmpty ? nil : host
        case "CA_DEFAULT_CA":
            let serial = try reader.string()
            settings.defaultCA = serial.isEmpty ? nil : serial
        case "CA_PASSWORDS": settings.passwords = try reader.stringDictionary()
        case "CA_URL_PATH":
            var path = try reader.string()
            while path.hasPrefix("/") { path.removeFirst() }
            if !path.isEmpty && !path.hasSuffix("/") { path += "/" }
            settings.urlPath = path
        case "CA_NOTIFICATION_DAYS": settings.notificationDays = try reader.integerList()
        case "CA_CRL_PROFILES": settings.crlProfiles = try reader.crlProfiles()
        case "CA_OCSP_RESPONDER_KEY_VALIDITY": settings.ocsp.responderCertificateDays = try reader.days()
        case "CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL":
            settings.ocsp.responderCertificateRenewal = try reader.seconds()
        case "CA_OCSP_RESPONSE_VALIDITY": settings.ocsp.responseValidity = try reader.seconds()
        case "CA_OCSP_RESPONSE_CACHE_RENEWAL": settings.ocsp.responseRenewal = try reader.seconds()
        case "CA_OCSP_CACHE_ENTRIES": settings.ocsp.cacheEntries = try reader.positiveInteger()
        case "CA_LOG_FORMAT":
            guard let format = Settings.LogFormat(rawValue: try reader.string().lowercased()) else { throw reader.invalid("text or json") }
            settings.logFormat = format
        case "CA_LOG_LEVEL":
            let level = try reader.string().lowercased()
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
                throw reader.invalid("trace, debug, info, notice, warning, error or critical")
            }
            settings.logLevel = level
        case "CA_DELTA_CRL_EXPIRES":
            let seconds = try reader.positiveInteger()
            guard seconds >= 60 else { throw reader.invalid("at least 60 seconds") }
            settings.deltaCRLExpires = TimeInterval(seconds)
        case "CA_JOB_CRL_INTERVAL": settings.jobs.crlCheckInterval = TimeInterval(try reader.positiveInteger())
        case "CA_JOB_OCSP_KEY_INTERVAL": settings.jobs.ocspKeyInterval = TimeInterval(try reader.positiveInteger())
        case "CA_JOB_OCSP_RESPONSE_INTERVAL": settings.jobs.ocspResponseInterval = TimeInterval(try reader.positiveInteger())
        case "CA_JOB_STATUS_POLL_MILLISECONDS": settings.jobs.statusPollMilliseconds = try reader.positiveInteger()
        case "CA_ENABLE_ACME": settings.acmeEnabled = try reader.boolean()
        case "CA_ENABLE_REST_API": settings.access.restAPIEnabled = try reader.boolean()
        case "CA_ENABLE_WEB_UI": settings.access.webInterfaceEnabled = try reader.boolean()
        case "CA_PASSWORD_HASH_COST":
            let cost = try reader.positiveInteger()
            guard (4...31).contains(cost) else {
                throw CAError(.invalidInput, "CA_PASSWORD_HASH_COST must be between 4 and 31 (bcrypt's range), not \(cost)")
            }
            settings.access.passwordHashCost = cost
        case "CA_SESSION_SECONDS": settings.access.sessionSeconds = TimeInterval(try reader.positiveInteger())
        case "CA_LOGIN_ATTEMPTS": settings.access.loginAttempts = try reader.positiveInteger()
        case "CA_LOGIN_LOCKOUT_SECONDS": settings.access.loginLockoutSeconds = TimeInterval(try reader.positiveInteger())
        case "CA_JOB_ACME_CLEANUP_INTERVAL": settings.jobs.acmeCleanupInterval = TimeInterval(try reader.positiveInteger())
        case "CA_JOB_INTERVAL": settings.jobs.schedulerInterval = TimeInterval(try reader.positiveInteger())
        case "CA_JOB_LEASE_SECONDS": settings.jobs.leaseSeconds = TimeInterval(try reader.positiveInteger())
        case "CA_ACME_DEFAULT_CERT_VALIDITY": settings.acme.defaultCertificateDays = try reader.days()
        case "CA_ACME_MAX_CERT_VALIDITY": settings.acme.maximumCertificateDays = try reader.days()
        case "CA_ACME_ORDER_VALIDITY":
            // django-ca reads a bare number here as days; swift-ca's JSON and environment as seconds.
            settings.acme.orderValidity = try reader.seconds(numberUnit: dialect == .djangoCA ? 86_400 : 1)
        case "CA_ACME_HTTP01_PORT": settings.acme.http01Port = try reader.port()
        case "CA_ACME_TLSALPN01_PORT": settings.acme.tlsALPN01Port = try reader.port()
        case "CA_ACME_STATIC_HOSTS":
            guard let hosts = ACMESettings.parseStaticHosts(try reader.string()) else {
                throw reader.invalid("a list name=address,name=address")
            }
            settings.acme.staticHosts = hosts
        case "CA_ACME_DNS_SERVER":
            let text = try reader.string()
            if text.isEmpty {
                settings.acme.dnsServer = nil
            } else {
                guard let server = ACMESettings.parseServer(text) else { throw reader.invalid("host or host:port") }
                settings.acme.dnsServer = server
            }
        case "CA_ACME_ALLOW_PRIVATE_ADDRESSES": settings.acme.allowPrivateAddresses = try reader.boolean()
        case "CA_ACME_VALIDATION_TIMEOUT": settings.acme.validationTimeout = TimeInterval(try reader.positiveInteger())
        case "CA_EMAIL_HOST", "CA_EMAIL_PORT", "CA_EMAIL_USER", "CA_EMAIL_PASSWORD", "CA_EMAIL_USE_TLS", "CA_EMAIL_USE_SSL",
            "CA_EMAIL_FROM", "CA_EMAIL_TLS_CA_FILE", "CA_EMAIL_TIMEOUT":
            try applyEmail(name: name, reader: reader, to: &settings.email)
        case "CA_JOB_NOTIFICATION_INTERVAL": settings.jobs.notificationInterval = TimeInterval(try reader.positiveInteger())
        case "DATABASES": settings.djangoInstallation.database = try reader.djangoDatabase()
        case "STORAGES": settings.djangoInstallation.keyDirectory = try reader.djangoKeyStorage()
        case "CA_KEY_BACKENDS":
            settings.keyBackends = try reader.keyBackends()
            for (alias, backend) in settings.keyBackends {
                if case .hsm(_, let token, _, _) = backend { settings.djangoInstallation.hsmTokens[alias] = token }
            }
        case "CA_OCSP_KEY_BACKENDS": settings.ocspKeyBackends = try reader.keyBackends(forResponders: true)
        case "CA_MAX_OCSP_REQUEST_BYTES": settings.limits.ocspRequestBytes = try reader.positiveInteger()
        case "CA_MAX_ACME_REQUEST_BYTES": settings.limits.acmeRequestBytes = try reader.positiveInteger()
        case "CA_MAX_API_REQUEST_BYTES": settings.limits.apiRequestBytes = try reader.positiveInteger()
        case "CA_MAX_WEB_REQUEST_BYTES": settings.limits.webRequestBytes = try reader.positiveInteger()
        case "CA_MAX_HEADER_BYTES": settings.limits.headerBytes = try reader.positiveInteger()
        case "CA_MAX_CONNECTIONS": settings.limits.connections = try reader.positiveInteger()
        case "CA_REQUEST_TIMEOUT": settings.limits.requestSeconds = TimeInterval(try reader.positiveInteger())
        case "CA_ACME_MAX_NEW_ORDERS_PER_HOUR": settings.limits.acmeNewOrdersPerHour = try reader.positiveInteger()
        case _ where SecretFile.settingName(ofFileSetting: name) != nil:
            let path = try reader.string()
            let secret = try SecretFile.read(path, for: "\(name) (\(source))")
            try apply(
                name: String(name.dropLast(5)), value: secret, source: "\(source), \(name) \(path)", dialect: dialect, to: &settings)
            return
        default: throw CAError(.invalidInput, "unknown setting \(name) (\(source))")
        }
        settings.sources[name] = source
    }
}

extension SettingsLoader {
    /// The CA_EMAIL_* settings; an empty string unsets the optional ones, as for CA_DEFAULT_HOSTNAME.
    static func applyEmail(name: String, reader: SettingValue, to email: inout EmailSettings) throws {
        switch name {
        case "CA_EMAIL_HOST": email.host = try reader.optionalString()
        case "CA_EMAIL_PORT": email.port = try reader.port()
        case "CA_EMAIL_USER": email.user = try reader.optionalString()
        case "CA_EMAIL_PASSWORD": email.password = try reader.optionalString().map(SecretText.init)
        case "CA_EMAIL_USE_TLS": email.useSTARTTLS = try reader.boolean()
        case "CA_EMAIL_USE_SSL": email.useImplicitTLS = try reader.boolean()
        case "CA_EMAIL_FROM":
            guard let text = try reader.optionalString() else {
                email.from = nil
                return
            }
            do {
                email.from = try EmailAddress(parsing: text)
            } catch {
                throw reader.invalid("an e-mail address (user@example.com or Name <user@example.com>)")
            }
        case "CA_EMAIL_TLS_CA_FILE": email.tlsCAFile = try reader.optionalString()
        case "CA_EMAIL_TIMEOUT": email.timeout = TimeInterval(try reader.positiveInteger())
        default: throw CAError(.invalidInput, "unknown setting \(name) (\(reader.source))")
        }
    }
}

/// One raw setting value (from JSON or an environment string) and the conversions settings need.
struct SettingValue {
    let name: String
    let value: Any
    let source: String

    func invalid(_ expected: String) -> CAError {
        CAError(.invalidInput, "setting \(name) from \(source) must be \(expected)")
    }

    func string() throws -> String {
        if let text = value as? String { return text }
        throw invalid("a string")
    }

    /// A string, nil when empty.
    func optionalString() throws -> String? {
        let text = try string()
        return text.isEmpty ? nil : text
    }

    func boolean() throws -> Bool {
        if let flag = value as? Bool { return flag }
        if let text = value as? String {
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: break
            }
        }
        throw invalid("true or false")
    }

    func port() throws -> Int {
        let number = try positiveInteger()
        guard number <= 65_535 else { throw invalid("a port number (1-65535)") }
        return number
    }

    func positiveInteger() throws -> Int {
        if let number = value as? Int, number > 0 { return number }
        if let text = value as? String, let number = Int(text.trimmingCharacters(in: .whitespaces)), number > 0 {
            return number
        }
        throw invalid("a positive whole number")
    }

    /// A length of time in seconds: a number in `numberUnit` (seconds unless the setting says otherwise), or a
    /// duration as django-ca writes them (`P1D`, `PT12H`, `1 day, 0:00:00`). Must be positive.
    func seconds(numberUnit: TimeInterval = 1) throws -> TimeInterval {
        let parsed: TimeInterval?
        switch value {
        case let number as Int: parsed = TimeInterval(number) * numberUnit
        case let number as Double: parsed = number * numberUnit
        case let text as String: parsed = DurationText.seconds(text, numberUnit: numberUnit)
        default: parsed = nil
        }
        guard let parsed, parsed > 0, parsed.isFinite else {
            let unit = numberUnit == 86_400 ? "days" : "seconds"
            throw invalid("a positive length of time: a number of \(unit), or a duration such as P1D or PT12H")
        }
        return parsed.rounded()
    }

    /// A whole number of days: a number, or a duration that is whole days (`P30D`, `30 days, 0:00:00`).
    func days() throws -> Int {
        let total = try seconds(numberUnit: 86_400)
        guard total.truncatingRemainder(dividingBy: 86_400) == 0 else { throw invalid("a whole number of days") }
        return Int(total / 86_400)
    }

    /// Django's DATABASES: where the django-ca installation keeps its records (`import-django-ca`'s default
    /// source). Only the `default` alias matters, as for django-ca.
    func djangoDatabase() throws -> DatabaseLocation? {
        guard let aliases = value as? [String: Any] else { throw invalid("a mapping of database aliases (Django's DATABASES)") }
        guard let database = aliases["default"] as? [String: Any] else { return nil }
        let engine = database["ENGINE"] as? String ?? ""
        let name = database["NAME"].map { "\($0)" } ?? ""
        switch engine {
        case "django.db.backends.sqlite3":
            guard name.hasPrefix("/") else { throw invalid("a DATABASES default whose NAME is an absolute path for SQLite") }
            return .sqlite(path: name)
        case "django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2":
            let port = database["PORT"].flatMap { Int("\($0)") } ?? 5432
            let host = (database["HOST"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            guard let user = database["USER"] as? String, !user.isEmpty, !name.isEmpty else {
                throw invalid("a DATABASES default with NAME and USER for PostgreSQL")
            }
            let password = (database["PASSWORD"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            return .postgres(PostgresLocation(host: host, port: port, user: user, password: password, database: name, transport: .plain))
        default:
            throw invalid("a DATABASES default on SQLite or PostgreSQL (not \(engine.isEmpty ? "an empty ENGINE" : engine))")
        }
    }

    /// Django's STORAGES: the directory of django-ca's key storage alias (`django-ca`), if it is on the file system.
    func djangoKeyStorage() throws -> String? {
        guard let storages = value as? [String: Any] else { throw invalid("a mapping of storage aliases (Django's STORAGES)") }
        guard let storage = storages["django-ca"] as? [String: Any],
            let options = storage["OPTIONS"] as? [String: Any], let location = options["location"] as? String
        else { return nil }
        return location
    }

    /// CA_KEY_BACKENDS (or CA_OCSP_KEY_BACKENDS) as django-ca writes it: alias to `{"BACKEND": ..., "OPTIONS":
    /// {...}}`. `BACKEND` is `file` or `hsm`, or django-ca's class paths for them. django-ca's database backend for
    /// responder keys becomes the file backend: swift-ca keeps responder keys in the key directory.
    func keyBackends(forResponders: Bool = false) throws -> [String: KeyBackendSetting] {
        let fileClasses: Set<String> = forResponders
            ? ["file", "django_ca.key_backends.storages.StoragesOCSPBackend", "django_ca.key_backends.db.DBOCSPBackend"]
            : ["file", "django_ca.key_backends.storages.StoragesBackend"]
        let hsmClass = forResponders ? "django_ca.key_backends.hsm.HSMOCSPBackend" : "django_ca.key_backends.hsm.HSMBackend"
        guard let backends = try structured() as? [String: Any] else {
            throw invalid("a mapping of key backend aliases to {\"BACKEND\": ..., \"OPTIONS\": {...}}")
        }
        var result: [String: KeyBackendSetting] = ["default": .file]
        for (alias, entry) in backends {
            guard let entry = entry as? [String: Any], let kind = entry["BACKEND"] as? String else {
                throw invalid("key backends with a BACKEND (backend \(alias))")
            }
            let options = entry["OPTIONS"] as? [String: Any] ?? [:]
            switch kind {
            case _ where fileClasses.contains(kind):
                result[alias] = .file
            case "hsm", hsmClass:
                guard let library = options["library_path"] as? String, let token = options["token"] as? String else {
                    throw invalid("HSM key backends with library_path and token in OPTIONS (backend \(alias))")
                }
                result[alias] = .hsm(
                    libraryPath: library, token: token, userPIN: try pin("user_pin", in: options, backend: alias),
                    soPIN: try pin("so_pin", in: options, backend: alias))
            default:
                throw invalid("key backends of kind file or hsm (backend \(alias) is \(kind))")
            }
        }
        guard result["default"] == .file else { throw invalid("a default key backend of kind file") }
        return result
    }

    /// A PIN from OPTIONS: `user_pin` itself, or read from the file `user_pin_file` names (the same for `so_pin`).
    func pin(_ option: String, in options: [String: Any], backend alias: String) throws -> String? {
        let path = options[option + "_file"].map { "\($0)" }
        return try SecretFile.choose(
            value: options[option].map { "\($0)" }, file: path, option: "\(option) (\(name), backend \(alias))",
            fileOption: "\(option)_file (\(name), backend \(alias))")
    }

    /// Environment values of structured settings are JSON text; file values are already parsed.
    func structured() throws -> Any {
        guard let text = value as? String else { return value }
        guard let data = text.data(using: .utf8), let parsed = try? JSONSerialization.jsonObject(with: data) else {
            throw invalid("JSON")
        }
        return parsed
    }

    /// An RFC 4514 string, or django-ca's list form `[{"oid": "C", "value": "AT"}, ...]` turned into one.
    func subject() throws -> String {
        if let text = value as? String, !text.trimmingCharacters(in: .whitespaces).hasPrefix("[") { return text }
        guard let list = try structured() as? [[String: String]] else {
            throw invalid("an RFC 4514 subject or a list of {\"oid\": ..., \"value\": ...} objects")
        }
        let parts = try list.map { entry -> String in
            guard let key = entry["oid"], let attributeValue = entry["value"] else {
                throw invalid("a list of {\"oid\": ..., \"value\": ...} objects")
            }
            return key + "=" + Self.escaped(attributeValue)
        }
        let text = parts.joined(separator: ",")
        _ = try SubjectParser.parse(text)
        return text
    }

    /// RFC 4514 §2.4 escaping, so that any value survives the subject parser.
    static func escaped(_ value: String) -> String {
        var result = ""
        for (index, character) in value.enumerated() {
            let special = ",+\"\\<>;=".contains(character)
                || (index == 0 && (character == "#" || character == " "))
                || (index == value.count - 1 && character == " ")
            if special { result.append("\\") }
            result.append(character)
        }
        return result
    }

    func stringDictionary() throws -> [String: String] {
        guard let dictionary = try structured() as? [String: String] else { throw invalid("a JSON object of strings") }
        return dictionary
    }

    func integerList() throws -> [Int] {
        guard let list = try structured() as? [Int], list.allSatisfy({ $0 > 0 }) else {
            throw invalid("a JSON list of positive whole numbers")
        }
        return list
    }

    /// django-ca's CA_CRL_PROFILES: `{"user": {"only_contains_user_certs": true, "expires": 86400, "renewal": 43200}}`.
    func crlProfiles() throws -> [String: CRLProfile] {
        guard let dictionary = try structured() as? [String: Any] else { throw invalid("a JSON object of CRL profiles") }
        var result: [String: CRLProfile] = [:]
        for (profileName, definition) in dictionary {
            guard let fields = definition as? [String: Any] else {
                throw invalid("a JSON object of CRL profiles (profile \(profileName) is not an object)")
            }
            let known: Set = [
                "only_contains_ca_certs", "only_contains_user_certs", "only_contains_attribute_certs", "only_some_reasons", "expires", "renewal",
            ]
            if fields["OVERRIDES"] != nil {
                throw invalid("CRL profiles without OVERRIDES: per-CA overrides of a CRL profile are not supported (profile \(profileName))")
            }
            if fields["only_contains_attribute_certs"] as? Bool == true {
                throw invalid("CRL profiles without only_contains_attribute_certs: swift-ca issues no attribute certificates (profile \(profileName))")
            }
            if let unknown = fields.keys.first(where: { !known.contains($0) }) {
                throw invalid("a JSON object of CRL profiles (profile \(profileName) has the unknown field \(unknown))")
            }
            let onlyCA = fields["only_contains_ca_certs"] as? Bool ?? false
            let onlyUser = fields["only_contains_user_certs"] as? Bool ?? false
            guard !(onlyCA && onlyUser) else {
                throw invalid("CRL profiles with at most one of only_contains_ca_certs and only_contains_user_certs (profile \(profileName))")
            }
            var profile = CRLProfile(scope: onlyCA ? .caCertificates : onlyUser ? .userCertificates : .all)
            if let reasons = fields["only_some_reasons"] {
                guard let names = reasons as? [String], !names.isEmpty else {
                    throw invalid("CRL profiles whose only_some_reasons is a list of reasons (profile \(profileName))")
                }
                profile.onlySomeReasons = try names.map(RevocationReason.init(name:))
            }
            for (field, minimum) in [("expires", 600), ("renewal", 300)] {
                guard let raw = fields[field] else { continue }
                let fieldReader = SettingValue(name: name, value: raw, source: source)
                guard let seconds = try? fieldReader.seconds(), seconds >= TimeInterval(minimum) else {
                    throw invalid("CRL profiles whose \(field) is at least \(minimum) seconds (profile \(profileName))")
                }
                if field == "expires" { profile.expires = TimeInterval(seconds) } else { profile.renewal = TimeInterval(seconds) }
            }
            guard profile.renewal < profile.expires else {
                throw invalid("CRL profiles whose renewal is shorter than expires (profile \(profileName))")
            }
            result[profileName] = profile
        }
        return result
    }

    func profiles() throws -> [String: ProfileDefinition?] {
        guard let dictionary = try structured() as? [String: Any] else { throw invalid("a JSON object of profiles") }
        var result: [String: ProfileDefinition?] = [:]
        for (profileName, definition) in dictionary {
            if definition is NSNull {
                result[profileName] = .some(nil)
                continue
            }
            guard JSONSerialization.isValidJSONObject(definition),
                let data = try? JSONSerialization.data(withJSONObject: definition)
            else { throw invalid("a JSON object of profiles (profile \(profileName) is not an object)") }
            do {
                result[profileName] = try JSONDecoder().decode(ProfileDefinition.self, from: data)
            } catch let error as CAError {
                throw CAError(.invalidInput, "profile \(profileName) in \(name) (\(source)): \(error.message)")
            } catch {
                throw CAError(.invalidInput, "profile \(profileName) in \(name) (\(source)) is malformed: \(error)")
            }
        }
        return result
    }
}
