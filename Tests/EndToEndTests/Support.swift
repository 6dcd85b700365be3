import Foundation
import TestSupport
import Testing

/// The result of one command run as a user would run it.
struct CommandResult {
    let status: Int32
    let standardOutput: String
    let standardError: String

    var succeeded: Bool { status == 0 }
}

/// Runs a program with arguments, an environment and optional standard input; never throws on exit codes.
/// A child that outlives `deadline` seconds, or its test's time limit, is killed and fails the test.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                input: Data? = nil, directory: String? = nil, deadline: TimeInterval = ChildProcess.defaultDeadline,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        throw MissingJudge(description: """
            \(executable) is not installed; scripts/test creates .venv-judges with every Python judge, and .ci/run \
            installs the others (openssl, curl, lego, PostgreSQL, Chromium)
            """)
    }
    let outcome = try ChildProcess.run(
        executable, arguments, environment: environment, input: input, directory: directory, deadline: deadline)
    if let seconds = outcome.killedAfter {
        Issue.record("killed after \(Int(seconds)) s: \(executable) \(arguments.joined(separator: " "))", sourceLocation: sourceLocation)
    }
    return CommandResult(
        status: outcome.status,
        standardOutput: String(decoding: outcome.standardOutput, as: UTF8.self),
        standardError: String(decoding: outcome.standardError, as: UTF8.self))
}

/// A temporary CA_DIR with helpers to run the built `swift-ca` binary and the outside judges in it.
final class Sandbox {
    let directory: String
    var extraEnvironment: [String: String] = [:]
    /// A PostgreSQL database of its own when the suite runs against PostgreSQL; nil for the default SQLite file in CA_DIR.
    let database: TemporaryDatabase?

    init() throws {
        directory = NSTemporaryDirectory() + "swift-ca-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = TemporaryDatabase.usesPostgres ? try TemporaryDatabase() : nil
        // The REST API is off by default; most server tests use it. The test of the default removes this.
        extraEnvironment["CA_ENABLE_REST_API"] = "true"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var caDirectory: String { directory + "/ca" }

    func path(_ name: String) -> String { directory + "/" + name }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("CA_") || name.hasPrefix("SWIFT_CA_") {
            environment[name] = nil
        }
        environment["CA_DIR"] = caDirectory
        environment["HOME"] = directory
        if let database { environment["CA_DATABASE_URL"] = database.url }
        for (name, value) in extraEnvironment { environment[name] = value }
        return environment
    }

    @discardableResult
    func swiftCA(_ arguments: String..., input: Data? = nil) throws -> CommandResult {
        try swiftCA(arguments, input: input)
    }

    @discardableResult
    func swiftCA(_ arguments: [String], input: Data? = nil) throws -> CommandResult {
        try runProgram(Binaries.swiftCA, arguments, environment: environment, input: input, directory: directory)
    }

    /// Runs swift-ca and requires success; returns standard output.
    @discardableResult
    func expectSuccess(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try expectSuccess(arguments, sourceLocation: sourceLocation)
    }

    @discardableResult
    func expectSuccess(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try swiftCA(arguments)
        #expect(result.succeeded, "swift-ca \(arguments.joined(separator: " ")) failed: \(result.standardError)", sourceLocation: sourceLocation)
        return result.standardOutput
    }

    /// Runs swift-ca and requires the one-line error contract: non-zero exit, one line on stderr, no usage block.
    func expectFailure(_ arguments: [String], mentioning fragment: String, input: Data? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try swiftCA(arguments, input: input)
        #expect(!result.succeeded, "swift-ca \(arguments.joined(separator: " ")) should fail", sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "expected one line on stderr, got: \(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.lowercased().contains(fragment.lowercased()),
                "stderr \"\(result.standardError)\" does not mention \"\(fragment)\"", sourceLocation: sourceLocation)
        #expect(!result.standardError.contains("Usage:"), sourceLocation: sourceLocation)
    }

    @discardableResult
    func openssl(_ arguments: String...) throws -> CommandResult {
        try runProgram("/usr/bin/env", ["openssl"] + arguments, directory: directory)
    }

    func write(_ text: String, to name: String) throws -> String {
        let file = path(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// A fresh EC P-256 (or other) key and CSR made by openssl, as the issue's example does.
    func makeCSR(_ name: String, keyOptions: [String] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]) throws -> String {
        let csr = path("\(name).csr")
        let result = try runProgram(
            "/usr/bin/env",
            ["openssl", "req", "-new"] + keyOptions + ["-nodes", "-keyout", path("\(name).key"), "-out", csr, "-subj", "/CN=ignored"],
            directory: directory)
        #expect(result.succeeded, "openssl req failed: \(result.standardError)")
        return csr
    }

    /// CA/Browser Forum findings that only concern publicly-trusted CAs (docs/decisions.md explains each).
    static let acceptedServerAuthFindings: Set<String> = [
        // A reserved CA/B Forum policy OID asserts Baseline Requirements compliance; a private CA must not claim it.
        "cabf.serverauth.subscriber.certificate_policies_extension_absent",
        // Internal (RFC 1918) addresses are what a private CA certifies; only public CAs must not.
        "cabf.internal_ip_address",
    ]

    /// Every certificate swift-ca emits must pass pkilint's RFC 5280 lint with no ERROR or FATAL finding.
    func expectPKILintClean(_ pemFile: String, serverAuthType: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pkix = try runProgram(Binaries.pkilint("lint_pkix_cert"), ["lint", "-s", "ERROR", pemFile])
        #expect(pkix.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && pkix.standardError.isEmpty,
                "lint_pkix_cert \(pemFile): \(pkix.standardOutput) \(pkix.standardError)", sourceLocation: sourceLocation)
        if let serverAuthType {
            let cabf = try runProgram(
                Binaries.pkilint("lint_cabf_serverauth_cert"), ["lint", "-s", "ERROR", "-f", "JSON", "-t", serverAuthType, pemFile])
            let findings = try PKILintReport.findingCodes(cabf.standardOutput)
            #expect(cabf.standardError.isEmpty && findings.subtracting(Self.acceptedServerAuthFindings).isEmpty,
                    "lint_cabf_serverauth_cert \(pemFile): \(findings) \(cabf.standardError)", sourceLocation: sourceLocation)
        }
    }
}

/// pkilint's JSON report: results, each with finding descriptions that carry a code.
enum PKILintReport {
    static func findingCodes(_ json: String) throws -> Set<String> {
        guard let data = json.data(using: .utf8), !json.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        let object = try JSONSerialization.jsonObject(with: data)
        var codes = Set<String>()
        func walk(_ value: Any) {
            if let dictionary = value as? [String: Any] {
                if let code = dictionary["code"] as? String { codes.insert(code) }
                dictionary.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(object)
        return codes
    }
}

enum Binaries {
    /// The built `swift-ca`, next to the test bundle in the build folder (or $SWIFT_CA_BINARY).
    static let swiftCA: String = {
        if let explicit = ProcessInfo.processInfo.environment["SWIFT_CA_BINARY"] { return explicit }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("swift-ca").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/swift-ca").path
    }()

    /// The package root, three folders above this file.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A command of the judges' venv (pkilint's linters, its python, certbot): in $PKILINT_BIN (scripts/test
    /// sets it), else on $PATH, else in the package's .venv-judges. When none has it, the venv path is returned
    /// and `runProgram` fails the test saying how to install it.
    static func pkilint(_ command: String) -> String {
        var candidates: [String] = []
        if let directory = ProcessInfo.processInfo.environment["PKILINT_BIN"], !directory.isEmpty {
            candidates.append(directory + "/" + command)
        }
        if let found = ExecutableSearch.onPath(command) { candidates.append(found) }
        let venv = packageRoot.appendingPathComponent(".venv-judges/bin/\(command)").path
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? venv
    }

    /// A judge that must be on $PATH (lego, openssl, curl, psql); CI installs every one, so a missing one
    /// throws, failing the test with how to install it.
    static func required(_ name: String, install: String) throws -> String {
        guard let found = ExecutableSearch.onPath(name) else { throw MissingJudge(description: "\(name) is not on PATH: \(install)") }
        return found
    }
}

struct MissingJudge: Error, CustomStringConvertible {
    let description: String
}
