import Foundation

/// swift-ca's settings, by django-ca's names. Values come from built-in defaults, then a JSON settings
/// file, then the environment (each later source wins); `sources` records where each value came from so
/// that `swift-ca settings` can explain the effective configuration.
public struct Settings: Sendable {
    /// Directory that holds the SQLite database and the `keys/` directory.
    public var caDirectory: String
    /// SQLite database file; defaults to `<CA_DIR>/swift-ca.sqlite3`.
    public var databasePath: String
    /// CA_DATABASE_URL (or `--database`): when set, wins over CA_DATABASE.
    public var databaseURL: DatabaseLocation?
    /// Validity of end-entity certificates in days.
    public var defaultExpiresDays: Int
    /// Validity of new CAs in days (`init-ca --expires`).
    public var defaultCAExpiresDays: Int
    public var defaultProfile: String
    /// `CA_PROFILES` as given: merged over the built-in profiles by `ProfileCatalog`.
    public var profileOverrides: [String: ProfileDefinition?]
    /// `CA_DEFAULT_SUBJECT`, an RFC 4514 string merged under subjects that lack those attributes.
    public var defaultSubject: String?
    public var defaultPrivateKeyType: String
    public var defaultKeySize: Int
    public var minimumKeySize: Int
    public var defaultEllipticCurve: EllipticCurve
    /// nil means "the hash that matches the key" (SHA-256 for RSA and P-256, SHA-384 for P-384, ...).
    public var defaultSignatureHash: SignatureHash?
    public var defaultHostname: String?
    public var defaultCA: String?
    /// CA serial (any spelling) to the password of its key, for non-interactive use.
    public var passwords: [String: String]
    /// URL path prefix of the CRL, OCSP and issuer endpoints, without leading slash (`ca/`).
    public var urlPath: String
    /// Days before expiry on which watchers are notified.
    public var notificationDays: [Int]
    /// `CA_CRL_PROFILES`: the CRLs kept fresh for every CA, by name.
    public var crlProfiles: [String: CRLProfile] = CRLProfile.defaults
    /// CA_DELTA_CRL_EXPIRES: seconds between a delta CRL's thisUpdate and nextUpdate. A delta is signed again after
    /// every revocation and once less than half of this remains, so relying parties that cache it until its
    /// nextUpdate learn of revocations within this time.
    public var deltaCRLExpires: TimeInterval = 3_600
    /// CA_LOG_FORMAT: `text` (one line per event, the default) or `json` (one JSON object per line) for `serve`'s log.
    public var logFormat: LogFormat = .text
    /// CA_LOG_LEVEL: the least severe level `serve` logs (trace, debug, info, notice, warning, error, critical);
    /// `--log-level` wins.
    public var logLevel = "info"

    public enum LogFormat: String, Sendable, Equatable {
        case text, json
    }
    public var ocsp = OCSPSettings()
    public var jobs = ServerJobSettings()
    /// CA_ENABLE_ACME: the global switch; each CA also needs `edit-ca --acme-enable`.
    public var acmeEnabled = true
    public var acme = ACMESettings()
    public var email = EmailSettings()
    public var access = AccessSettings()
    /// Request sizes, connections, time to send a request, ACME orders per account (CA_MAX_*, CA_REQUEST_TIMEOUT).
    public var limits = RequestLimits()

    /// CA_KEY_BACKENDS: where CA keys can live, by alias; `default` is the key directory.
    public var keyBackends: [String: KeyBackendSetting] = ["default": .file]
    /// CA_SHORT_LIVED_MAXIMUM_DAYS: the longest validity of a certificate without revocation (a profile with
    /// noRevAvail, RFC 9608); the CA/Browser Forum's limit for short-lived certificates is 7 days.
    public var shortLivedMaximumDays = 7
    /// CA_OCSP_KEY_BACKENDS: where OCSP responder keys can live, by alias; `default` is the key directory.
    public var ocspKeyBackends: [String: KeyBackendSetting] = ["default": .file]
    /// django-ca or Django settings found in a YAML file that swift-ca does not use: name to the reason and file.
    public var ignoredSettings: [String: String] = [:]
    /// Where a django-ca installation keeps its data, when its settings file says so (DATABASES, STORAGES).
    public var djangoInstallation = DjangoInstallationSettings()

    /// Setting name to a description of its source, e.g. `environment` or `file /etc/swift-ca.json`.
    public var sources: [String: String]

