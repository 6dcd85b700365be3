import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `swift-ca serve` on a free loopback port of a sandbox, stopped with SIGTERM like a supervisor would.
final class RunningServer {
    let process = Process()
    let baseURL: String
    private let errors: ChildProcess.Drain
    private var stopped = false
    /// How long a shutdown may take before the server is killed (and its test fails on the exit status).
    static let shutdownGrace: TimeInterval = 30

    /// Starts the server and waits until it says where it listens; a server that neither announces itself
    /// nor dies within two minutes is killed.
    init(_ sandbox: Sandbox, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Binaries.swiftCA)
        process.arguments = ["serve", "--port", "0"] + arguments
        process.environment = sandbox.environment
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.directory)
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        errors = ChildProcess.Drain(errorPipe.fileHandleForReading)
        // The first line names the URL; reading ends when the socket listens, the server dies or the deadline passes.
        let announced = ChildProcess.firstLine(of: outputPipe.fileHandleForReading, from: process)
        guard let range = announced.range(of: "serving on ") else {
            ChildProcess.stop(process, grace: 5)
            stopped = true
            let log = String(decoding: errors.wait(), as: UTF8.self)
            throw ServerStartFailure(message: "swift-ca serve did not start: \(announced) \(log)")
        }
        var url = String(announced[range.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        if url.hasSuffix("/") { url.removeLast() }
        baseURL = url
    }

    /// SIGTERM, then the exit status (0 when the shutdown was graceful) and everything logged. A server still
    /// running after `shutdownGrace` is killed, which makes the status non-zero.
    @discardableResult
    func stop() -> (status: Int32, log: String) {
        guard !stopped else { return (process.terminationStatus, "") }
        stopped = true
        let graceful = ChildProcess.stop(process, grace: Self.shutdownGrace)
        var log = String(decoding: errors.wait(), as: UTF8.self)
        if !graceful { log += "\n(killed: still running \(Int(Self.shutdownGrace)) s after SIGTERM)" }
        return (process.terminationStatus, log)
    }

    deinit {
        if !stopped { ChildProcess.stop(process, grace: 5) }
    }
}

struct ServerStartFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// One HTTP exchange through curl: status, headers and the body saved to a file.
struct HTTPExchange {
    let status: Int
    let headers: [String: String]
    let bodyFile: String

    var body: Data { FileManager.default.contents(atPath: bodyFile) ?? Data() }

    static func run(_ sandbox: Sandbox, _ arguments: [String], saveAs name: String) throws -> HTTPExchange {
        let bodyFile = sandbox.path(name)
        let headerFile = sandbox.path(name + ".headers")
        let result = try runProgram(
            "/usr/bin/env", ["curl", "-s", "--max-time", "120", "-o", bodyFile, "-D", headerFile, "-w", "%{http_code}"] + arguments,
            directory: sandbox.directory)
        var headers: [String: String] = [:]
        let text = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPExchange(status: Int(result.standardOutput) ?? 0, headers: headers, bodyFile: bodyFile)
    }
}

extension Sandbox {
    /// `openssl ocsp` as a relying party runs it: the verdict line for the certificate and openssl's verification.
    func ocspQuery(issuer: String, certificate: String? = nil, serial: String? = nil, url: String, trust: String,
                   extra: [String] = [], saveResponse: String? = nil) throws -> CommandResult {
        var arguments = ["ocsp", "-issuer", issuer, "-url", url, "-CAfile", trust, "-timeout", "10"] + extra
        if let certificate { arguments += ["-cert", certificate] }
        if let serial { arguments += ["-serial", serial] }
        if let saveResponse { arguments += ["-respout", path(saveResponse)] }
        return try runProgram("/usr/bin/env", ["openssl"] + arguments, directory: directory)
    }

    /// pkilint's OCSP response lint, with no ERROR or FATAL finding allowed.
    func expectOCSPResponseLintClean(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lint = try runProgram(Binaries.pkilint("lint_ocsp_response"), ["lint", "-s", "ERROR", path(file)])
        #expect(lint.status == 0 && lint.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                    && lint.standardError.isEmpty,
                "lint_ocsp_response \(file): \(lint.standardOutput) \(lint.standardError)", sourceLocation: sourceLocation)
    }

    func expectCRLLintClean(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lint = try runProgram(Binaries.pkilint("lint_crl"), ["lint", "-t", "CRL", "-p", "PKIX", "-s", "ERROR", path(file)])
        #expect(lint.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && lint.standardError.isEmpty,
                "lint_crl \(file): \(lint.standardOutput) \(lint.standardError)", sourceLocation: sourceLocation)
    }
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(100_000)
    }
    return try condition()
}

/// `eventually` for async tests: sleeps without holding one of the few threads that run every async test
/// (two on this machine), so that waiting here cannot starve timeouts elsewhere in the suite.
func eventuallyAsync(within seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try condition()
}

/// A loopback port that was free a moment ago, for certificates that must name the server's URL before
/// the server starts.
enum FreePort {
    static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerStartFailure(message: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw ServerStartFailure(message: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

enum Judges {
    /// pyhanko-certvalidator's path validation with hard-fail revocation (Judges/validate_path.py).
    static func validatePath(root: String, intermediate: String, leaf: String) throws -> CommandResult {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/validate_path.py").path
        return try runProgram(Binaries.pkilint("python"), [script, root, intermediate, leaf])
    }
}
