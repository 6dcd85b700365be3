import ArgumentParser
import CACore
import Foundation

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "Print the effective settings and where each value came from.")

    func run() async throws {
        do {
            let settings = try SettingsLoader.load()
            let profiles = try ProfileCatalog(settings: settings)
            let values: [String: String] = [
                "CA_DIR": settings.caDirectory,
                "CA_DATABASE": settings.databasePath,
                "CA_DATABASE_URL": settings.databaseURL?.description ?? "(none: the SQLite file CA_DATABASE)",
                "CA_DEFAULT_EXPIRES": "\(settings.defaultExpiresDays) days",
                "CA_SHORT_LIVED_MAXIMUM_DAYS": "\(settings.shortLivedMaximumDays) days",
                "CA_DEFAULT_CA_EXPIRES": "\(settings.defaultCAExpiresDays) days",
                "CA_DEFAULT_PROFILE": settings.defaultProfile,
                "CA_PROFILES": profiles.names.joined(separator: ", "),
                "CA_DEFAULT_SUBJECT": settings.defaultSubject ?? "(none)",
                "CA_DEFAULT_PRIVATE_KEY_TYPE": settings.defaultPrivateKeyType,
                "CA_DEFAULT_KEY_SIZE": "\(settings.defaultKeySize)",
                "CA_MIN_KEY_SIZE": "\(settings.minimumKeySize)",
                "CA_DEFAULT_ELLIPTIC_CURVE": settings.defaultEllipticCurve.rawValue,
                "CA_DEFAULT_SIGNATURE_HASH_ALGORITHM": settings.defaultSignatureHash?.rawValue ?? "(matched to the key)",
                "CA_DEFAULT_HOSTNAME": settings.defaultHostname ?? "(none)",
                "CA_DEFAULT_CA": settings.defaultCA ?? "(the usable CA that expires last)",
                // Passwords are secrets: show only for which CAs one is configured.
                "CA_PASSWORDS": settings.passwords.isEmpty ? "(none)" : "set for " + settings.passwords.keys.sorted().joined(separator: ", "),
                "CA_URL_PATH": "/" + settings.urlPath,
                "CA_NOTIFICATION_DAYS": settings.notificationDays.map(String.init).joined(separator: ", "),
                "CA_CRL_PROFILES": settings.crlProfiles.keys.sorted().joined(separator: ", "),
                "CA_OCSP_RESPONDER_KEY_VALIDITY": "\(settings.ocsp.responderCertificateDays) days",
                "CA_OCSP_RESPONDER_CERTIFICATE_RENEWAL": "\(Int(settings.ocsp.responderCertificateRenewal)) seconds",
                "CA_OCSP_RESPONSE_VALIDITY": "\(Int(settings.ocsp.responseValidity)) seconds",
                "CA_OCSP_RESPONSE_CACHE_RENEWAL": "\(Int(settings.ocsp.responseRenewal)) seconds",
                "CA_OCSP_CACHE_ENTRIES": "\(settings.ocsp.cacheEntries)",
                "CA_LOG_FORMAT": settings.logFormat.rawValue,
                "CA_LOG_LEVEL": settings.logLevel,
                "CA_DELTA_CRL_EXPIRES": "\(Int(settings.deltaCRLExpires)) seconds",
                "CA_JOB_CRL_INTERVAL": "\(Int(settings.jobs.crlCheckInterval)) seconds",
                "CA_JOB_OCSP_KEY_INTERVAL": "\(Int(settings.jobs.ocspKeyInterval)) seconds",
                "CA_JOB_OCSP_RESPONSE_INTERVAL": "\(Int(settings.jobs.ocspResponseInterval)) seconds",
                "CA_JOB_STATUS_POLL_MILLISECONDS": "\(settings.jobs.statusPollMilliseconds) ms",
                "CA_ENABLE_ACME": settings.acmeEnabled ? "true" : "false",
                "CA_ACME_DEFAULT_CERT_VALIDITY": "\(settings.acme.defaultCertificateDays) days",
                "CA_ACME_MAX_CERT_VALIDITY": "\(settings.acme.maximumCertificateDays) days",
                "CA_ACME_ORDER_VALIDITY": "\(Int(settings.acme.orderValidity)) seconds",
                "CA_ACME_HTTP01_PORT": "\(settings.acme.http01Port)",
                "CA_ACME_TLSALPN01_PORT": "\(settings.acme.tlsALPN01Port)",
                "CA_ACME_STATIC_HOSTS": settings.acme.staticHosts.isEmpty
                    ? "(none)" : settings.acme.staticHosts.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                "CA_ACME_DNS_SERVER": settings.acme.dnsServer.map { "\($0.host):\($0.port)" } ?? "(none: no dns-01, no CAA check)",
                "CA_ACME_ALLOW_PRIVATE_ADDRESSES": settings.acme.allowPrivateAddresses ? "true" : "false",
                "CA_ACME_VALIDATION_TIMEOUT": "\(Int(settings.acme.validationTimeout)) seconds",
                "CA_JOB_ACME_CLEANUP_INTERVAL": "\(Int(settings.jobs.acmeCleanupInterval)) seconds",
                "CA_JOB_INTERVAL": "\(Int(settings.jobs.schedulerInterval)) seconds",
                "CA_JOB_LEASE_SECONDS": "\(Int(settings.jobs.leaseSeconds)) seconds",
                "CA_EMAIL_HOST": settings.email.host ?? "(none: no mail is sent)",
                "CA_EMAIL_PORT": "\(settings.email.effectivePort)",
                "CA_EMAIL_USER": settings.email.user ?? "(none: no login)",
                // The password is a secret: show only whether one is set.
                "CA_EMAIL_PASSWORD": settings.email.password == nil ? "(none)" : "(set)",
                "CA_EMAIL_USE_TLS": settings.email.useSTARTTLS ? "true" : "false",
                "CA_EMAIL_USE_SSL": settings.email.useImplicitTLS ? "true" : "false",
                "CA_EMAIL_FROM": settings.email.from?.headerValue ?? "(none)",
                "CA_EMAIL_TLS_CA_FILE": settings.email.tlsCAFile ?? "(the system trust store)",
                "CA_EMAIL_TIMEOUT": "\(Int(settings.email.timeout)) seconds",
                "CA_JOB_NOTIFICATION_INTERVAL": "\(Int(settings.jobs.notificationInterval)) seconds",
                "CA_ENABLE_REST_API": settings.access.restAPIEnabled ? "true" : "false",
                "CA_ENABLE_WEB_UI": settings.access.webInterfaceEnabled ? "true" : "false",
                "CA_PASSWORD_HASH_COST": "\(settings.access.passwordHashCost)",
                "CA_SESSION_SECONDS": "\(Int(settings.access.sessionSeconds)) seconds",
                "CA_LOGIN_ATTEMPTS": "\(settings.access.loginAttempts)",
                "CA_LOGIN_LOCKOUT_SECONDS": "\(Int(settings.access.loginLockoutSeconds)) seconds",
                "CA_KEY_BACKENDS": Self.describe(settings.keyBackends, keyDirectory: settings.keyDirectory),
                "CA_OCSP_KEY_BACKENDS": Self.describe(settings.ocspKeyBackends, keyDirectory: settings.keyDirectory),
                "CA_MAX_OCSP_REQUEST_BYTES": "\(settings.limits.ocspRequestBytes) bytes",
                "CA_MAX_ACME_REQUEST_BYTES": "\(settings.limits.acmeRequestBytes) bytes",
                "CA_MAX_API_REQUEST_BYTES": "\(settings.limits.apiRequestBytes) bytes",
                "CA_MAX_WEB_REQUEST_BYTES": "\(settings.limits.webRequestBytes) bytes",
                "CA_MAX_HEADER_BYTES": "\(settings.limits.headerBytes) bytes",
                "CA_MAX_CONNECTIONS": "\(settings.limits.connections) per listener",
                "CA_REQUEST_TIMEOUT": "\(Int(settings.limits.requestSeconds)) seconds",
                "CA_ACME_MAX_NEW_ORDERS_PER_HOUR": "\(settings.limits.acmeNewOrdersPerHour) per account",
            ]
            for name in Settings.names {
                print("\(name) = \(values[name] ?? "") (\(settings.sources[name] ?? "default"))")
            }
            if let database = settings.djangoInstallation.database {
                print("django-ca's database (DATABASES, import-django-ca --from) = \(database.description)")
            }
            if let keys = settings.djangoInstallation.keyDirectory {
                print("django-ca's key storage (STORAGES, import-django-ca --key-dir) = \(keys)")
            }
            for (name, reason) in settings.ignoredSettings.sorted(by: { $0.key < $1.key }) {
                print("\(name): not used, \(reason)")
            }
        } catch {
            CommandRunner.fail(error)
        }
    }

    static func describe(_ backends: [String: KeyBackendSetting], keyDirectory: String) -> String {
        backends.sorted(by: { $0.key < $1.key }).map { alias, backend in
            switch backend {
            case .file: return "\(alias): files in \(keyDirectory)"
            case .hsm(let library, let token, let userPIN, let soPIN):
                let pins = [userPIN.map { _ in "user PIN set" }, soPIN.map { _ in "SO PIN set" }].compactMap { $0 }
                return "\(alias): token \"\(token)\" in \(library)\(pins.isEmpty ? "" : " (" + pins.joined(separator: ", ") + ")")"
            }
        }.joined(separator: "; ")
    }
}
