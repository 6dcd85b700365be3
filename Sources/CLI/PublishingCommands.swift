import ArgumentParser
import CAAuthority
import CACore
import Foundation

struct GenerateCRLs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-crls",
        abstract: "Sign and store the CRLs of CA_CRL_PROFILES that are due (for cron; `serve` does this itself).",
        aliases: ["generate_crls"])

    @Argument(help: "Full serials of the CAs (default: every usable CA).") var serials: [String] = []
    @Option(help: "Skip this CA (full serial; repeatable).") var exclude: [String] = []
    @Flag(help: "Sign again even if the stored CRLs are current.") var force = false
    @Option(help: "Password of the CA's key (only when one CA is named).") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @OptionGroup var pins: TokenPINOptions

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            let outcomes = try await authority.generateRevocationLists(
                serials: serials, exclude: exclude, force: force, password: try passwordFile.password(or: password))
            var failures: [String] = []
            for outcome in outcomes {
                let serial = SerialNumberText.colonSeparated(outcome.authority.serial)
                switch outcome.result {
                case .generated(let number): print("\(serial) - \(outcome.authority.name): \(outcome.profile) CRL #\(number) stored")
                case .current: print("\(serial) - \(outcome.authority.name): \(outcome.profile) CRL is current")
                case .failed(let error): failures.append("\(outcome.authority.name) (\(outcome.profile)): \(error.message)")
                }
            }
            try JobFailures.report(failures)
        }
    }
}

struct GenerateOCSPKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-ocsp-keys",
        abstract: "Create or renew the OCSP responder key and certificate of CAs (for cron; `serve` does this itself).",
        aliases: ["generate_ocsp_keys"])

    @Argument(help: "Full serials of the CAs (default: every usable CA).") var serials: [String] = []
    @Option(help: "Skip this CA (full serial; repeatable).") var exclude: [String] = []
    @Flag(help: "Renew even if the current responder certificate is far from expiry.") var force = false
    @Option(help: "Password of the CA's key (only when one CA is named).") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @OptionGroup var pins: TokenPINOptions

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            let outcomes = try await authority.generateResponderKeys(
                serials: serials, exclude: exclude, force: force, password: try passwordFile.password(or: password))
            var failures: [String] = []
            for outcome in outcomes {
                let serial = SerialNumberText.colonSeparated(outcome.authority.serial)
                switch outcome.result {
                case .created(let record):
                    print("\(serial) - \(outcome.authority.name): responder certificate \(SerialNumberText.colonSeparated(record.serial)) created")
                case .current(let record):
                    print("\(serial) - \(outcome.authority.name): responder certificate \(SerialNumberText.colonSeparated(record.serial)) is current")
                case .failed(let error): failures.append("\(outcome.authority.name): \(error.message)")
                }
            }
            try JobFailures.report(failures)
        }
    }
}

/// Jobs go on past a CA that fails; the command still fails, naming each CA once.
enum JobFailures {
    static func report(_ failures: [String]) throws {
        guard !failures.isEmpty else { return }
        throw CAError(.keyAccess, failures.joined(separator: "; "))
    }
}

struct GenerateOCSPResponses: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-ocsp-responses",
        abstract: "Pre-sign OCSP responses for every unexpired certificate (for cron; `serve` does this itself).",
        aliases: ["generate_ocsp_responses"])

    @Flag(help: "Print only the result, no progress.") var quiet = false

    func run() async throws {
        try await CommandRunner.run { authority in
            var failures: [String] = []
            let progress = ProgressLine(label: "generate-ocsp-responses", unit: "responses", enabled: !quiet)
            let outcomes = try await authority.generateOCSPResponses { progress.update($0) }
            progress.finish()
            for outcome in outcomes {
                let serial = SerialNumberText.colonSeparated(outcome.authority.serial)
                switch outcome.result {
                case .signed(let count): print("\(serial) - \(outcome.authority.name): \(count) responses signed")
                case .failed(let error): failures.append("\(outcome.authority.name): \(error.message)")
                }
            }
            try JobFailures.report(failures)
        }
    }
}
