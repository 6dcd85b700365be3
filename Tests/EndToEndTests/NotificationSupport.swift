import Foundation
import TestSupport
import Testing

/// The aiosmtpd server of Judges/smtp_server.py on a loopback port, keeping every message it accepts as
/// a JSON file in its own directory of the sandbox.
final class TestSMTPServer {
    let process = Process()
    let port: Int
    let maildir: String

    init(_ sandbox: Sandbox, name: String = "mail", port: Int = 0, arguments: [String] = []) throws {
        maildir = sandbox.path(name)
        self.port = try Judges.startServer(
            process, script: "smtp_server.py", arguments: ["--maildir", maildir, "--port", String(port)] + arguments,
            what: "the test SMTP server")
    }

    /// Every message received so far, in the order they arrived.
    func messages() throws -> [ReceivedMail] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            try JSONDecoder().decode(ReceivedMail.self, from: Data(contentsOf: URL(fileURLWithPath: maildir + "/" + name)))
        }
    }

    func stop() {
        ChildProcess.stop(process, grace: 5)
    }

    deinit { stop() }
}

/// One message as the test server recorded it, headers and body decoded by Python's e-mail parser.
struct ReceivedMail: Decodable {
    let mailFrom: String
    let recipients: [String]
    let from: String
    let to: String
    let subject: String
    let body: String
    let transferEncoding: String
    let tls: Bool
    let auth: [String]?

    enum CodingKeys: String, CodingKey {
        case mailFrom = "mail_from", recipients = "rcpt_tos", from, to, subject, body, transferEncoding = "transfer_encoding", tls, auth
    }
}

/// A sandbox with a root CA, a TLS certificate for the mail server signed by it, and helpers to sign
/// watched certificates.
struct MailInstallation {
    let sandbox: Sandbox
    let rootFile: String
    let serverCertificate: String
    let serverKey: String

    init() throws {
        sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Mail Test Root", "--key-type", "EC")
        rootFile = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        let csr = try sandbox.makeCSR("smtp")
        serverKey = sandbox.path("smtp.key")
        serverCertificate = sandbox.path("smtp.pem")
        try sandbox.expectSuccess("sign-cert", "--ca", "Root", "--csr", csr, "--subject", "CN=localhost", "--out", serverCertificate)
    }

    /// Signs a certificate for `name` valid for `days`, watched by `watchers`; returns its serial.
    @discardableResult
    func signWatched(_ name: String, days: Int, watchers: [String]) throws -> String {
        let csr = try sandbox.makeCSR(name)
        let arguments = ["sign-cert", "--ca", "Root", "--csr", csr, "--subject", "CN=\(name)", "--expires", String(days),
                         "--output-format", "serial"] + watchers.flatMap { ["--watch", $0] }
        return try sandbox.expectSuccess(arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Points swift-ca at a test server, with the sender every test uses.
    func useServer(_ server: TestSMTPServer, host: String = "127.0.0.1", _ extra: [String: String] = [:]) {
        sandbox.extraEnvironment = [
            "CA_EMAIL_HOST": host, "CA_EMAIL_PORT": String(server.port), "CA_EMAIL_FROM": "swift-ca <ca@example.com>",
            "CA_EMAIL_TIMEOUT": "20",
        ].merging(extra) { _, new in new }
    }

    /// The TLS server options of the test SMTP server.
    var tlsArguments: [String] { ["--tls-cert", serverCertificate, "--tls-key", serverKey] }
}
