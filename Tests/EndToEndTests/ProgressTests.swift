import Foundation
import Testing

/// Long jobs (generate-ocsp-responses, backup, migrate-db, import-django-ca) show count, rate and time left on a terminal (a pseudo-terminal from `script` here), nothing with
/// `--quiet`, and only the result when their output is not a terminal. SWIFT_CA_PROGRESS_DELAY=0 draws from the start,
/// so that the few files of a test backup show it; by default a job must run for a second first.
@Suite(.timeLimit(.minutes(10))) struct ProgressTests {
    /// Runs swift-ca on a pseudo-terminal; returns everything it wrote there.
    static func onTerminal(_ sandbox: Sandbox, _ arguments: [String]) throws -> CommandResult {
        var environment = sandbox.environment
        environment["SWIFT_CA_PROGRESS_DELAY"] = "0"
        let command = ([Binaries.swiftCA] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try runProgram("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], environment: environment)
    }

    @Test func progressOnATerminalOnly() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Progress Root", "--key-type", "EC", "--default-hostname", "ca.example.com")
        let csr = try sandbox.makeCSR("leaf")
        for index in 0..<3 {
            try sandbox.expectSuccess("sign-cert", "--ca", "Root", "--csr", csr, "--alt", "host\(index).example.com", "--output-format", "none")
        }
        try sandbox.expectSuccess("generate-ocsp-keys")

        let shown = try Self.onTerminal(sandbox, ["generate-ocsp-responses"])
        #expect(shown.status == 0, "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("generate-ocsp-responses: ") && shown.standardOutput.contains(" responses, "),
                "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("responses signed"), "the result follows: \(shown.standardOutput)")
        if sandbox.database == nil {
            let backup = try Self.onTerminal(sandbox, ["backup", sandbox.path("backup")])
            #expect(backup.standardOutput.contains("backup: ") && backup.standardOutput.contains(" s left"), "\(backup.standardOutput)")
            let quiet = try Self.onTerminal(sandbox, ["backup", "--quiet", sandbox.path("quiet")])
            #expect(quiet.status == 0 && !quiet.standardOutput.contains("backup: ") && quiet.standardOutput.contains("backup written"),
                    "\(quiet.standardOutput)")
            let migrated = try Self.onTerminal(
                sandbox, ["migrate-db", "--from", "sqlite://" + sandbox.caDirectory + "/swift-ca.sqlite3", "--to", "sqlite://" + sandbox.path("copy.sqlite3")])
            #expect(migrated.status == 0 && migrated.standardOutput.contains("migrate-db: ") && migrated.standardOutput.contains(" tables, "),
                    "\(migrated.standardOutput)")
        }
        // Not a terminal: the result only.
        let piped = try sandbox.swiftCA("generate-ocsp-responses")
        #expect(piped.status == 0 && !piped.standardError.contains("\r") && !piped.standardError.contains("generate-ocsp-responses: "),
                "\(piped.standardError)")
    }
}