    public static let names: [String] = [
        "CA_DIR", "CA_DATABASE", "CA_DATABASE_URL", "CA_DEFAULT_EXPIRES", "CA_DEFAULT_CA_EXPIRES", "CA_DEFAULT_PROFILE", "CA_PROFILES",
        "CA_DEFAULT_SUBJECT", "CA_DEFAULT_PRIVATE_KEY_TYPE", "CA_DEFAULT_KEY_SIZE", "CA_MIN_KEY_SIZE",
        "CA_DEFAULT_ELLIPTIC_CURVE", "CA_DEFAULT_SIGNATURE_HASH_ALGORITHM", "CA_DEFAULT_HOSTNAME", "CA_DEFAULT_CA",
        "CA_PASSWORDS", "CA_URL_PATH", "CA_NOTIFICATION_DAYS", "CA_CRL_PROFILES",
        "CA_OCSP_RESPONDER_KEY_VALIDITY", "CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL", "CA_OCSP_RESPONSE_VALIDITY",
        "CA_OCSP_RESPONSE_CACHE_RENEWAL", "CA_OCSP_CACHE_ENTRIES", "CA_JOB_CRL_INTERVAL", "CA_JOB_OCSP_KEY_INTERVAL",
        "CA_JOB_OCSP_RESPONSE_INTERVAL", "CA_JOB_STATUS_POLL_MILLISECONDS", "CA_JOB_ACME_CLEANUP_INTERVAL", "CA_JOB_INTERVAL", "CA_JOB_LEASE_SECONDS", "CA_ENABLE_ACME",
        "CA_ACME_DEFAULT_CERT_VALIDITY", "CA_ACME_MAX_CERT_VALIDITY", "CA_ACME_ORDER_VALIDITY", "CA_ACME_HTTP01_PORT",
        "CA_ACME_TLSALPN01_PORT", "CA_ACME_STATIC_HOSTS", "CA_ACME_DNS_SERVER", "CA_ACME_ALLOW_PRIVATE_ADDRESSES",
        "CA_ACME_VALIDATION_TIMEOUT", "CA_EMAIL_HOST", "CA_EMAIL_PORT", "CA_EMAIL_USER", "CA_EMAIL_PASSWORD",
        "CA_EMAIL_USE_TLS", "CA_EMAIL_USE_SSL", "CA_EMAIL_FROM", "CA_EMAIL_TLS_CA_FILE", "CA_EMAIL_TIMEOUT",
        "CA_JOB_NOTIFICATION_INTERVAL", "CA_ENABLE_REST_API", "CA_ENABLE_WEB_UI", "CA_PASSWORD_HASH_COST",
        "CA_SESSION_SECONDS", "CA_LOGIN_ATTEMPTS", "CA_LOGIN_LOCKOUT_SECONDS", "CA_KEY_BACKENDS",
        "CA_OCSP_KEY_BACKENDS", "CA_SHORT_LIVED_MAXIMUM_DAYS", "CA_DELTA_CRL_EXPIRES", "CA_LOG_FORMAT", "CA_LOG_LEVEL",
        "CA_MAX_OCSP_REQUEST_BYTES", "CA_MAX_ACME_REQUEST_BYTES", "CA_MAX_API_REQUEST_BYTES", "CA_MAX_WEB_REQUEST_BYTES",
        "CA_MAX_HEADER_BYTES", "CA_MAX_CONNECTIONS", "CA_REQUEST_TIMEOUT", "CA_ACME_MAX_NEW_ORDERS_PER_HOUR",
    ]

    /// Other names a setting answers to, for users who know Django's (EMAIL_HOST_USER, DEFAULT_FROM_EMAIL).
    /// The setting's own name wins when both are given.
    public static let aliases: [String: String] = [
        "CA_EMAIL_HOST_USER": "CA_EMAIL_USER", "CA_EMAIL_HOST_PASSWORD": "CA_EMAIL_PASSWORD",
        "CA_DEFAULT_FROM_EMAIL": "CA_EMAIL_FROM",
    ]

    /// The database this installation uses: CA_DATABASE_URL if set, else the SQLite file CA_DATABASE.
    public var database: DatabaseLocation { databaseURL ?? .sqlite(path: databasePath) }

    public static func defaults(home: String) -> Settings {
        let directory = (home as NSString).appendingPathComponent(".swift-ca")
        return Settings(
            caDirectory: directory,
            databasePath: (directory as NSString).appendingPathComponent("swift-ca.sqlite3"),
            databaseURL: nil,
            defaultExpiresDays: 100,
            defaultCAExpiresDays: 3650,
            defaultProfile: "webserver",
            profileOverrides: [:],
            defaultSubject: nil,
            defaultPrivateKeyType: "RSA",
            defaultKeySize: 4096,
            minimumKeySize: 2048,
            defaultEllipticCurve: .secp256r1,
            defaultSignatureHash: nil,
            defaultHostname: nil,
            defaultCA: nil,
            passwords: [:],
            urlPath: "ca/",
            notificationDays: [14, 7, 3, 1],
            sources: Dictionary(uniqueKeysWithValues: names.map { ($0, "default") })
        )
    }

    /// The password configured for a CA in CA_PASSWORDS, whatever spelling of the serial was used there.
    public func configuredPassword(forSerial serial: String) -> String? {
        for (key, value) in passwords where SerialNumberText.normalize(key) == serial {
            return value
        }
        return nil
    }

    public var keyDirectory: String { (caDirectory as NSString).appendingPathComponent("keys") }
}

/// What a django-ca settings file says about the installation it configures: `import-django-ca`'s defaults.
public struct DjangoInstallationSettings: Sendable {
    /// DATABASES' `default`.
    public var database: DatabaseLocation?
    /// The location of the `django-ca` storage in STORAGES, where its CA keys are.
    public var keyDirectory: String?
    /// CA_KEY_BACKENDS: the PKCS#11 token label of each HSM key backend, by its alias.
    public var hsmTokens: [String: String] = [:]

    public init(database: DatabaseLocation? = nil, keyDirectory: String? = nil) {
        self.database = database
        self.keyDirectory = keyDirectory
    }
}

/// One entry of CA_KEY_BACKENDS or CA_OCSP_KEY_BACKENDS.
public enum KeyBackendSetting: Sendable, Equatable {
    /// Key files in `<CA_DIR>/keys` (django-ca's StoragesBackend).
    case file
    /// A PKCS#11 token (django-ca's HSMBackend): the module's path, the token's label and its PINs.
    case hsm(libraryPath: String, token: String, userPIN: String?, soPIN: String?)
}
