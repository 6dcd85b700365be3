import Foundation
import Testing

/// `swift-ca backup` while signatures and revocations stream in and `serve` runs, then `swift-ca restore` into an
/// empty CA_DIR: every certificate and revocation acknowledged before the backup started is there, and the restored
/// (encrypted) CA key signs what openssl verifies. A damaged backup and a non-empty target change nothing.
@Suite(.timeLimit(.minutes(10))) struct BackupTests {
    /// What the stream of commands got acknowledged, and when.
    final class Acknowledged: @unchecked Sendable {
        // @unchecked: every access goes through `lock`.
        private let lock = NSLock()
        private var signed: [(serial: String, at: Date)] = []
        private var revoked: [(serial: String, at: Date)] = []
        private var stopped = false

        func sign(_ serial: String) { lock.withLock { signed.append((serial, Date())) } }
        func revoke(_ serial: String) { lock.withLock { revoked.append((serial, Date())) } }
        func stop() { lock.withLock { stopped = true } }
        var isStopped: Bool { lock.withLock { stopped } }
        func signed(before date: Date) -> [String] { lock.withLock { signed.filter { $0.at < date }.map(\.serial) } }
        func revoked(before date: Date) -> [String] { lock.withLock { revoked.filter { $0.at < date }.map(\.serial) } }
        var signedCount: Int { lock.withLock { signed.count } }
    }

    static let password = "backup-test-password"

    @Test func backupDuringSignaturesAndRevocationsRestoresEverythingAcknowledgedBefore() async throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Backup Root", "--key-type", "EC", "--path-length", "1")
        if sandbox.database != nil {
            // PostgreSQL: swift-ca does not replace pg_dump, and says how to use it.
            try sandbox.expectFailure(["backup", sandbox.path("backup")], mentioning: "pg_dump --format=custom")
            #expect(!FileManager.default.fileExists(atPath: sandbox.path("backup/manifest.json")))
            return
        }
        try sandbox.expectSuccess(
            "init-ca", "Issuing", "CN=Backup Issuing", "--parent", "Root", "--key-type", "EC", "--password", Self.password)
        let csr = try sandbox.makeCSR("leaf")
        let server = try RunningServer(sandbox)
        defer { server.stop() }

        let acknowledged = Acknowledged()
        let environment = sandbox.environment
        let directory = sandbox.directory
        @Sendable func swiftCA(_ arguments: String...) -> CommandResult? {
            try? runProgram(Binaries.swiftCA, arguments, environment: environment, directory: directory)
        }
        let stream = Thread {
            var index = 0
            var unrevoked: [String] = []
            while !acknowledged.isStopped {
                index += 1
                let signed = swiftCA(
                    "sign-cert", "--ca", "Issuing", "--password", Self.password, "--csr", csr, "--alt", "host\(index).example.com",
                    "--output-format", "serial")
                if let signed, signed.status == 0 {
                    let serial = signed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                    acknowledged.sign(serial)
                    unrevoked.append(serial)
                }
                if index % 3 == 0, let serial = unrevoked.first {
                    unrevoked.removeFirst()
                    if swiftCA("revoke-cert", serial, "--reason", "superseded")?.status == 0 { acknowledged.revoke(serial) }
                }
            }
        }
        stream.start()
        #expect(try await eventuallyAsync(within: 60) { acknowledged.signedCount >= 5 }, "the stream signs")
        let backupStarted = Date()
        let backup = sandbox.path("backup")
        let output = try sandbox.expectSuccess("backup", backup)
        #expect(output.contains("backup written to \(backup)"), "\(output)")
        #expect(try await eventuallyAsync(within: 60) { acknowledged.signed(before: Date()).count > acknowledged.signed(before: backupStarted).count },
                "signing went on during and after the backup")
        acknowledged.stop()
        while !stream.isFinished { try await Task.sleep(for: .milliseconds(50)) }
        // The server answered throughout and still does.
        #expect(try HTTPExchange.run(sandbox, ["\(server.baseURL)/healthz"], saveAs: "health").status == 200)

        let manifest = try String(contentsOfFile: backup + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"swift-ca.sqlite3\"") && manifest.contains("\"keys/") && manifest.contains("sha256"), "\(manifest)")
        let keyFiles = try FileManager.default.contentsOfDirectory(atPath: backup + "/keys")
        #expect(keyFiles.count >= 2, "\(keyFiles)")
        let encrypted = try keyFiles.filter { try String(contentsOfFile: backup + "/keys/" + $0, encoding: .utf8).contains("ENCRYPTED PRIVATE KEY") }
        #expect(encrypted.count == 1, "the issuing CA's key stays encrypted: \(keyFiles)")
        #expect(try sandbox.openssl("pkey", "-in", backup + "/keys/" + encrypted[0], "-passin", "pass:\(Self.password)", "-noout").succeeded)

        // Restore into an empty CA_DIR and find everything acknowledged before the backup started.
        let restored = try Sandbox()
        let restoreOutput = try restored.expectSuccess("restore", backup)
        #expect(restoreOutput.contains("restored"), "\(restoreOutput)")
        let listed = try restored.expectSuccess("list-certs", "--ca", "Issuing", "--revoked", "--expired")
        let signedBefore = acknowledged.signed(before: backupStarted)
        #expect(!signedBefore.isEmpty)
        for serial in signedBefore {
            #expect(try restored.swiftCA("view-cert", serial).status == 0, "certificate \(serial), acknowledged before the backup, is restored")
        }
        for serial in acknowledged.revoked(before: backupStarted) {
            let view = try restored.expectSuccess("view-cert", serial)
            #expect(view.lowercased().contains("revoked"), "revocation of \(serial), acknowledged before the backup, is restored: \(view)")
        }
        #expect(!listed.isEmpty)
        // The restored encrypted key signs, and openssl verifies the result against the restored chain.
        let chain = try restored.write(try restored.expectSuccess("dump-ca", "Issuing", "--bundle"), to: "chain.pem")
        let leaf = try restored.write(
            try restored.expectSuccess(
                "sign-cert", "--ca", "Issuing", "--password", Self.password, "--csr", csr, "--alt", "after-restore.example.com"),
            to: "leaf.pem")
        let verified = try restored.openssl("verify", "-CAfile", chain, leaf)
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")

        // A second restore into the same CA_DIR is refused.
        try restored.expectFailure(["restore", backup], mentioning: "already holds a database or keys")
        // A damaged backup is refused before anything is copied.
        let damaged = sandbox.path("damaged")
        try FileManager.default.copyItem(atPath: backup, toPath: damaged)
        let keyPath = damaged + "/keys/" + encrypted[0]
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: keyPath)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: keyPath))
        let untouched = try Sandbox()
        try untouched.expectFailure(["restore", damaged], mentioning: "does not match its size and SHA-256")
        #expect(!FileManager.default.fileExists(atPath: untouched.caDirectory + "/swift-ca.sqlite3"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: untouched.caDirectory + "/keys")) ?? []).isEmpty)
        // A backup into a directory that holds files is refused.
        try sandbox.expectFailure(["backup", damaged], mentioning: "is not empty")
    }
}
