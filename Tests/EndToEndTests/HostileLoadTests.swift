import Foundation
import TestSupport
import Testing

/// Minutes of hostile HTTP traffic against every route of `serve` (Judges/hostile_load.py): mutated and oversized
/// requests, broken framing, slow clients that never finish, idle connections. Pass: no 5xx, the server stays up
/// and stops cleanly, its memory stays bounded, and valid OCSP and health requests keep being answered in time.
///
/// HTTP-level, so it runs in the SQLite pass only. SWIFT_CA_HOSTILE_SECONDS sets the length (CI: 120 s).
@Suite(.timeLimit(.minutes(15)), .enabled(if: !TemporaryDatabase.usesPostgres)) struct HostileLoadTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["SWIFT_CA_HOSTILE_SECONDS"] ?? "") ?? 120
    /// The server's resident memory may not pass this at any time (a debug build; its baseline is about 60 MB).
    static let memoryLimitMB = 400.0
    /// Valid requests must be answered within this under load (the 95th percentile; on 2 shared cores, with the
    /// load generator on the same machine).
    static let probeLimitMilliseconds = 250.0

    @Test func hostileTrafficGetsNo5xxAndValidRequestsKeepTheirPace() throws {
        let sandbox = try Sandbox()
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        sandbox.extraEnvironment["CA_REQUEST_TIMEOUT"] = "5"
        let serial = try sandbox.expectSuccess("init-ca", "Root", "CN=Hostile Root", "--key-type", "EC", "--api-enable", "--acme-enable")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        try sandbox.expectSuccess("generate-ocsp-keys")
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        let csr = try sandbox.makeCSR("leaf")
        let leaf = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "leaf.example.com", "--output-format", "pem"), to: "leaf.pem")
        let ocspRequest = sandbox.path("request.der")
        #expect(try sandbox.openssl("ocsp", "-issuer", root, "-cert", leaf, "-no_nonce", "-reqout", ocspRequest).succeeded)
        try sandbox.expectSuccess("create-user", "admin", "--password", "correct horse battery", "--role", "admin")
        let token = try sandbox.expectSuccess("create-token", "admin").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(sandbox)
        let memory = MemorySampler(processIdentifier: server.process.processIdentifier)

        let configuration: [String: Any] = [
            "base": server.baseURL, "seconds": Self.seconds, "ocsp_der": ocspRequest, "ocsp_prefix": "/ca/ocsp/\(serial)/cert/",
            "crl_path": "/ca/crl/\(serial)/", "issuer_path": "/ca/issuer/\(serial).der",
            "acme_directory": "/ca/acme/directory/\(serial)/", "acme_new_nonce": "/ca/acme/\(serial)/new-nonce/",
            "acme_new_account": "/ca/acme/\(serial)/new-account/", "api_path": "/api/ca/\(serial)/sign/", "token": token,
            "csr_pem": csr, "web_login": "/admin/login", "slow_clients": 16, "idle_connections": 200, "mutators": 6,
        ]
        let configurationFile = try sandbox.write(
            String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self), to: "hostile.json")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/hostile_load.py").path
        let resultFile = sandbox.path("hostile-result.json")
        let run = try runProgram(Binaries.pkilint("python"), [script, configurationFile, resultFile], deadline: TimeInterval(Self.seconds + 300))
        let peakMB = memory.stop()
        #expect(run.status == 0, "\(run.standardOutput.suffix(2000)) \(run.standardError.suffix(2000))")
        let result = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultFile))) as? [String: Any])
        let statuses = result["statuses"] as? [String: Int] ?? [:]
        let latencies = result["probe_latencies_ms"] as? [String: [String: Any]] ?? [:]
        let underLoad = latencies["under_load"] ?? [:]
        // The figures docs/security.md quotes come from this line.
        print("hostile load: \(Self.seconds) s, \(result["requests"] ?? 0) requests, statuses \(statuses), peak RSS \(Int(peakMB)) MB, "
              + "probes baseline \(latencies["baseline"] ?? [:]) under load \(underLoad), "
              + "slow clients closed after \(result["slow_clients_closed_after_s"] ?? [:])")

        #expect(statuses.keys.allSatisfy { !$0.hasPrefix("5") }, "5xx answers: \(statuses) \(result["five_hundreds"] ?? [])")
        #expect((result["requests"] as? Int ?? 0) > Self.seconds * 5, "the load generator barely ran: \(statuses)")
        #expect(result["failed_probe_count"] as? Int == 0, "valid requests failed under load: \(result["failed_probes"] ?? [])")
        let p95 = underLoad["p95"] as? Double ?? .infinity
        #expect(p95 <= Self.probeLimitMilliseconds, "valid requests slowed to p95 \(p95) ms under load: \(latencies)")
        #expect(peakMB < Self.memoryLimitMB, "the server grew to \(peakMB) MB")
        let slowClosed = result["slow_clients_closed_after_s"] as? [String: Any] ?? [:]
        #expect((slowClosed["count"] as? Int ?? 0) > 0 && (slowClosed["max"] as? Double ?? .infinity) < 30,
                "slow clients were not cut off by CA_REQUEST_TIMEOUT: \(slowClosed)")
        #expect(server.process.isRunning, "the server died under the load")
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.log.suffix(3000))")
        #expect(!stopped.log.contains("Fatal error") && !stopped.log.contains("Sanitizer"))
    }
}

/// Reads a process's resident memory from /proc every 200 ms until stopped; returns the peak in MB.
final class MemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peakKilobytes = 0.0
    private var running = true
    private let path: String

    init(processIdentifier: Int32) {
        path = "/proc/\(processIdentifier)/status"
        Thread.detachNewThread { [self] in
            while isRunning {
                sample()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func sample() {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return }
        lock.withLock { peakKilobytes = max(peakKilobytes, kilobytes) }
    }

    func stop() -> Double {
        lock.withLock { running = false }
        Thread.sleep(forTimeInterval: 0.3)
        return lock.withLock { peakKilobytes / 1024 }
    }
}
