import Foundation
import Testing

/// A database that an earlier swift-ca made is upgraded in place by the next command, and the migrations
/// run over the rows already there: the SAN backfill of migration 14 makes old certificates findable by
/// their alternative names.
@Suite(.timeLimit(.minutes(10))) struct DatabaseUpgradeTests {
    /// The last migration this test knows how to take back (Sources/Store/Migrations.swift).
    static let latestMigration = 18

    /// Makes the database what version 13 of the schema left behind: undoes migrations 14 (the
    /// `alternative_names` column and its backfill), 15 (`api_orders`), 16 (the OpenSSH tables), 17 (CRL shards
    /// and the status changes each CRL saw) and 18 (login attempts), and forgets that they ran.
    static let backToVersion13 = [
        "DROP TABLE login_attempts",
        "DROP INDEX certificates_revoked_by_shard", "ALTER TABLE certificates DROP COLUMN crl_shard",
        "CREATE INDEX certificates_revoked_by_authority ON certificates (authority_serial, revoked_at, serial, not_after, revoked_reason, compromised_at)",
        "ALTER TABLE certificate_revocation_lists DROP COLUMN status_change_id", "DROP TABLE crl_number_sequences",
        "DROP TABLE ssh_expiry_notifications", "DROP TABLE ssh_certificate_watchers", "DROP TABLE ssh_certificates",
        "DROP TABLE ssh_authorities",
        "DROP TABLE api_orders",
        "ALTER TABLE certificates DROP COLUMN alternative_names",
        "DELETE FROM schema_migrations WHERE version >= 14",
    ]

    @Test func migrationsRunOverTheRowsOfAnEarlierVersion() throws {
        let api = try APIFixture(startServer: false)
        let sandbox = api.sandbox
        let csr = try sandbox.makeCSR("old")
        // The backend name is in no CN: only the alternative names can find this certificate by it.
        let oldSerial = try sandbox.expectSuccess(
            "sign-cert", "--csr", csr, "--subject", "CN=frontend.example.com", "--alt", "frontend.example.com",
            "--alt", "backend-only.example.net", "--alt", "IP:10.9.8.7", "--output-format", "serial"
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "unrelated.example.com", "--output-format", "none")
        let viewBefore = try sandbox.expectSuccess("view-cert", oldSerial)

        #expect(try sandbox.sql("SELECT max(version) FROM schema_migrations") == "\(Self.latestMigration)",
                "a new migration: teach backToVersion13 to take it back too, so that this test starts from version 13")
        for statement in Self.backToVersion13 { try sandbox.sql(statement) }
        #expect(try sandbox.sql("SELECT count(*) FROM schema_migrations") == "13")

        // Any command opens the database and so upgrades it.
        let listed = try sandbox.expectSuccess("list-certs")
        #expect(listed.contains("frontend.example.com") && listed.contains("unrelated.example.com"), "\(listed)")
        #expect(try sandbox.sql("SELECT count(*) FROM schema_migrations WHERE version IN (14, 15, 16, 17)") == "4")
        let backfilled = try sandbox.sql("SELECT alternative_names FROM certificates WHERE common_name = 'frontend.example.com'")
        #expect(backfilled.contains("backend-only.example.net") && backfilled.contains("10.9.8.7"), "\(backfilled)")
        #expect(try sandbox.expectSuccess("view-cert", oldSerial) == viewBefore)

        // The REST API searches the backfilled names, and signs into the upgraded tables.
        api.server = try RunningServer(sandbox)
        defer { api.server.stop() }
        let search = try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?search=backend-only", auth: api.bearer("viewer"))
        #expect(search.status == 200, "\(search.text)")
        #expect(search.array.compactMap { $0["common_name"] as? String } == ["frontend.example.com"], "\(search.text)")
        let bySubnet = try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?search=10.9.8", auth: api.bearer("viewer"))
        #expect(bySubnet.array.compactMap { $0["common_name"] as? String } == ["frontend.example.com"], "\(bySubnet.text)")
        let signed = try api.sign(["csr": try api.csrPEM("new"), "subject": "CN=new.example.com"])
        #expect(signed.status == 201, "\(signed.text)")
        // The signature's order, already issued, for clients that poll it as django-ca's do.
        #expect(try sandbox.sql("SELECT status FROM api_orders") == "issued")
        #expect(api.server.stop().status == 0)
        // The OpenSSH tables of migration 16 are there and used.
        try sandbox.expectSuccess("init-ca", "Upgraded SSH", "--openssh-ca")
        #expect(try sandbox.expectSuccess("list-cas").contains("Upgraded SSH (OpenSSH CA)"))
        // Migration 17: certificates from before name no shard; a CA with shards issues into them.
        try sandbox.expectSuccess("init-ca", "Sharded", "CN=Sharded", "--key-type", "EC", "--default-hostname", "ca.example.com", "--crl-shards", "2")
        let sharded = try sandbox.expectSuccess("sign-cert", "--ca", "Sharded", "--csr", csr, "--alt", "sharded.example.com")
        #expect(try sandbox.sql("SELECT count(*) FROM certificates WHERE crl_shard IS NOT NULL") == "1")
        #expect(try sandbox.sql("SELECT count(*) FROM certificates WHERE crl_shard IS NULL AND common_name = 'frontend.example.com'") == "1")
        #expect(sharded.contains("BEGIN CERTIFICATE"))
        try sandbox.expectSuccess("generate-crls")
    }
}

extension Sandbox {
    /// One statement on the sandbox's database by the database's own client; returns the rows as text, one a
    /// line, columns separated by `|`.
    @discardableResult
    func sql(_ statement: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result: CommandResult
        if let database {
            result = try runProgram("/usr/bin/env", ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-t", "-A", "-d", database.url, "-c", statement])
        } else {
            let script = """
                import sqlite3, sys
                connection = sqlite3.connect(sys.argv[1])
                for row in connection.execute(sys.argv[2]):
                    print("|".join("" if value is None else str(value) for value in row))
                connection.commit()
                """
            result = try runProgram("/usr/bin/env", ["python3", "-c", script, caDirectory + "/swift-ca.sqlite3", statement])
        }
        #expect(result.succeeded, "\(statement): \(result.standardError)", sourceLocation: sourceLocation)
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
