import Foundation
import Testing
@testable import CACore

/// CA_DATABASE_URL and `--database`: both databases' URLs, and clear errors (never echoing a password).
@Suite struct DatabaseLocationTests {
    @Test func readsSQLiteAndPostgresURLs() throws {
        #expect(try DatabaseLocation.parse("sqlite:///srv/ca/ca.sqlite3") == .sqlite(path: "/srv/ca/ca.sqlite3"))
        #expect(try DatabaseLocation.parse("postgres://ca:s%40cret@db.example.com:6432/pki?sslmode=require")
            == .postgres(PostgresLocation(host: "db.example.com", port: 6432, user: "ca", password: "s@cret", database: "pki", transport: .tls)))
        let plain = try DatabaseLocation.parse("postgresql://ca@127.0.0.1/pki")
        #expect(plain == .postgres(PostgresLocation(host: "127.0.0.1", port: 5432, user: "ca", password: nil, database: "pki", transport: .plain)))
        #expect(try DatabaseLocation.parse("postgres://ca:secret@db/pki").description == "postgres://ca:***@db:5432/pki")
    }

    @Test(arguments: [
        ("mysql://ca@db/pki", "must be sqlite"), ("sqlite://relative.db", "must be sqlite"), ("postgres://db/pki", "must name a user"),
        ("postgres://ca@db/", "must be sqlite"), ("postgres://ca@db/pki?sslmode=prefer", "sslmode"),
        ("postgres://ca@db/pki?timeout=3", "unknown parameter"), ("postgres://ca:hunter2@/pki", "***"),
    ])
    func refusesWhatItCannotUse(url: String, message: String) {
        #expect {
            try DatabaseLocation.parse(url)
        } throws: { error in
            let text = (error as? CAError)?.message ?? ""
            return text.contains(message) && !text.contains("hunter2")
        }
    }

    @Test func theURLWinsOverTheFileAndTheOptionWinsOverTheEnvironment() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_DATABASE_URL": "postgres://ca@db/pki", SettingsLoader.databaseOptionVariable: "sqlite:///tmp/x.sqlite3",
        ])
        #expect(settings.database == .sqlite(path: "/tmp/x.sqlite3"))
        #expect(settings.sources["CA_DATABASE_URL"] == "option --database")
        let environmentOnly = try SettingsLoader.load(environment: ["HOME": "/h", "CA_DATABASE_URL": "postgres://ca@db/pki"])
        #expect(environmentOnly.database.isPostgres)
        #expect(try SettingsLoader.load(environment: ["HOME": "/h"]).database == .sqlite(path: "/h/.swift-ca/swift-ca.sqlite3"))
    }
}
