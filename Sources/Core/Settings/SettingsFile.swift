import Foundation
import Yams

/// One settings file: swift-ca's JSON, or django-ca's YAML read as django-ca reads it.
///
/// Which files: `$SWIFT_CA_SETTINGS`, else django-ca's `$DJANGO_CA_SETTINGS`, each a colon-separated list of files
/// and directories (a directory stands for its `*.yaml`, `*.yml` and `*.json` files, by name); else
/// `<CA_DIR>/settings.json` and `<CA_DIR>/settings.yaml`, those that exist. Later files win.
struct SettingsFile {
    /// How bare numbers and Django's own names are read. django-ca's YAML keeps django-ca's meaning even where
    /// swift-ca's JSON differs (CA_ACME_ORDER_VALIDITY: a number is days there, seconds here).
    enum Dialect {
        case swiftCA
        case djangoCA
    }

    let path: String
    let dialect: Dialect

    /// What a file holds once its names are sorted out.
    struct Contents {
        /// swift-ca setting name to its value (Django's spellings already turned into swift-ca's names).
        var settings: [String: Any] = [:]
        /// django-ca or Django settings that swift-ca does not use, to the reason.
        var ignored: [String: String] = [:]
    }

    static func locate(environment: [String: String], caDirectory: String) throws -> [SettingsFile] {
        guard let list = environment["SWIFT_CA_SETTINGS"] ?? environment["DJANGO_CA_SETTINGS"] else {
            return ["settings.json", "settings.yaml"]
                .map { (caDirectory as NSString).appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: $0) }
                .map(SettingsFile.init(path:))
        }
        var files: [SettingsFile] = []
        for entry in list.split(separator: ":").map(String.init) where !entry.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: entry, isDirectory: &isDirectory) else {
                throw CAError(.invalidInput, "cannot read the settings file \(entry): it does not exist")
            }
            guard isDirectory.boolValue else {
                files.append(SettingsFile(path: entry))
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: entry)) ?? []
            for name in names.sorted() where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
                let path = (entry as NSString).appendingPathComponent(name)
                var nestedDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &nestedDirectory), !nestedDirectory.boolValue {
                    files.append(SettingsFile(path: path))
                }
            }
        }
        return files
    }

    init(path: String) {
        self.path = path
        dialect = path.hasSuffix(".yaml") || path.hasSuffix(".yml") ? .djangoCA : .swiftCA
    }

    func data() throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CAError(.invalidInput, "cannot read the settings file \(path)")
        }
        return data
    }

    func read(_ data: Data) throws -> Contents {
        let topLevel: [String: Any]
        switch dialect {
        case .swiftCA:
            guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
                throw CAError(.invalidInput, "the settings file \(path) is not a JSON object")
            }
            topLevel = dictionary
        case .djangoCA:
            topLevel = try yamlMapping(data)
        }
        var contents = Contents()
        for (name, value) in topLevel {
            if Settings.names.contains(name) {
                contents.settings[name] = value
            } else if let secretName = SecretFile.settingName(ofFileSetting: name) {
                guard topLevel[secretName] == nil else {
                    throw CAError(.invalidInput, "\(path) sets both \(secretName) and \(name); keep one")
                }
                contents.settings[name] = value
            } else if let primary = Settings.aliases[name] ?? (dialect == .djangoCA ? DjangoSettingNames.aliases[name] : nil) {
                if topLevel[primary] == nil { contents.settings[primary] = value }
            } else if dialect == .djangoCA, DjangoSettingNames.translated.contains(name) {
                contents.settings[name] = value
            } else if dialect == .djangoCA, let reason = DjangoSettingNames.ignoredReason(name) {
                contents.ignored[name] = reason
            } else {
                throw CAError(.invalidInput, "unknown setting \(name) in \(path)")
            }
        }
        return contents
    }

    /// The file as JSON-shaped values (string keys, Int/Double/Bool/String/NSNull, arrays, dictionaries), so that
    /// both formats go through the same readers.
    func yamlMapping(_ data: Data) throws -> [String: Any] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw CAError(.invalidInput, "the settings file \(path) is not UTF-8 text")
        }
        do {
            try YAMLShape.check(text)
        } catch .keyIsNotText(let kind, let line) {
            throw CAError(.invalidInput, "the settings file \(path) has a \(kind) as a key on line \(line); setting names and keys are text")
        } catch .tooManyValues {
            throw CAError(
                .invalidInput, "the settings file \(path) holds more than \(YAMLShape.maximumValues) values once its aliases are expanded")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CAError(.invalidInput, "the settings file \(path) is not valid YAML: \(Self.oneLine(error))")
        }
        guard let node else { return [:] }
        let document = Constructor.default.any(from: node)
        // An empty file sets nothing, as for django-ca.
        guard !(document is NSNull) else { return [:] }
        guard let mapping = Self.jsonShaped(document) as? [String: Any] else {
            throw CAError(.invalidInput, "the settings file \(path) is not a YAML mapping of setting names to values")
        }
        return mapping
    }

    static func jsonShaped(_ value: Any) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            var result: [String: Any] = [:]
            // YAML keys may be numbers (a CA_PASSWORDS serial of digits only); settings name them as text.
            for (key, nested) in mapping { result["\(key.base)"] = jsonShaped(nested) }
            return result
        case let sequence as [Any]: return sequence.map(jsonShaped)
        case let date as Date: return TimeText.iso(date)
        default: return value
        }
    }

    static func oneLine(_ error: YamlError) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "parse error"
    }
}

