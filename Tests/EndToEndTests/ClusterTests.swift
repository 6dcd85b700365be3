import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Three `serve` nodes over one database (PostgreSQL in the suite's PostgreSQL pass, one SQLite file
/// otherwise): periodic jobs run once per interval across the nodes, a node that dies holding a job loses it
/// when its lease runs out, and a revocation reaches every node's OCSP answers within a second.
@Suite(.timeLimit(.minutes(10))) struct ClusterTests {
    /// The job interval the nodes run with: runs of one job, on whichever node, are at least this far apart.
    static let interval = 2.0

    @Test func jobsRunOnceAcrossNodesAndSurviveTheirHolder() async throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Cluster Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        let leafSerial = try sandbox.expectSuccess(
            "sign-cert", "--csr", csr, "--alt", "cluster.example.com", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let leaf = try sandbox.write(try sandbox.expectSuccess("view-cert", leafSerial, "--output-format", "pem"), to: "leaf.pem")
        let root = try sandbox.write(try sandbox.expectSuccess("view-ca", "Root", "--output-format", "pem"), to: "root.pem")
        let rootSerial = try sandbox.expectSuccess("view-ca", "Root", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        // Responder keys in the shared key directory, so that every node (the public one too) signs OCSP answers.
        try sandbox.expectSuccess("generate-ocsp-keys")
        sandbox.extraEnvironment["CA_JOB_INTERVAL"] = "1"
        sandbox.extraEnvironment["CA_JOB_LEASE_SECONDS"] = "4"
        sandbox.extraEnvironment["CA_JOB_CRL_INTERVAL"] = "\(Int(Self.interval))"
        sandbox.extraEnvironment["CA_JOB_ACME_CLEANUP_INTERVAL"] = "\(Int(Self.interval))"

        try sandbox.expectFailure(["serve", "--port", "0", "--role", "public", "--tls-ca", "Root"], mentioning: "--role public")
        try sandbox.expectFailure(["serve", "--port", "0", "--role", "signer"], mentioning: "--role")

        let started = Date()
        var nodes = [
            try RunningServer(sandbox), try RunningServer(sandbox), try RunningServer(sandbox, arguments: ["--role", "public"]),
        ]
        try await Task.sleep(for: .seconds(7))
        var counts = try nodes.map { try Self.jobRuns($0) }
        var elapsed = Date().timeIntervalSince(started)
        for job in ["crls", "acme-cleanup"] {
            let total = counts.map { $0[job, default: 0] }.reduce(0, +)
            // Once per interval across the cluster: three nodes running on their own would make about three times as many.
            #expect(total >= 2 && Double(total) <= (elapsed / Self.interval).rounded(.down) + 1,
                    "\(job) ran \(total) times in \(elapsed) s on three nodes: \(counts)")
        }
        #expect(counts[2]["crls", default: 0] == 0, "a public node holds no CA key and never generates CRLs")

        // Kill the busiest node without warning; the others carry on at the same rate.
        let busiest = (0..<2).max { counts[$0]["crls", default: 0] < counts[$1]["crls", default: 0] }!
        kill(nodes[busiest].process.processIdentifier, SIGKILL)
        nodes[busiest].process.waitUntilExit()
        let killedCounts = counts[busiest]
        nodes.remove(at: busiest)
        counts.remove(at: busiest)
        let before = counts.map { $0["crls", default: 0] }.reduce(0, +)
        #expect(try await eventuallyAsync(within: 15) {
            try nodes.map { try Self.jobRuns($0)["crls", default: 0] }.reduce(0, +) > before
        }, "no surviving node took over the CRL job")

        // A node that dies in the middle of a job leaves its lease behind (written here as such a node would):
        // nobody runs the job while the lease is live, then one node does once it runs out. The lease is an hour
        // long, so that however slowly this machine runs the check below, the lease is surely live during it.
        let liveUntil = Int(Date().timeIntervalSince1970) + 3600
        try Self.execute(sandbox, "UPDATE job_leases SET holder = 'dead-node', lease_expires_at = \(liveUntil) WHERE name = 'acme-cleanup'")
        #expect(try sandbox.expectSuccess("list-jobs").contains("acme-cleanup: running on dead-node"))
        // A run that was under way when the lease was written may still finish; count from after it.
        try await Task.sleep(for: .seconds(1.5))
        let frozen = try nodes.map { try Self.jobRuns($0)["acme-cleanup", default: 0] }.reduce(0, +)
        // Two job intervals: without the lease the nodes would run the job at least once in this time.
        try await Task.sleep(for: .seconds(2 * Self.interval + 1))
        let later = try nodes.map { try Self.jobRuns($0)["acme-cleanup", default: 0] }.reduce(0, +)
        #expect(later == frozen, "a job ran while another node's lease was live")
        #expect(try sandbox.expectSuccess("list-jobs").contains("acme-cleanup: running on dead-node"))
        // The dead node's lease runs out now.
        let expired = Int(Date().timeIntervalSince1970) - 1
        try Self.execute(sandbox, "UPDATE job_leases SET lease_expires_at = \(expired) WHERE name = 'acme-cleanup' AND holder = 'dead-node'")
        #expect(try await eventuallyAsync(within: 25) {
            try nodes.map { try Self.jobRuns($0)["acme-cleanup", default: 0] }.reduce(0, +) > frozen
        }, "the job was not taken over after the dead node's lease ran out")
        #expect(try !sandbox.expectSuccess("list-jobs").contains("dead-node"))

        // Over the whole run, the killed node's last known runs included, still once per interval.
        elapsed = Date().timeIntervalSince(started)
        let total = try nodes.map { try Self.jobRuns($0)["crls", default: 0] }.reduce(0, +) + killedCounts["crls", default: 0]
        // +1: the killed node may have run once more between its last scrape and the kill.
        #expect(Double(total) <= (elapsed / Self.interval).rounded(.down) + 2, "crls ran \(total) times in \(elapsed) s")

        // A revocation through one process reaches every node's OCSP answers within a second.
        let urls = nodes.map { "\($0.baseURL)/ca/ocsp/\(rootSerial)/cert/" }
        for url in urls {
            for _ in 0..<2 {  // the second answer comes from the node's cache
                let answer = try sandbox.ocspQuery(issuer: root, certificate: leaf, url: url, trust: root, extra: ["-no_nonce"])
                #expect(answer.standardOutput.contains("leaf.pem: good"), "\(url): \(answer.standardOutput) \(answer.standardError)")
            }
        }
        try sandbox.expectSuccess("revoke-cert", leafSerial, "--reason", "key_compromise")
        let revokedAt = Date()
        for url in urls {
            #expect(try await eventuallyAsync(within: max(0.05, 1 - Date().timeIntervalSince(revokedAt))) {
                try sandbox.ocspQuery(issuer: root, certificate: leaf, url: url, trust: root, extra: ["-no_nonce"])
                    .standardOutput.contains("leaf.pem: revoked")
            }, "\(url) did not answer revoked within a second")
        }
        for node in nodes { #expect(node.stop().status == 0) }
    }

    /// `swift_ca_job_runs_total` of one node, summed over results, by job.
    static func jobRuns(_ node: RunningServer) throws -> [String: Int] {
        let metrics = try runProgram("/usr/bin/env", ["curl", "-sf", node.baseURL + "/metrics"]).standardOutput
        var runs: [String: Int] = [:]
        for line in metrics.split(separator: "\n") where line.hasPrefix("swift_ca_job_runs_total{") {
            guard let jobStart = line.range(of: "job=\""), let jobEnd = line[jobStart.upperBound...].firstIndex(of: "\""),
                  let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { continue }
            runs[String(line[jobStart.upperBound..<jobEnd]), default: 0] += Int(value)
        }
        return runs
    }

    /// One statement on the sandbox's database, by the database's own client.
    static func execute(_ sandbox: Sandbox, _ statement: String) throws {
        let result: CommandResult
        if let database = sandbox.database {
            result = try runProgram("/usr/bin/env", ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", database.url, "-c", statement])
        } else {
            let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
            result = try runProgram("/usr/bin/env", ["python3", "-c", script, sandbox.caDirectory + "/swift-ca.sqlite3", statement])
        }
        #expect(result.succeeded, "\(statement): \(result.standardError)")
    }
}

