import ArgumentParser
import CAAuthority
import CACore
import Foundation

struct ImportDjangoCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-django-ca",
        abstract: "Bring a django-ca 3.x installation (CAs, keys, certificates, watchers, CRL numbers, ACME accounts) into this database.",
        discussion: """
            Reads django-ca's database without changing it and writes everything in one transaction: a failure \
            leaves this database as it was. Running it again imports nothing twice. Without --from and --key-dir, \
            the DATABASES and STORAGES of django-ca's settings file (DJANGO_CA_SETTINGS) are used.
            """)

    @Option(name: .customLong("from"), help: "django-ca's database: sqlite:///PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/NAME.")
    var source: String?
    @Option(help: "django-ca's key storage directory (the location of its \"django-ca\" storage; CA_DIR).")
    var keyDir: String?
    @Option(
        name: .customLong("password"), parsing: .singleValue,
        help: "SERIAL=PASSWORD for an encrypted CA key (repeatable; CA_PASSWORDS and a prompt are used too).")
    var passwords: [String] = []
    @Flag(help: "Import CAs whose key file is missing, without their key (they cannot sign until it is restored).")
    var allowMissingKeys = false
    @Flag(help: "Print only the result, no progress.") var quiet = false

    func run() async throws {
        try await CommandRunner.run { authority in
            let settings = authority.settings
            let location: DatabaseLocation
            if let source {
                location = try DatabaseLocation.parse(source.hasPrefix("/") ? "sqlite://" + source : source)
            } else if let configured = settings.djangoInstallation.database {
                location = configured
            } else {
                throw CAError(.invalidInput, "name django-ca's database with --from (or DATABASES in its settings file)")
            }
            var options = DjangoCAImportOptions(
                keyDirectory: keyDir ?? settings.djangoInstallation.keyDirectory, allowMissingKeys: allowMissingKeys)
            for entry in passwords {
                guard let equals = entry.firstIndex(of: "="), SerialNumberText.normalize(String(entry[..<equals])) != nil else {
                    throw CAError(.invalidInput, "--password \"\(entry.prefix(while: { $0 != "=" }))=...\" must be SERIAL=PASSWORD")
                }
                options.passwords[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            }
            let installation = try await Authority.readDjangoCAInstallation(location)
            let progress = ProgressLine(label: "import-django-ca", unit: "certificates", enabled: !quiet)
            let report = try await authority.importDjangoCA(
                installation, options: options,
                passwordPrompt: { name, serial in
                    TerminalPrompt.password("Password of the key of CA \(name) (\(SerialNumberText.colonSeparated(serial))): ")
                },
                progress: { done, total in progress.update(done, of: total) })
            progress.finish()
            print("Imported from \(report.djangoCARelease) (\(location.description)):")
            for kind in DjangoCAImportReport.Kind.allCases {
                let imported = report.imported[kind] ?? 0
                let skipped = report.skipped[kind] ?? 0
                print("  \(kind.rawValue): \(imported) imported" + (skipped > 0 ? ", \(skipped) skipped (already here)" : ""))
            }
            for note in report.notes { print("note: \(note)") }
        }
    }
}
