import ArgumentParser
import CAAuthority
import CACore
import CAStore
import Foundation
import X509
#if canImport(Glibc)
import Glibc
#endif

/// Measures issuance throughput through the same path every front end uses, and the wall time of the
/// listing and viewing commands as a user runs them. Run it on a release build (docs/benchmarks.md).
struct Benchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark", abstract: "Measure issuance, listing and viewing; prints one line per figure.")

    @Option(help: "Certificates to issue with the P-256 issuer.") var ecCount = 20_000
    @Option(help: "Certificates to issue with the RSA-2048 issuer.") var rsaCount = 2_000
    @Option(help: "Certificates in the database for the list-certs and view-cert timings.") var listSize = 100_000
    @Option(help: "Revoked certificates for the dump-crl timing (0 skips it; it issues them first).") var crlSize = 0
    @Option(help: "Working directory (default: a new temporary directory, removed afterwards).") var directory: String?
    @Option(help: "Also issue with P-256 and RSA-2048 CAs whose keys are in this CA_KEY_BACKENDS alias (an HSM token).")
    var keyBackend: String?
    @Option(help: "Certificates to issue with each CA in the token.") var tokenCount = 2_000
    @Option(help: "OpenSSH user certificates to sign with an Ed25519 OpenSSH CA, each stored in its own transaction (0 skips it).")
    var sshCount = 0

    func run() async throws {
        let workDirectory = directory ?? NSTemporaryDirectory() + "swift-ca-benchmark-\(getpid())"
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: workDirectory) } }
        var environment = ProcessInfo.processInfo.environment
        environment["CA_DIR"] = workDirectory
        environment["CA_DATABASE"] = nil
        do {
            let settings = try SettingsLoader.load(environment: environment)
            let authority = try await Authority.open(settings: settings)
            try await measure(authority, environment: environment)
            await authority.close()
        } catch {
            CommandRunner.fail(error)
        }
    }

    /// Signs `sshCount` OpenSSH user certificates one request at a time, as `sign-ssh-cert` or the API would: sign,
    /// store and audit in one transaction each. The subject key is made before the clock starts.
    func measureSSH(_ authority: Authority) async throws {
        let ca = try await authority.createSSHAuthority(SSHAuthorityCreationRequest(name: "Bench SSH"))
        let subject = try SSHPublicKey(Certificate.PrivateKey(Curve25519.Signing.PrivateKey()).publicKey).text(comment: "bench")
        let started = ContinuousClock.now
        for index in 0..<sshCount {
            var request = SSHSigningRequest(publicKey: subject, type: .user, principals: ["user\(index)"])
            request.expiresDays = 1
            _ = try await authority.signSSHCertificate(request, authority: ca.name)
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        print(String(
            format: "sign-ssh-cert in process, Ed25519 OpenSSH CA: %d certificates in %.3f s = %.0f certificates/s", sshCount, seconds,
            Double(sshCount) / seconds))
    }

    func measure(_ authority: Authority, environment: [String: String]) async throws {
        var ecRequest = AuthorityCreationRequest(name: "Bench EC", subject: "CN=Bench EC Root", keyAlgorithm: .ec(.secp256r1))
        ecRequest.defaultHostname = "ca.example.com"
        let ecCA = try await authority.createAuthority(ecRequest)
        var rsaRequest = AuthorityCreationRequest(name: "Bench RSA", subject: "CN=Bench RSA Root", keyAlgorithm: .rsa(bits: 2048))
        rsaRequest.defaultHostname = "ca.example.com"
        let rsaCA = try await authority.createAuthority(rsaRequest)

        // CSRs are made before the clock starts: a CA signs CSRs, it does not make them.
        let csrs = try makeCSRs(count: max(ecCount, rsaCount))
        print("CSRs prepared: \(csrs.count)")
        let ecRate = try await issue(csrs: Array(csrs.prefix(ecCount)), authority: authority, ca: ecCA.serial)
        print(String(format: "issue+store, P-256 issuer: %d certificates in %.3f s = %.0f certificates/s", ecCount, ecRate.seconds, ecRate.perSecond))
        let rsaRate = try await issue(csrs: Array(csrs.prefix(rsaCount)), authority: authority, ca: rsaCA.serial)
        print(String(format: "issue+store, RSA-2048 issuer: %d certificates in %.3f s = %.0f certificates/s", rsaCount, rsaRate.seconds, rsaRate.perSecond))

        if let keyBackend {
            for (label, algorithm) in [("P-256", KeyAlgorithm.ec(.secp256r1)), ("RSA-2048", KeyAlgorithm.rsa(bits: 2048))] {
                var request = AuthorityCreationRequest(name: "Bench \(label) in \(keyBackend)", subject: "CN=Bench \(label) Token Root", keyAlgorithm: algorithm)
                request.defaultHostname = "ca.example.com"
                request.keyBackendAlias = keyBackend
                request.keyLabel = "bench-\(label)-\(getpid())"
                let ca = try await authority.createAuthority(request)
                let rate = try await issue(csrs: Array(csrs.prefix(tokenCount)), authority: authority, ca: ca.serial)
                print(String(
                    format: "issue+store, %@ issuer in token (%@): %d certificates in %.3f s = %.0f certificates/s", label, keyBackend,
                    tokenCount, rate.seconds, rate.perSecond))
            }
        }

        if sshCount > 0 {
            try await measureSSH(authority)
        }

        var stored = ecCount + rsaCount
        let progress = ProgressLine(label: "benchmark: filling the list", unit: "certificates")
        while stored < listSize {
            let batch = Array(csrs.prefix(min(csrs.count, listSize - stored)))
            _ = try await authority.signBatch(csrs: batch, request: Self.request, authority: ecCA.serial, password: nil)
            stored += batch.count
            progress.update(stored, of: listSize)
        }
        progress.finish()
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let sample = SerialNumberText.colonSeparated(
            try await authority.listCertificates(CertificateFilter(authoritySerial: rsaCA.serial)).last?.serial ?? "")
        let csrPath = (authority.settings.caDirectory as NSString).appendingPathComponent("bench.csr")
        _ = FileManager.default.createFile(atPath: csrPath, contents: Data(csrs[0]))
        let commands: [(String, [String])] = [
            ("list-certs over \(stored) certificates", ["list-certs"]),
            ("view-cert", ["view-cert", sample]),
            ("sign-cert (one certificate, P-256 CA)", ["sign-cert", "--ca", ecCA.serial, "--csr", csrPath, "--subject", "CN=one.example.com"]),
        ]
        for (label, arguments) in commands {
            let runs = try (0..<5).map { _ in try Self.wallTime(executable, arguments, environment: environment) }
            let best = runs.map(\.seconds).min() ?? 0
            let median = runs.map(\.seconds).sorted()[runs.count / 2]
            let memory = runs.map(\.maximumResidentKilobytes).max() ?? 0
            print(String(format: "%@: best %.1f ms, median %.1f ms of 5 runs, max RSS %d KiB", label, best * 1000, median * 1000, memory))
        }
        if crlSize > 0 {
            try await measureRevocationList(authority, csrs: csrs, environment: environment, executable: executable)
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print("benchmark process (holds \(csrs.count) CSRs and runs the bulk issuance): max RSS \(usage.ru_maxrss) KiB")
    }

    /// A CA with 64 CRL shards, delta CRLs and `crlSize` revoked certificates: `dump-crl` of the complete CRL as a user
    /// runs it, then what the CRL job does after 100 more revocations (one delta, one shard), in process and as commands.
    func measureRevocationList(
        _ authority: Authority, csrs: [[UInt8]], environment: [String: String], executable: String
    ) async throws {
        var request = AuthorityCreationRequest(name: "Bench CRL", subject: "CN=Bench CRL Root", keyAlgorithm: .ec(.secp256r1))
        request.defaultHostname = "ca.example.com"
        request.revocationListLayout = RevocationListLayoutChanges(shards: 64, deltas: true)
        let ca = try await authority.createAuthority(request)
        var issued = 0
        let progress = ProgressLine(label: "benchmark: issuing for the CRL", unit: "certificates")
        while issued < crlSize {
            let batch = Array(csrs.prefix(min(csrs.count, crlSize - issued)))
            _ = try await authority.signBatch(csrs: batch, request: Self.request, authority: ca.serial, password: nil)
            issued += batch.count
            progress.update(issued, of: crlSize)
        }
        progress.finish()
        let revoked = try await authority.revokeAllCertificates(of: ca.serial, reason: .keyCompromise)
        let output = (authority.settings.caDirectory as NSString).appendingPathComponent("bench.crl")
        let runs = try (0..<3).map { _ in
            try Self.wallTime(executable, ["dump-crl", "--ca", ca.serial, "--format", "DER", output], environment: environment)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print(String(
            format: "dump-crl over %d revoked certificates (%d bytes DER): best %.0f ms of 3 runs, max RSS %d KiB",
            revoked, size, (runs.map(\.seconds).min() ?? 0) * 1000, runs.map(\.maximumResidentKilobytes).max() ?? 0))

        let clock = ContinuousClock()
        var started = clock.now
        let first = try await authority.generateRevocationLists(serials: [ca.serial])
        print(String(
            format: "generate-crls in process, first run (3 complete CRLs, 3 deltas, 64 shards): %d CRLs in %.0f ms", first.count,
            Self.seconds(clock.now - started) * 1000))

        // 100 revocations after the bases: certificates issued now and revoked one at a time, as users revoke.
        let late = try await authority.signBatch(csrs: Array(csrs.prefix(100)), request: Self.request, authority: ca.serial, password: nil)
        for record in late { _ = try await authority.revoke(record.serial, reason: .superseded, compromisedAt: nil) }
        started = clock.now
        let job = try await authority.generateRevocationLists(serials: [ca.serial])
        let signed = job.filter { if case .generated = $0.result { return true } else { return false } }
        print(String(
            format: "generate-crls in process after 100 revocations: %d CRLs signed (deltas and changed shards; complete CRLs kept) in %.0f ms",
            signed.count, Self.seconds(clock.now - started) * 1000))

        var deltaRequest = RevocationListRequest(profile: authority.settings.crlProfiles["user"] ?? CRLProfile(scope: .userCertificates))
        deltaRequest.delta = true
        let shard = late[0].crlShard ?? 0
        let shardRequest = RevocationListRequest(shard: shard, validity: 86_400)
        for (label, listRequest) in [("delta CRL (100 entries, 1 base of \(revoked))", deltaRequest), ("one shard of 64", shardRequest)] {
            var timings: [Double] = []
            var entries = 0
            for _ in 0..<5 {
                let start = clock.now
                let list = try await authority.signAndStoreRevocationList(authority: ca.serial, request: listRequest, password: nil)
                timings.append(Self.seconds(clock.now - start))
                entries = list.entryCount
            }
            print(String(
                format: "sign+store %@ in process: %d entries, best %.1f ms, median %.1f ms of 5 runs", label, entries,
                (timings.min() ?? 0) * 1000, timings.sorted()[timings.count / 2] * 1000))
        }
        for (label, arguments) in [
            ("dump-crl --delta", ["dump-crl", "--ca", ca.serial, "--delta", "--only-contains-user-certs", "--format", "DER", output]),
            ("dump-crl --shard \(shard)", ["dump-crl", "--ca", ca.serial, "--shard", String(shard), "--format", "DER", output]),
        ] {
            let runs = try (0..<5).map { _ in try Self.wallTime(executable, arguments, environment: environment) }
            print(String(
                format: "%@, whole process: best %.0f ms, median %.0f ms of 5 runs, max RSS %d KiB", label,
                (runs.map(\.seconds).min() ?? 0) * 1000, runs.map(\.seconds).sorted()[2] * 1000,
                runs.map(\.maximumResidentKilobytes).max() ?? 0))
        }
    }

    static var request: SigningRequest {
        var request = SigningRequest()
        request.subject = "CN=bench.example.com"
        request.alternativeNames = ["bench.example.com"]
        return request
    }

    func issue(csrs: [[UInt8]], authority: Authority, ca: String) async throws -> (seconds: Double, perSecond: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let records = try await authority.signBatch(csrs: csrs, request: Self.request, authority: ca, password: nil)
        let elapsed = clock.now - start
        let seconds = Self.seconds(elapsed)
        return (seconds, Double(records.count) / seconds)
    }

    func makeCSRs(count: Int) throws -> [[UInt8]] {
        try (0..<count).map { index in
            let key = Certificate.PrivateKey(P256Key.make())
            let csr = try CertificateSigningRequest(
                version: .v1, subject: try SubjectParser.parse("CN=client\(index).example.com"), privateKey: key,
                attributes: .init(), signatureAlgorithm: .ecdsaWithSHA256)
            return try InitDemo.der(csr)
        }
    }

    struct Run {
        let seconds: Double
        let maximumResidentKilobytes: Int
    }

    /// Runs one command as a user would and measures it. The child's peak memory comes from GNU time
    /// (`/usr/bin/time -f %M`): on Linux a child's ru_maxrss includes the memory of the process it was
    /// forked from, and this benchmark process holds thousands of CSRs; time's own child starts small.
    static func wallTime(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Run {
        let timeTool = "/usr/bin/time"
        let memoryFile = NSTemporaryDirectory() + "swift-ca-benchmark-rss-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: memoryFile) }
        let measured = FileManager.default.isExecutableFile(atPath: timeTool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: measured ? timeTool : executable)
        process.arguments = measured ? ["-f", "%M", "-o", memoryFile, executable] + arguments : arguments
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = clock.now - start
        guard process.terminationStatus == 0 else {
            throw CAError(.storage, "benchmark command \(arguments.joined(separator: " ")) failed")
        }
        let memory = (try? String(contentsOfFile: memoryFile, encoding: .utf8))
            .flatMap { Int($0.split(separator: "\n").last.map(String.init) ?? "") } ?? 0
        return Run(
            seconds: seconds(elapsed), maximumResidentKilobytes: memory)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

import Crypto

enum P256Key {
    static func make() -> P256.Signing.PrivateKey { P256.Signing.PrivateKey() }
}
