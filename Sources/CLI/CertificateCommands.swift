import ArgumentParser
import CAAuthority
import CACore
import CAStore
import Foundation

struct SignCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-cert", abstract: "Sign a CSR and print the certificate.", aliases: ["sign_cert"])

    @Option(help: "Serial, CN or name of the signing CA (default: CA_DEFAULT_CA or the usable CA that expires last).")
    var ca: String?
    @Option(help: "The CSR file, PEM or DER; - for standard input.") var csr: String = "-"
    @Option(help: "Subject, e.g. \"CN=host.example.com,O=Example\". The CSR's own subject is ignored.") var subject: String?
    @Option(name: [.customLong("alt"), .customLong("name"), .customLong("subject-alternative-name")],
            help: "Subject alternative name (repeatable): host.example.com, IP:10.0.0.1, email:x@y, URI:...")
    var alternativeNames: [String] = []
    @Flag(help: "Do not copy the CN into the subject alternative names.") var cnNotInSan = false
    @Flag(help: "Use the client profile.") var client = false
    @Flag(help: "Use the server profile.") var server = false
    @Flag(help: "Use the webserver profile (the default unless CA_DEFAULT_PROFILE says otherwise).") var webserver = false
    @Flag(help: "Use the enduser profile.") var enduser = false
    @Flag(help: "Use the ocsp profile.") var ocsp = false
    @Option(help: "Use the named profile (built-in or from CA_PROFILES).") var profile: String?
    @Option(help: "Validity in days (default: the profile's or CA_DEFAULT_EXPIRES).") var expires: Int?
    @Option(help: "Signature hash: SHA-256, SHA-384 or SHA-512 (default: the CA's).") var algorithm: String?
    @Option(help: "E-mail address to notify before the certificate expires: user@example.com or \"Name <user@example.com>\" (repeatable).") var watch: [String] = []
    @Option(help: "Password of the CA's key.") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @OptionGroup var pins: TokenPINOptions
    @OptionGroup var extensions: ExtensionOverrideOptions
    @Option(help: "pem, der, text, json, serial or none.") var outputFormat: OutputFormat = .pem
    @Flag(name: [.short, .long], help: "With pem: append the CA chain.") var bundle = false
    @OptionGroup var output: CertificateOutputOptions
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func chosenProfile() throws -> String? {
        let flags = [("client", client), ("server", server), ("webserver", webserver), ("enduser", enduser), ("ocsp", ocsp)]
            .filter(\.1).map(\.0) + (profile.map { [$0] } ?? [])
        guard flags.count <= 1 else {
            throw CAError(.invalidInput, "choose one profile, not \(flags.joined(separator: " and "))")
        }
        return flags.first
    }

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            var request = SigningRequest()
            request.subject = subject
            request.alternativeNames = alternativeNames
            request.profile = try chosenProfile()
            request.expiresDays = expires
            request.hash = try algorithm.map(SignatureHash.init(name:))
            request.overrides = try extensions.overrides()
            request.commonNameInAlternativeNames = !cnNotInSan
            request.watchers = watch
            let csrBytes = try InputFile.read(csr, what: "the CSR file")
            let issued = try await authority.sign(csr: csrBytes, request: request, authority: ca, password: try passwordFile.password(or: password))
            var sink = OutputSink(path: out)
            try await CertificatePresenter.write(
                issued.record, format: outputFormat, bundle: bundle, output: output.presentation, authority: authority, to: &sink)
            try sink.finish()
        }
    }
}

