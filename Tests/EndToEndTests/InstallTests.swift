import Foundation
import Testing

/// `scripts/install --prefix` into a fresh directory: the installed binary has no Swift runtime libraries (`ldd`),
/// runs `--version`, `init-ca` and `serve` from there; `systemd-analyze verify` accepts the units; the completions
/// and the example settings (every setting, and readable once uncommented) are in place.
///
/// The script builds the release binary once (10–15 minutes on two cores the first time, then it reuses
/// `.build-release`), which is why this suite has the longest time limit.
@Suite(.serialized, .timeLimit(.minutes(40))) struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func installedBinaryRunsWithoutSwiftAndTheUnitsVerify() async throws {
        let sandbox = try Sandbox()
        let prefix = sandbox.path("prefix")
        let installed = try runProgram(
            Self.repository + "/scripts/install", ["--prefix", prefix], directory: Self.repository, deadline: 2_400)
        #expect(installed.status == 0, "\(installed.standardOutput) \(installed.standardError)")
        let binary = prefix + "/bin/swift-ca"

        let libraries = try runProgram("/usr/bin/ldd", [binary])
        #expect(!libraries.standardOutput.contains("libswift") && !libraries.standardOutput.contains("libFoundation"),
                "\(libraries.standardOutput)")
        let version = try runProgram(binary, ["--version"])
        #expect(version.status == 0 && !version.standardOutput.isEmpty)
        let created = try runProgram(
            binary, ["init-ca", "Installed Root", "CN=Installed Root", "--key-type", "EC"], environment: sandbox.environment)
        #expect(created.status == 0, "\(created.standardError)")
        let served = try runProgram(
            "/usr/bin/env", ["timeout", "-s", "TERM", "3", binary, "serve", "--port", "0"], environment: sandbox.environment)
        #expect(served.standardOutput.contains("serving on http://127.0.0.1:"), "\(served.standardOutput) \(served.standardError)")

        let units = prefix + "/lib/systemd/system"
        let unitFiles = try FileManager.default.contentsOfDirectory(atPath: units).sorted()
        #expect(unitFiles.contains("swift-ca.service") && unitFiles.contains("swift-ca-job@.service")
                && unitFiles.contains("swift-ca-generate-crls.timer"), "\(unitFiles)")
        let service = try String(contentsOfFile: units + "/swift-ca.service", encoding: .utf8)
        for line in ["ExecStart=\(binary) serve", "ProtectSystem=strict", "ReadWritePaths=/var/lib/swift-ca", "PrivateTmp=yes",
                     "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "Restart=on-failure", "User=swift-ca"] {
            #expect(service.contains(line), "swift-ca.service lacks \(line)")
        }
        // systemd's own judge, on the service, an instance of the job unit and every timer.
        let toVerify = unitFiles.filter { $0.hasSuffix(".timer") || $0 == "swift-ca.service" }.map { units + "/" + $0 }
        let verified = try runProgram("/usr/bin/systemd-analyze", ["verify"] + toVerify, environment: sandbox.environment)
        // systemd-analyze exits 0 on keys it ignores but names them: any output is a finding.
        let findings = (verified.standardOutput + verified.standardError).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(verified.status == 0 && findings.isEmpty, "\(findings)")

        for completion in ["share/bash-completion/completions/swift-ca", "share/zsh/site-functions/_swift-ca",
                           "share/fish/vendor_completions.d/swift-ca.fish"] {
            let text = (try? String(contentsOfFile: prefix + "/" + completion, encoding: .utf8)) ?? ""
            #expect(text.contains("sign-cert") && text.contains("init-ca"), "\(completion)")
        }
        let example = try String(contentsOfFile: prefix + "/share/swift-ca/settings.example.yaml", encoding: .utf8)
        let settings = try runProgram(binary, ["settings"], environment: sandbox.environment).standardOutput
        for line in settings.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, name.hasPrefix("CA_") else { continue }
            #expect(example.contains("# \(name):"), "settings.example.yaml lacks \(name)")
        }
        // Every default the example spells out is a value swift-ca reads.
        let uncommented = example.split(separator: "\n")
            .filter { $0.range(of: #"^# CA_[A-Z0-9_]+: \S"#, options: .regularExpression) != nil }.map { $0.dropFirst(2) }
        #expect(uncommented.count > 30)
        try sandbox.write(uncommented.joined(separator: "\n") + "\n", to: "ca/settings.yaml")
        let read = try runProgram(binary, ["settings"], environment: sandbox.environment)
        #expect(read.status == 0 && read.standardOutput.contains("file \(sandbox.caDirectory)/settings.yaml"), "\(read.standardError)")
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/swift-ca/operations.md"))
    }
}