/// certbot against a public node (no CA key): its finalization waits in the signing queue until the
/// node with the keys signs it; with no signing node alive, finalization is refused with a clear reason.
@Suite(.timeLimit(.minutes(10))) struct PublicNodeACMETests {
    @Test func certbotGetsACertificateThroughAPublicNodeAndAClearRefusalWithoutASigner() async throws {
        let installation = try ACMEInstallation()
        let sandbox = installation.sandbox
        sandbox.extraEnvironment["CA_JOB_INTERVAL"] = "1"
        // The public node reuses the TLS certificate the signing node issued at its start.
        let publicNode = try RunningServer(sandbox, arguments: ["--tls-ca", "Root", "--tls-name", "localhost", "--role", "public"])
        let directory = publicNode.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            + "/ca/acme/directory/\(installation.intermediateSerial)/"
        func certbot(_ name: String) throws -> CommandResult {
            var environment = sandbox.environment
            environment["REQUESTS_CA_BUNDLE"] = installation.rootFile
            return try runProgram(Binaries.pkilint("certbot"), [
                "certonly", "--standalone", "--agree-tos", "-m", "admin@example.test", "--http-01-address", "127.0.0.1",
                "--http-01-port", String(installation.http01Port), "-d", name, "--non-interactive", "--server", directory,
                "--config-dir", sandbox.path("certbot"), "--work-dir", sandbox.path("certbot-work"),
                "--logs-dir", sandbox.path("certbot-logs"),
            ], environment: environment)
        }

        let obtained = try certbot("web.example.test")
        #expect(obtained.status == 0, "\(obtained.standardOutput) \(obtained.standardError)")
        let certificate = sandbox.path("certbot/live/web.example.test/cert.pem")
        let verified = try installation.verify(certificate: certificate, chain: sandbox.path("certbot/live/web.example.test/chain.pem"))
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")
        #expect(try sandbox.expectSuccess("list-certs").contains("web.example.test"))

        // Without a signing node: refused, nothing issued, and the public node keeps serving.
        #expect(installation.server.stop().status == 0)
        try await Task.sleep(for: .seconds(6))  // three missed heartbeats (CA_JOB_INTERVAL=1) and the 2 s margin
        let refused = try certbot("lego.example.test")
        #expect(refused.status != 0)
        #expect((refused.standardOutput + refused.standardError).contains("no node can sign"),
                "\(refused.standardOutput) \(refused.standardError)")
        #expect(try !sandbox.expectSuccess("list-certs").contains("lego.example.test"))
        #expect(publicNode.stop().status == 0)
    }
}