/// Names a django-ca settings file may hold besides swift-ca's own.
enum DjangoSettingNames {
    /// Django's names for the mail settings, which django-ca uses as they are.
    static let aliases: [String: String] = [
        "EMAIL_HOST": "CA_EMAIL_HOST", "EMAIL_PORT": "CA_EMAIL_PORT", "EMAIL_HOST_USER": "CA_EMAIL_USER",
        "EMAIL_HOST_PASSWORD": "CA_EMAIL_PASSWORD", "EMAIL_USE_TLS": "CA_EMAIL_USE_TLS", "EMAIL_USE_SSL": "CA_EMAIL_USE_SSL",
        "EMAIL_TIMEOUT": "CA_EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL": "CA_EMAIL_FROM",
    ]

    /// Django settings whose content swift-ca reads: where the django-ca installation keeps its data, for
    /// `import-django-ca`.
    static let translated: Set<String> = ["DATABASES", "STORAGES"]

    /// django-ca 3.2's settings that swift-ca has no use for, and why.
    static let unusedCASettings: [String: String] = [
        "CA_ACME_NONCE_TIMEOUT": "swift-ca's ACME nonces are valid for one hour",
        "CA_ACME_JWS_SIGNATURE_ALGORITHMS": "swift-ca accepts ES256, ES384, EdDSA and RS256 account keys",
        "CA_DEFAULT_DSA_SIGNATURE_HASH_ALGORITHM": "swift-ca makes no DSA CAs",
        "CA_DEFAULT_NAME_ORDER": "swift-ca keeps subjects in the order they are given",
        "CA_DEFAULT_STORAGE_ALIAS": "swift-ca keeps CA keys in <CA_DIR>/keys",
        "CA_OCSP_RESPONSE_CACHE_EXPIRES": "swift-ca always caches OCSP responses (CA_OCSP_RESPONSE_CACHE_RENEWAL, CA_OCSP_CACHE_ENTRIES)",
        "CA_OCSP_URLS": "swift-ca answers OCSP for every CA at <CA_URL_PATH>ocsp/<serial>/ with automatic responder certificates",
        "CA_USE_CELERY": "swift-ca's server runs periodic jobs itself",
        "CA_ENABLE_CLICKJACKING_PROTECTION": "swift-ca's pages always send X-Frame-Options: DENY",
    ]

    /// Settings of the django-ca project around the app (ca/ca/settings.py), none of which apply to swift-ca.
    static let projectSettings: Set<String> = [
        "ENABLE_ADMIN", "EXTEND_CELERY_BEAT_SCHEDULE", "EXTEND_INSTALLED_APPS", "EXTEND_URL_PATTERNS", "LIBRARY_LOG_LEVEL",
        "LOG_FORMAT", "LOG_LEVEL", "SECRET_KEY_FILE", "CELERY_BEAT_SCHEDULE", "SETTINGS_YAML",
    ]

