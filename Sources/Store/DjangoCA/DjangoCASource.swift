import CACore
import Foundation
import SQLKit

/// Reads a django-ca 3.x database (SQLite or PostgreSQL) for `import-django-ca`, in one read-only snapshot.
/// It never writes there: the SQLite file is opened with `query_only`, PostgreSQL in a READ ONLY transaction.
public enum DjangoCASource {
    /// django-ca's migrations by the release that added them: what the newest one says about the version.
    static let oldestSupportedMigration = 55
    static let newestKnownMigration = 60

    public static func read(_ location: DatabaseLocation) async throws -> DjangoCAInstallation {
        let connection: DatabaseConnection
        switch location {
        case .sqlite(let path):
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CAError(.invalidInput, "cannot read the django-ca database \(path): no such readable file")
            }
            connection = try await DatabaseConnection.openSQLite(path: path, reader: true)
        case .postgres(let postgres):
            connection = try await Store.openPostgres(postgres, migrating: false)
        }
        do {
            let installation = try await connection.onOwnThread {
                let begin = connection.dialect == .postgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"
                try await connection.execute(begin)
                do {
                    let installation = try await Reader(connection: connection, location: location).read()
                    try await connection.execute("COMMIT")
                    return installation
                } catch {
                    try? await connection.execute("ROLLBACK")
                    throw error
                }
            }
            await connection.shutdown()
            return installation
        } catch {
            await connection.shutdown()
            throw error
        }
    }

    /// The django-ca release a migration name (`0060_acmeorder_error`) belongs to, such as "3.2".
    public static func releaseName(ofMigration name: String) -> String {
        Int(name.prefix(4)).map(release(ofMigration:)) ?? "of unknown version"
    }

    /// A django-ca version from its newest migration's number.
    static func release(ofMigration number: Int) -> String {
        switch number {
        case ..<55: return "older than 2.4"
        case 55: return "2.4 to 3.0"
        case 56...58: return "3.1"
        case 59...60: return "3.2"
        default: return "newer than 3.2"
        }
    }

    struct Reader {
        let connection: DatabaseConnection
        let location: DatabaseLocation

        var database: any SQLDatabase { connection.database }
        var isPostgres: Bool { connection.dialect == .postgres }

        /// Whole seconds since 1970 of a timestamp column, in each database's own spelling; fractions are dropped
        /// (PostgreSQL's cast alone would round 20.6 up to 21).
        func seconds(_ column: String) -> String {
            isPostgres ? "CAST(FLOOR(EXTRACT(EPOCH FROM \(column))) AS BIGINT)" : "CAST(strftime('%s', \(column)) AS INTEGER)"
        }

        func flag(_ column: String) -> String { "CASE WHEN \(column) THEN 1 ELSE 0 END" }
        func text(_ column: String) -> String { isPostgres ? "CAST(\(column) AS TEXT)" : column }

        func rows(_ sql: String) async throws -> [any SQLRow] {
            try await connection.run { try await database.raw(SQLQueryString(sql)).all() }
        }

        func read() async throws -> DjangoCAInstallation {
            let newest = try await checkVersion()
            var installation = DjangoCAInstallation(newestMigration: newest)
            installation.authorities = try await authorities()
            installation.certificates = try await certificates()
            installation.watchers = try await rows(
                """
                SELECT link.certificate_id AS certificate_id, watcher.mail AS mail
                FROM django_ca_certificate_watchers link JOIN django_ca_watcher watcher ON watcher.id = link.watcher_id
                ORDER BY link.certificate_id, watcher.mail
                """
            ).map { DjangoCAWatcherRow(certificateID: try $0.decode(column: "certificate_id", as: Int64.self), mail: try $0.decode(column: "mail", as: String.self)) }
            for row in try await rows("SELECT ca_id, MAX(number) AS number FROM django_ca_certificaterevocationlist GROUP BY ca_id") {
                installation.highestRevocationListNumbers[try row.decode(column: "ca_id", as: Int64.self)] =
                    try row.decode(column: "number", as: Int.self)
            }
            installation.acmeAccounts = try await rows(
                """
                SELECT ca_id, pem, thumbprint, slug, status, contact, \(flag("terms_of_service_agreed")) AS terms,
                \(seconds("created")) AS created FROM django_ca_acmeaccount ORDER BY id
                """
            ).map { row in
                DjangoCAACMEAccountRow(
                    authorityID: try row.decode(column: "ca_id", as: Int64.self),
                    publicKeyPEM: try row.decode(column: "pem", as: String.self),
                    thumbprint: try row.decode(column: "thumbprint", as: String.self),
                    slug: try row.decode(column: "slug", as: String.self),
                    status: try row.decode(column: "status", as: String.self),
                    contact: try row.decode(column: "contact", as: String.self),
                    termsOfServiceAgreed: try row.decode(column: "terms", as: Int.self) != 0,
                    createdAt: Date(storedSeconds: try row.decode(column: "created", as: Int64.self)))
            }
            return installation
        }

        /// The newest django-ca migration, refusing databases that are not django-ca's or are of a release whose
        /// tables this reader does not know.
        func checkVersion() async throws -> String {
            let tableQuery = isPostgres
                ? "SELECT table_name AS name FROM information_schema.tables WHERE table_name = 'django_migrations'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            guard try await !rows(tableQuery).isEmpty else {
                throw CAError(.invalidInput, "\(location.description) is not a django-ca database: it has no django_migrations table")
            }
            let names = try await rows("SELECT name FROM django_migrations WHERE app = 'django_ca'").map {
                try $0.decode(column: "name", as: String.self)
            }
            // The squashed migration (0001_squashed_0052_...) is recorded last; the number in front decides.
            let numbered = names.compactMap { name in Int(name.prefix(4)).map { (number: $0, name: name) } }
            guard let newest = numbered.max(by: { $0.number < $1.number }) else {
                throw CAError(.invalidInput, "\(location.description) is not a django-ca database: Django's, but django-ca's tables were never created there")
            }
            guard newest.number >= oldestSupportedMigration else {
                throw CAError(
                    .invalidInput,
                    "\(location.description) is a django-ca \(release(ofMigration: newest.number)) database (newest migration \(newest.name)); "
                        + "upgrade it to django-ca 3.x with its own `manage.py migrate` first")
            }
            guard newest.number <= newestKnownMigration else {
                throw CAError(
                    .invalidInput,
                    "\(location.description) is a django-ca database newer than 3.2 (migration \(newest.name)); swift-ca reads django-ca 3.0 to 3.2")
            }
            return newest.name
        }

        func revocation(_ row: any SQLRow) throws -> DjangoCARevocationColumns {
            DjangoCARevocationColumns(
                revoked: try row.decode(column: "revoked", as: Int.self) != 0,
                revokedAt: try row.decode(column: "revoked_date", as: Int64?.self).map(Date.init(storedSeconds:)),
                reason: try row.decode(column: "revoked_reason", as: String.self),
                compromisedAt: try row.decode(column: "compromised", as: Int64?.self).map(Date.init(storedSeconds:)))
        }

        var revocationColumns: String {
            "\(flag("revoked")) AS revoked, \(seconds("revoked_date")) AS revoked_date, revoked_reason, \(seconds("compromised")) AS compromised"
        }

        func authorities() async throws -> [DjangoCAAuthorityRow] {
            try await rows(
                """
                SELECT id, name, serial, pub, parent_id, \(flag("enabled")) AS enabled, \(revocationColumns),
                key_backend_alias, \(text("key_backend_options")) AS key_backend_options,
                \(text("sign_authority_information_access")) AS sign_aia, \(text("sign_certificate_policies")) AS sign_policies,
                \(text("sign_crl_distribution_points")) AS sign_crl, \(text("sign_issuer_alternative_name")) AS sign_ian,
                caa_identity, website, terms_of_service, ocsp_key_backend_alias,
                \(text("ocsp_key_backend_options")) AS ocsp_key_backend_options, ocsp_responder_key_validity, ocsp_response_validity,
                \(flag("acme_enabled")) AS acme_enabled, \(flag("acme_registration")) AS acme_registration,
                \(flag("acme_requires_contact")) AS acme_requires_contact, acme_profile, \(flag("api_enabled")) AS api_enabled,
                \(seconds("created")) AS created
                FROM django_ca_certificateauthority ORDER BY id
                """
            ).map { row in
                DjangoCAAuthorityRow(
                    id: try row.decode(column: "id", as: Int64.self),
                    name: try row.decode(column: "name", as: String.self),
                    serial: try row.decode(column: "serial", as: String.self),
                    certificate: [UInt8](try row.decode(column: "pub", as: Data.self)),
                    parentID: try row.decode(column: "parent_id", as: Int64?.self),
                    enabled: try row.decode(column: "enabled", as: Int.self) != 0,
                    revocation: try revocation(row),
                    keyBackendAlias: try row.decode(column: "key_backend_alias", as: String.self),
                    keyBackendOptions: try row.decode(column: "key_backend_options", as: String.self),
                    signAuthorityInformationAccess: try row.decode(column: "sign_aia", as: String?.self),
                    signCertificatePolicies: try row.decode(column: "sign_policies", as: String?.self),
                    signCRLDistributionPoints: try row.decode(column: "sign_crl", as: String?.self),
                    signIssuerAlternativeName: try row.decode(column: "sign_ian", as: String?.self),
                    caaIdentity: try row.decode(column: "caa_identity", as: String.self),
                    website: try row.decode(column: "website", as: String.self),
                    termsOfService: try row.decode(column: "terms_of_service", as: String.self),
                    ocspKeyBackendAlias: try row.decode(column: "ocsp_key_backend_alias", as: String.self),
                    ocspKeyBackendOptions: try row.decode(column: "ocsp_key_backend_options", as: String.self),
                    ocspResponderKeyValidityDays: try row.decode(column: "ocsp_responder_key_validity", as: Int.self),
                    ocspResponseValiditySeconds: try row.decode(column: "ocsp_response_validity", as: Int.self),
                    acmeEnabled: try row.decode(column: "acme_enabled", as: Int.self) != 0,
                    acmeRegistration: try row.decode(column: "acme_registration", as: Int.self) != 0,
                    acmeRequiresContact: try row.decode(column: "acme_requires_contact", as: Int.self) != 0,
                    acmeProfile: try row.decode(column: "acme_profile", as: String.self),
                    apiEnabled: try row.decode(column: "api_enabled", as: Int.self) != 0,
                    createdAt: Date(storedSeconds: try row.decode(column: "created", as: Int64.self)))
            }
        }

        func certificates() async throws -> [DjangoCACertificateRow] {
            try await rows(
                """
                SELECT id, ca_id, serial, pub, csr, profile, \(flag("autogenerated")) AS autogenerated, \(revocationColumns),
                \(seconds("created")) AS created FROM django_ca_certificate ORDER BY id
                """
            ).map { row in
                DjangoCACertificateRow(
                    id: try row.decode(column: "id", as: Int64.self),
                    authorityID: try row.decode(column: "ca_id", as: Int64.self),
                    serial: try row.decode(column: "serial", as: String.self),
                    certificate: [UInt8](try row.decode(column: "pub", as: Data.self)),
                    csr: try row.decode(column: "csr", as: Data?.self).map { [UInt8]($0) },
                    profile: try row.decode(column: "profile", as: String.self),
                    autogenerated: try row.decode(column: "autogenerated", as: Int.self) != 0,
                    revocation: try revocation(row),
                    createdAt: Date(storedSeconds: try row.decode(column: "created", as: Int64.self)))
            }
        }
    }
}
