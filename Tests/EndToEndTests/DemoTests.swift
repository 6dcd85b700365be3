import Foundation
import TestSupport
import Testing

/// README's first command, `scripts/demo`, as a new user runs it: it prints the URLs, the login and the certbot and
/// curl lines, and serves in the foreground. The test fetches `/healthz` and the login page, runs the printed certbot
/// line (certbot from .venv-judges) and the printed curl line, then stops the server with SIGTERM.
@Suite(.timeLimit(.minutes(10))) struct DemoTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func theFirstReadmeCommandServesAndCertbotGetsACertificate() throws {
        let sandbox = try Sandbox()
        let ports = try (0..<3).map { _ in try FreePort.find() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.repository + "/scripts/demo")
        var environment = sandbox.environment
        environment["SWIFT_CA_BINARY"] = Binaries.swiftCA
        environment["DEMO_PORT"] = String(ports[0])
        environment["DEMO_PLAIN_PORT"] = String(ports[1])
        environment["DEMO_HTTP01_PORT"] = String(ports[2])
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorLog = ChildProcess.Drain(errors.fileHandleForReading)
        defer { if process.isRunning { ChildProcess.stop(process, grace: 10) } }

        // Everything up to the server's own first line.
        var printed = ""
        let reader = output.fileHandleForReading
        let deadline = Date().addingTimeInterval(240)
        while !printed.contains("serving on"), Date() < deadline, process.isRunning || !printed.isEmpty {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        guard printed.contains("serving on") else {
            Issue.record("scripts/demo did not start: \(printed) \(String(decoding: errorLog.wait(), as: UTF8.self))")
            return
        }
        func value(after marker: String) -> String? {
            guard let range = printed.range(of: marker) else { return nil }
            return printed[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ")" }).first.map(String.init)
        }
        let caDirectory = try #require(value(after: "CA_DIR="))
        let root = caDirectory + "/demo/root.pem"
        let base = "https://localhost:\(ports[0])"
        #expect(value(after: "password ") != nil && printed.contains("user admin"), "\(printed)")

        let health = try HTTPExchange.run(sandbox, ["--cacert", root, base + "/healthz"], saveAs: "health")
        #expect(health.status == 200)
        let login = try HTTPExchange.run(sandbox, ["--cacert", root, "-L", base + "/admin/"], saveAs: "login")
        let loginPage = (try? String(contentsOfFile: login.bodyFile, encoding: .utf8)) ?? ""
        #expect(login.status == 200 && loginPage.lowercased().contains("password"), "\(login.status)")

        // The printed certbot line, with the judges' certbot.
        let certbotLine = try #require(printed.split(separator: "\n").first { $0.contains("certbot certonly") })
        var words = certbotLine.split(separator: " ").map(String.init)
        let bundle = try #require(words.first { $0.hasPrefix("REQUESTS_CA_BUNDLE=") })
        words.removeAll { $0.hasPrefix("REQUESTS_CA_BUNDLE=") }
        #expect(words.first == "certbot")
        var certbotEnvironment = sandbox.environment
        certbotEnvironment["REQUESTS_CA_BUNDLE"] = String(bundle.dropFirst("REQUESTS_CA_BUNDLE=".count))
        let certbot = try runProgram(Binaries.pkilint("certbot"), Array(words.dropFirst()) + ["--non-interactive"], environment: certbotEnvironment)
        #expect(certbot.status == 0, "\(certbot.standardOutput) \(certbot.standardError)")
        let certificate = caDirectory + "/certbot/live/www.example.test/cert.pem"
        let verified = try sandbox.openssl(
            "verify", "-CAfile", root, "-untrusted", caDirectory + "/certbot/live/www.example.test/chain.pem", certificate)
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")

        // The printed curl line.
        let curlLine = try #require(printed.split(separator: "\n").first { $0.contains("curl --cacert") })
        let curlWords = Self.shellWords(String(curlLine))
        #expect(curlWords.first == "curl")
        let signed = try HTTPExchange.run(sandbox, Array(curlWords.dropFirst()), saveAs: "signed")
        let answer = (try? String(contentsOfFile: signed.bodyFile, encoding: .utf8)) ?? ""
        #expect(signed.status == 201 && answer.contains("BEGIN CERTIFICATE"), "\(signed.status) \(answer)")

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Ctrl-C (SIGTERM here) stops the server cleanly")
    }

    /// Splits a printed command line: words separated by spaces, double quotes grouping.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line.trimmingCharacters(in: .whitespaces) {
            if character == "\"" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
