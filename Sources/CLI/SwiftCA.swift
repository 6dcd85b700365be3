import ArgumentParser
import CACore
import Foundation

@main
struct SwiftCA: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "swift-ca",
        abstract: "A certificate authority: create CAs, sign and revoke certificates.",
        discussion: """
            Settings come from $SWIFT_CA_SETTINGS or django-ca's $DJANGO_CA_SETTINGS (JSON or django-ca's YAML; else \
            <CA_DIR>/settings.json and settings.yaml) and the environment; \
            run `swift-ca settings` to see them. The global option --database URL (sqlite:///PATH or \
            postgres://USER:PASSWORD@HOST:PORT/NAME) chooses the database for any command, like CA_DATABASE_URL. Every command also answers to django-ca's name (init_ca, sign_cert, ...).
            """,
        version: version,
        subcommands: [
            InitCA.self, EditCA.self, ImportCA.self, ImportDjangoCA.self, ListCAs.self, ViewCA.self, DumpCA.self,
            SignCert.self, ResignCert.self, ImportCert.self, ListCerts.self, ViewCert.self, DumpCert.self,
            RevokeCert.self, CertWatchers.self, NotifyExpiringCerts.self, RevokeCA.self, DumpCRL.self, DumpOCSPIndex.self, GenerateCRLs.self,
            GenerateOCSPKeys.self, GenerateOCSPResponses.self, ACMECleanupCommand.self, ACMEExternalAccountCommand.self, MigrateDatabase.self, ListJobs.self,
            BackupCommand.self, RestoreCommand.self, CreateUser.self, ListUsers.self, DeleteUser.self, SetPassword.self, CreateToken.self, ListTokens.self, DeleteToken.self,
            SignSSHCert.self, ListSSHCerts.self, ViewSSHCert.self, RevokeSSHCert.self, DumpKRL.self,
            AuditLog.self, Serve.self, SettingsCommand.self, InitDemo.self, Benchmark.self,
        ]
    )

    /// Takes the global `--database` option out before ArgumentParser sees the arguments, so that it works
    /// with every command without each declaring it.
    static func main() async {
        // Answered before ArgumentParser, whose reflection over every command costs more than the answer: scripts
        // and health checks call `--version` often.
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            print(version)
            return
        }
        let arguments: [String]
        do {
            arguments = try GlobalDatabaseOption.extract(from: Array(CommandLine.arguments.dropFirst()))
        } catch {
            CommandRunner.fail(error)
        }
        do {
            var command: any ParsableCommand
            if let named = parseNamedCommand(arguments) {
                command = named
            } else {
                command = try parseAsRoot(arguments)
            }
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

extension SwiftCA {
    /// The command the first argument names, parsed on its own; nil when there is none or its arguments do not
    /// parse. ArgumentParser's parse from the root reflects over all 37 commands, which took half of a
    /// `sign-cert`'s time; a command parsed alone costs only its own options. Whatever does not parse here
    /// (`--help`, a mistake) is parsed again from the root, so that help and errors read as before.
    static func parseNamedCommand(_ arguments: [String]) -> sending (any ParsableCommand)? {
        guard let name = arguments.first, let command = commandsByName[name] else { return nil }
        return try? command.parseAsRoot(Array(arguments.dropFirst()))
    }

    private static let commandsByName: [String: any ParsableCommand.Type] = {
        var table: [String: any ParsableCommand.Type] = [:]
        for command in configuration.subcommands {
            for name in [command.configuration.commandName].compactMap({ $0 }) + command.configuration.aliases {
                table[name] = command
            }
        }
        return table
    }()
}

/// `--database URL` or `--database=URL` anywhere before `--`. The value reaches the settings loader
/// through the process environment, where it outranks CA_DATABASE_URL.
enum GlobalDatabaseOption {
    static let environmentName = SettingsLoader.databaseOptionVariable

    static func extract(from arguments: [String]) throws -> [String] {
        var remaining: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                remaining += arguments[index...]
                break
            }
            if argument == "--database" {
                guard index + 1 < arguments.count else {
                    throw CAError(.invalidInput, "--database needs a URL (sqlite:///PATH or postgres://USER@HOST/NAME)")
                }
                try use(arguments[index + 1])
                index += 2
                continue
            }
            if argument.hasPrefix("--database=") {
                try use(String(argument.dropFirst("--database=".count)))
                index += 1
                continue
            }
            remaining.append(argument)
            index += 1
        }
        return remaining
    }

    private static func use(_ value: String) throws {
        _ = try DatabaseLocation.parse(value)
        setenv(environmentName, value, 1)
    }
}
