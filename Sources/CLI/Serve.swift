import ArgumentParser
import CAAuthority
import CACore
import CAServer
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Publish issuer certificates, CRLs and OCSP responses over HTTP and run the periodic jobs.",
        discussion: """
            Paths under CA_URL_PATH (default /ca/): issuer/<SERIAL>.der, crl/<SERIAL>/, crl/ca/<SERIAL>/, \
            crl/<SERIAL>/full/, ocsp/<SERIAL>/cert/ and ocsp/<SERIAL>/ca/ (POST, or GET with the request in base64); \
            ACME under acme/ (directory: acme/directory/); also /healthz and /metrics. With --tls-cert and --tls-key, \
            or --tls-ca (a certificate issued at start by that CA), the port speaks HTTPS and --plain-port adds a \
            plain HTTP listener for OCSP and CRL clients. Stops gracefully on SIGTERM or SIGINT.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical (default: CA_LOG_LEVEL, info).")
    var logLevel: String?
    @Option(help: "PEM certificate chain for HTTPS.") var tlsCert: String?
    @Option(help: "PEM private key for HTTPS.") var tlsKey: String?
    @Option(help: "Serve HTTPS with a certificate from this CA (serial or name), issued and renewed at start.")
    var tlsCa: String?
    @Option(help: "A name for the --tls-ca certificate (repeatable; default: --host, or localhost).")
    var tlsName: [String] = []
    @Option(help: "With TLS: also serve plain HTTP on this port (OCSP and CRLs are fetched over HTTP).")
    var plainPort: Int?
    @Option(help: "all: everything (default). public: OCSP, CRLs, issuers and ACME without loading any CA key.")
    var role: String = "all"

    func run() async throws {
        let settings: Settings
        do {
            settings = try SettingsLoader.load()
            guard (0...65_535).contains(port) else { throw CAError(.invalidInput, "--port must be between 0 and 65535") }
        } catch {
            CommandRunner.fail(error)
        }
        let levelName = logLevel ?? settings.logLevel
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            CommandRunner.fail(CAError(.invalidInput, "unknown --log-level \(levelName)"))
        }
        let format = settings.logFormat
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, level: level, format: format == .json ? .json : .text)
        }
        guard let chosenRole = CAServer.Role(rawValue: role) else {
            CommandRunner.fail(CAError(.invalidInput, "unknown --role \(role) (all or public)"))
        }
        var options = CAServer.Options()
        options.role = chosenRole
        options.host = host
        options.port = port
        options.plainPort = plainPort
        do {
            options.tls = try await tlsFiles(settings: settings)
            try await CAServer.run(settings: settings, options: options, logger: Logger(label: "swift-ca")) { url in
                // Written unbuffered: tests and supervisors wait for this line.
                FileHandle.standardOutput.write(Data("swift-ca: serving on \(url)\n".utf8))
            }
        } catch {
            CommandRunner.fail(error)
        }
    }

    private func tlsFiles(settings: Settings) async throws -> (certificatePath: String, keyPath: String)? {
        if let plainPort, !(0...65_535).contains(plainPort) { throw CAError(.invalidInput, "--plain-port must be between 0 and 65535") }
        switch (tlsCert, tlsKey, tlsCa) {
        case (nil, nil, nil):
            if plainPort != nil { throw CAError(.invalidInput, "--plain-port needs TLS (--tls-cert and --tls-key, or --tls-ca)") }
            return nil
        case (let certificate?, let key?, nil):
            return (certificate, key)
        case (nil, nil, let authority?):
            let names = tlsName.isEmpty ? [["127.0.0.1", "0.0.0.0", "::", "::1"].contains(host) ? "localhost" : host] : tlsName
            // A public node may reuse a certificate issued earlier but never signs one itself.
            let authorityStore = try await Authority.open(settings: settings, signsWithCAKeys: role == "all")
            do {
                let files = try await authorityStore.ensureServerCertificate(authority: authority, names: names)
                await authorityStore.close()
                return (files.certificatePath, files.keyPath)
            } catch {
                await authorityStore.close()
                throw error
            }
        default:
            throw CAError(.invalidInput, "give --tls-cert with --tls-key, or --tls-ca, for HTTPS")
        }
    }
}