    /// Django 5's global settings (django.conf.global_settings), which a django-ca file may set.
    static let djangoSettings: Set<String> = [
        "ABSOLUTE_URL_OVERRIDES", "ADMINS", "ALLOWED_HOSTS", "APPEND_SLASH", "AUTHENTICATION_BACKENDS",
        "AUTH_PASSWORD_VALIDATORS", "AUTH_USER_MODEL", "CACHES", "CACHE_MIDDLEWARE_ALIAS", "CACHE_MIDDLEWARE_KEY_PREFIX",
        "CACHE_MIDDLEWARE_SECONDS", "CSRF_COOKIE_AGE", "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_NAME",
        "CSRF_COOKIE_PATH", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_FAILURE_VIEW", "CSRF_HEADER_NAME",
        "CSRF_TRUSTED_ORIGINS", "CSRF_USE_SESSIONS", "DATABASE_ROUTERS", "DATA_UPLOAD_MAX_MEMORY_SIZE",
        "DATA_UPLOAD_MAX_NUMBER_FIELDS", "DATA_UPLOAD_MAX_NUMBER_FILES", "DATETIME_FORMAT", "DATETIME_INPUT_FORMATS",
        "DATE_FORMAT", "DATE_INPUT_FORMATS", "DEBUG", "DEBUG_PROPAGATE_EXCEPTIONS", "DECIMAL_SEPARATOR", "DEFAULT_AUTO_FIELD",
        "DEFAULT_CHARSET", "DEFAULT_EXCEPTION_REPORTER", "DEFAULT_EXCEPTION_REPORTER_FILTER", "DEFAULT_INDEX_TABLESPACE",
        "DEFAULT_TABLESPACE", "DISALLOWED_USER_AGENTS", "EMAIL_BACKEND", "EMAIL_SSL_CERTFILE", "EMAIL_SSL_KEYFILE",
        "EMAIL_SUBJECT_PREFIX", "EMAIL_USE_LOCALTIME", "FILE_UPLOAD_DIRECTORY_PERMISSIONS", "FILE_UPLOAD_HANDLERS",
        "FILE_UPLOAD_MAX_MEMORY_SIZE", "FILE_UPLOAD_PERMISSIONS", "FILE_UPLOAD_TEMP_DIR", "FIRST_DAY_OF_WEEK", "FIXTURE_DIRS",
        "FORCE_SCRIPT_NAME", "FORMAT_MODULE_PATH", "FORMS_URLFIELD_ASSUME_HTTPS", "FORM_RENDERER", "IGNORABLE_404_URLS",
        "INSTALLED_APPS", "INTERNAL_IPS", "LANGUAGES", "LANGUAGES_BIDI", "LANGUAGE_CODE", "LANGUAGE_COOKIE_AGE",
        "LANGUAGE_COOKIE_DOMAIN", "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_NAME", "LANGUAGE_COOKIE_PATH",
        "LANGUAGE_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE", "LOCALE_PATHS", "LOGGING", "LOGGING_CONFIG",
        "LOGIN_REDIRECT_URL", "LOGIN_URL", "LOGOUT_REDIRECT_URL", "MANAGERS", "MEDIA_ROOT", "MEDIA_URL", "MESSAGE_STORAGE",
        "MIDDLEWARE", "MIGRATION_MODULES", "MONTH_DAY_FORMAT", "NUMBER_GROUPING", "PASSWORD_HASHERS", "PASSWORD_RESET_TIMEOUT",
        "PREPEND_WWW", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER",
        "SECURE_REDIRECT_EXEMPT", "SECURE_REFERRER_POLICY", "SECURE_SSL_HOST", "SECURE_SSL_REDIRECT", "SERVER_EMAIL",
        "SESSION_CACHE_ALIAS", "SESSION_COOKIE_AGE", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_PATH", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_SECURE", "SESSION_ENGINE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_FILE_PATH", "SESSION_SAVE_EVERY_REQUEST", "SESSION_SERIALIZER",
        "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SIGNED_COOKIE_LEGACY_SALT_FALLBACK", "SIGNING_BACKEND",
        "SILENCED_SYSTEM_CHECKS", "STATICFILES_DIRS", "STATICFILES_FINDERS", "STATIC_ROOT", "STATIC_URL", "TEMPLATES",
        "TEST_NON_SERIALIZED_APPS", "TEST_RUNNER", "THOUSAND_SEPARATOR", "TIME_FORMAT", "TIME_INPUT_FORMATS", "TIME_ZONE",
        "USE_I18N", "USE_THOUSAND_SEPARATOR", "USE_TZ", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT", "WSGI_APPLICATION",
        "X_FRAME_OPTIONS", "YEAR_MONTH_FORMAT",
    ]

    static func ignoredReason(_ name: String) -> String? {
        if let reason = unusedCASettings[name] { return reason }
        if projectSettings.contains(name) || name.hasPrefix("CELERY_") { return "a setting of django-ca's Django project" }
        if djangoSettings.contains(name) { return "a Django setting" }
        return nil
    }
}
