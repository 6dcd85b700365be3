import ArgumentParser
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
            also /healthz and /metrics. Stops gracefully on SIGTERM or SIGINT.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func run() async throws {
        let settings: Settings
        do {
            settings = try SettingsLoader.load()
            guard (0...65_535).contains(port) else { throw CAError(.invalidInput, "--port must be between 0 and 65535") }
        } catch {
            CommandRunner.fail(error)
        }
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            CommandRunner.fail(CAError(.invalidInput, "unknown --log-level \(logLevel)"))
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var options = CAServer.Options()
        options.host = host
        options.port = port
        do {
            try await CAServer.run(settings: settings, options: options, logger: Logger(label: "swift-ca")) { url in
                // Written unbuffered: tests and supervisors wait for this line.
                FileHandle.standardOutput.write(Data("swift-ca: serving on \(url)\n".utf8))
            }
        } catch {
            CommandRunner.fail(error)
        }
    }
}