/// A node outlives its database connections: PostgreSQL restarts and network drops close them, and every
/// store opens a new one at its next statement (never inside a transaction).
@Suite(.enabled(if: TemporaryDatabase.usesPostgres, "needs PostgreSQL (the suite's second pass)"), .timeLimit(.minutes(10)))
struct DatabaseReconnectionTests {
    @Test func aNodeKeepsAnsweringAfterPostgreSQLDropsItsConnections() async throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Reconnect Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        let serial = try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "reconnect.example.com", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let leaf = try sandbox.write(try sandbox.expectSuccess("view-cert", serial, "--output-format", "pem"), to: "leaf.pem")
        let root = try sandbox.write(try sandbox.expectSuccess("view-ca", "Root", "--output-format", "pem"), to: "root.pem")
        let rootSerial = try sandbox.expectSuccess("view-ca", "Root", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        try sandbox.expectSuccess("generate-ocsp-keys")
        let node = try RunningServer(sandbox)
        let url = "\(node.baseURL)/ca/ocsp/\(rootSerial)/cert/"
        // With a nonce, so that every answer reads the status from the database.
        func answer() throws -> String {
            try sandbox.ocspQuery(issuer: root, certificate: leaf, url: url, trust: root).standardOutput
        }
        #expect(try answer().contains("leaf.pem: good"))

        let database = try #require(sandbox.database)
        let terminated = try runProgram("/usr/bin/env", [
            "psql", "-q", "-t", "-d", database.url, "-c",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ])
        // The writer and the reader that answered OCSP at least; the store opens more readers only under load.
        #expect(Int(terminated.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 2, "\(terminated.standardOutput)")

        #expect(try await eventuallyAsync(within: 10) { try answer().contains("leaf.pem: good") }, "no answer after the drop")
        try sandbox.expectSuccess("revoke-cert", serial, "--reason", "superseded")
        #expect(try await eventuallyAsync(within: 10) { try answer().contains("leaf.pem: revoked") },
                "the node's status poller did not reconnect")
        #expect(node.stop().status == 0)
    }
}