struct ResignCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resign-cert",
        abstract: "Issue a certificate again from its stored CSR with the same parameters and current CA extensions.",
        aliases: ["resign_cert"])

    @Argument(help: "Serial (or unique prefix) or CN of the certificate.") var certificate: String
    @Option(help: "Validity in days (default: as originally requested).") var expires: Int?
    @Option(help: "Additional watcher (repeatable).") var watch: [String] = []
    @Option(help: "Password of the CA's key.") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @OptionGroup var pins: TokenPINOptions
    @Option(help: "pem, der, text, json, serial or none.") var outputFormat: OutputFormat = .pem
    @Flag(name: [.short, .long]) var bundle = false
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            let issued = try await authority.resign(certificate, expiresDays: expires, watchers: watch, password: try passwordFile.password(or: password))
            var sink = OutputSink(path: out)
            try await CertificatePresenter.write(issued.record, format: outputFormat, bundle: bundle, output: Presentation.Output(), authority: authority, to: &sink)
            try sink.finish()
        }
    }
}

struct ImportCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-cert", abstract: "Import a certificate issued by a known CA.", aliases: ["import_cert"])

    @Argument(help: "The certificate file, PEM or DER.") var file: String
    @Option(help: "Serial, CN or name of the issuing CA (found automatically when omitted).") var ca: String?

    func run() async throws {
        try await CommandRunner.run { authority in
            let record = try await authority.importCertificate(try InputFile.read(file, what: "the certificate file"), authority: ca)
            print(SerialNumberText.colonSeparated(record.serial))
        }
    }
}

struct ListCerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-certs", abstract: "List certificates as SERIAL - CN (expires: YYYY-MM-DD).", aliases: ["list_certs"])

    @Option(help: "Only certificates of this CA.") var ca: String?
    @Flag(help: "Include expired certificates.") var expired = false
    @Flag(help: "Include revoked certificates.") var revoked = false
    @Flag(help: "Include certificates the CA made for itself (OCSP responders).") var autogenerated = false
    @Option(help: "text or json.") var outputFormat: OutputFormat = .text
    @Option(help: "Print at most this many certificates (a page).") var limit: Int?
    @Option(help: "Start after this certificate (the last serial of the previous page).") var after: String?

    func run() async throws {
        try await CommandRunner.run { authority in
            var caSerial: String?
            if let ca { caSerial = try await authority.resolveAuthority(ca).serial }
            if let limit, limit < 1 { throw CAError(.invalidInput, "--limit must be at least 1") }
            var position: ListingPosition?
            if let after {
                let record = try await authority.resolveCertificate(after)
                position = ListingPosition(notAfter: record.notAfter, serial: record.serial)
            }
            let filter = CertificateFilter(
                authoritySerial: caSerial, includeExpired: expired, includeRevoked: revoked,
                includeAutogenerated: autogenerated, after: position, limit: limit)
            var sink = OutputSink()
            switch outputFormat {
            case .json:
                let objects = try await authority.listCertificates(filter).map { summary -> [String: Any] in
                    ["serial": SerialNumberText.colonSeparated(summary.serial), "common_name": summary.commonName,
                     "not_valid_after": Presentation.dateText(summary.notAfter), "revoked": summary.revoked,
                     "ca": SerialNumberText.colonSeparated(summary.authoritySerial)]
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
                sink.line(String(decoding: data, as: UTF8.self))
            case .text:
                let now = Date()
                let output = try StreamingOutput()
                let last = LastListed()
                try await authority.forEachCertificate(filter) { summary in
                    last.record(summary.serial)
                    let state: String
                    if summary.revoked { state = "revoked" }
                    else if summary.notAfter <= now { state = "expired: \(Presentation.day(summary.notAfter))" }
                    else { state = "expires: \(Presentation.day(summary.notAfter))" }
                    output.line("\(SerialNumberText.colonSeparated(summary.serial)) - \(summary.commonName) (\(state))")
                }
                output.flush()
                // On stderr, so that standard output stays one certificate per line.
                if let limit, last.count == limit, let serial = last.serial {
                    FileHandle.standardError.write(Data("next page: --after \(SerialNumberText.colonSeparated(serial))\n".utf8))
                }
            default:
                throw CAError(.invalidInput, "list-certs prints text or json")
            }
            try sink.finish()
        }
    }
}

/// The last serial a streamed listing printed, and how many it printed.
final class LastListed: @unchecked Sendable {
    // @unchecked: written from the database thread, read after the listing finished.
    private let lock = NSLock()
    private(set) var serial: String?
    private(set) var count = 0

    func record(_ serial: String) {
        lock.withLock {
            self.serial = serial
            count += 1
        }
    }
}

struct CertificateViewOptions: ParsableArguments {
    @Argument(help: "Serial (or unique prefix) or CN of the certificate.") var certificate: String
    @Option(help: "text, pem, der, json or serial.") var outputFormat: OutputFormat?
    @Flag(name: [.short, .long], help: "With pem: append the CA chain.") var bundle = false
    @Option(help: "Write to this file instead of standard output.") var out: String?
    @OptionGroup var output: CertificateOutputOptions

    func run(defaultFormat: OutputFormat) async throws {
        try await CommandRunner.run { authority in
            let record = try await authority.resolveCertificate(certificate)
            var sink = OutputSink(path: out)
            try await CertificatePresenter.write(
                record, format: outputFormat ?? defaultFormat, bundle: bundle, output: output.presentation, authority: authority, to: &sink)
            try sink.finish()
        }
    }
}

struct ViewCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "view-cert", abstract: "Show a certificate.", aliases: ["view_cert"])
    @OptionGroup var options: CertificateViewOptions
    func run() async throws { try await options.run(defaultFormat: .text) }
}

struct DumpCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-cert", abstract: "Write a certificate (PEM by default).", aliases: ["dump_cert"])
    @OptionGroup var options: CertificateViewOptions
    func run() async throws { try await options.run(defaultFormat: .pem) }
}

struct RevokeCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-cert", abstract: "Revoke a certificate.", aliases: ["revoke_cert"])

    @Argument(help: "Serial (or unique prefix) or CN of the certificate.") var certificate: String
    @OptionGroup var revocation: RevocationOptions

    func run() async throws {
        try await CommandRunner.run { authority in
            let (reason, compromisedAt) = try revocation.parsed()
            let record = try await authority.revoke(certificate, reason: reason, compromisedAt: compromisedAt)
            print(RevocationOptions.confirmation(serial: record.serial, name: record.commonName, reason: reason))
        }
    }
}

struct CertWatchers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert-watchers", abstract: "Add or remove e-mail watchers of a certificate.", aliases: ["cert_watchers"])

    @Argument(help: "Serial (or unique prefix) or CN of the certificate; with --ssh, the SSH certificate's decimal serial.")
    var certificate: String
    @Option(name: [.short, .long], help: "Add a watcher (repeatable).") var add: [String] = []
    @Option(name: [.short, .customLong("rm")], help: "Remove a watcher (repeatable).") var remove: [String] = []
    @Flag(help: "The certificate is an OpenSSH certificate.") var ssh = false
    @Option(help: "With --ssh: the OpenSSH CA, when two CAs used the serial.") var ca: String?

    func run() async throws {
        try await CommandRunner.run { authority in
            let watchers = ssh
                ? try await authority.changeSSHWatchers(serial: certificate, authority: ca, add: add, remove: remove)
                : try await authority.changeWatchers(certificate, add: add, remove: remove)
            for watcher in watchers { print(watcher) }
        }
    }
}

/// The reason and compromise time of `revoke-cert` and `revoke-ca`.
struct RevocationOptions: ParsableArguments {
    @Option(help: "unspecified, key_compromise, ca_compromise, affiliation_changed, superseded, cessation_of_operation, certificate_hold, privilege_withdrawn, remove_from_crl, aa_compromise.")
    var reason: String = "unspecified"
    @Option(help: "When the key was compromised, ISO 8601 with time zone (CRL invalidity date).") var compromised: String?

    func parsed() throws -> (RevocationReason, Date?) {
        (try RevocationReason(name: reason), try compromised.map(Authority.parseCompromisedTime))
    }

    static func confirmation(serial: String, name: String, reason: RevocationReason) -> String {
        "\(SerialNumberText.colonSeparated(serial)) - \(name) (revoked: \(reason.rawValue))"
    }
}
