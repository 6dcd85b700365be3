import Foundation
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(10))) struct LifecycleTests {
    @Test func resignIssuesANewCertificateWithCurrentCATemplates() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Resign Root", "--key-type", "EC", "--default-hostname", "old.example.com")
        let csr = try sandbox.makeCSR("host")
        let first = try sandbox.expectSuccess("sign-cert", "--csr", csr, "--subject", "CN=resign.example.com", "--client",
                                              "--watch", "ops@example.com", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try sandbox.expectSuccess("edit-ca", "Root", "--sign-crl-full-name", "http://new.example.com/crl")
        let resigned = try sandbox.write(try sandbox.expectSuccess("resign-cert", first), to: "resigned.pem")
        let text = try sandbox.openssl("x509", "-in", resigned, "-noout", "-text", "-serial").standardOutput
        #expect(text.contains("CN = resign.example.com") || text.contains("CN=resign.example.com"))
        #expect(text.contains("TLS Web Client Authentication"))
        #expect(text.contains("URI:http://new.example.com/crl"))
        #expect(!text.contains("serial=\(first.replacingOccurrences(of: ":", with: ""))"))
        #expect((try sandbox.expectSuccess("list-certs")).split(separator: "\n").count == 2)
        let view = try sandbox.expectSuccess("view-cert", first)
        #expect(view.contains("Watchers: ops@example.com"))
    }

    @Test func watchersCanBeAddedAndRemoved() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Watch Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "watched.example.com")
        let added = try sandbox.expectSuccess("cert_watchers", "watched.example.com", "--add", "Ops <ops@example.com>", "--add", "b@example.com")
        #expect(added == "b@example.com\nops@example.com\n")
        #expect(try sandbox.expectSuccess("view-cert", "watched.example.com").contains("Watchers: b@example.com, ops@example.com"))
        #expect(try sandbox.expectSuccess("cert-watchers", "watched.example.com", "--rm", "b@example.com") == "ops@example.com\n")
        try sandbox.expectFailure(["cert-watchers", "watched.example.com", "--add", "not an address"], mentioning: "e-mail")
    }

    @Test func concurrentSignersNeverCollide() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Concurrent Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        let processes = (0..<6).map { index -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.swiftCA)
            process.arguments = ["sign-cert", "--csr", csr, "--alt", "c\(index).example.com", "--output-format", "none"]
            process.environment = sandbox.environment
            return process
        }
        for process in processes { try process.run() }
        // Deadlocked signers are killed (their status then fails the check below) instead of hanging the run.
        let deadline = Date().addingTimeInterval(120)
        for process in processes { ChildProcess.waitForExit(process, until: deadline) }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let list = try sandbox.expectSuccess("list-certs").split(separator: "\n")
        #expect(list.count == 6)
        try sandbox.expectSuccess("init-ca", "Second", "CN=Second Root", "--key-type", "EC")
        try sandbox.expectSuccess("sign-cert", "--ca", "Second", "--csr", csr, "--alt", "second.example.com")
        #expect(try sandbox.expectSuccess("list-certs", "--ca", "Second").split(separator: "\n").count == 1)
        #expect(try sandbox.expectSuccess("list-certs", "--ca", "Concurrent Root").split(separator: "\n").count == 6)
        #expect(Set(list.map { $0.prefix(20) }).count == 6)
    }

    @Test func listingPagesWithLimitAndAfterCoverEveryCertificateOnce() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Paging Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        // Different expiries and equal ones, so that pages break inside a run of equal expiry dates too.
        for (index, days) in [30, 10, 20, 10, 10, 40, 20].enumerated() {
            try sandbox.expectSuccess(
                "sign-cert", "--csr", csr, "--alt", "p\(index).example.com", "--expires", "\(days)", "--output-format", "none")
        }
        let full = try sandbox.expectSuccess("list-certs").split(separator: "\n").map(String.init)
        #expect(full.count == 7)
        var paged: [String] = []
        var after: String?
        for _ in 0..<10 {
            let result = try sandbox.swiftCA(["list-certs", "--limit", "3"] + (after.map { ["--after", $0] } ?? []))
            #expect(result.succeeded, "\(result.standardError)")
            let lines = result.standardOutput.split(separator: "\n").map(String.init)
            #expect(lines.count <= 3)
            paged += lines
            guard let hint = result.standardError.split(separator: "\n").first(where: { $0.hasPrefix("next page: --after ") }) else { break }
            after = String(hint.dropFirst("next page: --after ".count))
            #expect(after == lines.last.map { String($0.prefix(while: { $0 != " " })) })
        }
        #expect(paged == full)
        try sandbox.expectFailure(["list-certs", "--limit", "0"], mentioning: "--limit")
        try sandbox.expectFailure(["list-certs", "--after", "AB:CD:EF:01"], mentioning: "no certificate")
    }

    @Test func jsonOutputsParse() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=JSON Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        let json = try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "json.example.com", "--output-format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["profile"] as? String == "webserver")
        #expect((object["pem"] as? String)?.contains("BEGIN CERTIFICATE") == true)
        let list = try sandbox.expectSuccess("list-certs", "--output-format", "json")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])
        #expect(entries.first?["common_name"] as? String == "json.example.com")
        let ca = try sandbox.expectSuccess("view-ca", "Root", "--output-format", "json")
        #expect((try JSONSerialization.jsonObject(with: Data(ca.utf8)) as? [String: Any])?["name"] as? String == "Root")
    }

    @Test func settingsComeFromFileAndEnvironment() throws {
        let sandbox = try Sandbox()
        let file = try sandbox.write("""
            {"CA_DEFAULT_EXPIRES": 30, "CA_PROFILES": {"vpn": {"description": "VPN clients",
             "extensions": {"key_usage": {"value": ["digitalSignature"]}, "extended_key_usage": {"value": ["clientAuth", "ipsecIKE"]}}}}}
            """, to: "settings.json")
        sandbox.extraEnvironment["SWIFT_CA_SETTINGS"] = file
        sandbox.extraEnvironment["CA_DEFAULT_PROFILE"] = "client"
        let output = try sandbox.expectSuccess("settings")
        #expect(output.contains("CA_DEFAULT_EXPIRES = 30 days (file \(file))"))
        #expect(output.contains("CA_DEFAULT_PROFILE = client (environment CA_DEFAULT_PROFILE)"))
        #expect(output.contains("CA_MIN_KEY_SIZE = 2048 (default)"))
        try sandbox.expectSuccess("init-ca", "Root", "CN=Settings Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        let pem = try sandbox.write(try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "vpn.example.com", "--profile", "vpn"), to: "vpn.pem")
        let text = try sandbox.openssl("x509", "-in", pem, "-noout", "-text", "-enddate").standardOutput
        #expect(text.contains("TLS Web Client Authentication, ipsec Internet Key Exchange") || text.contains("1.3.6.1.5.5.7.3.17"))
        let defaultPem = try sandbox.write(try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "c.example.com"), to: "c.pem")
        #expect((try sandbox.openssl("x509", "-in", defaultPem, "-noout", "-text").standardOutput).contains("TLS Web Client Authentication"))
        sandbox.extraEnvironment["CA_DEFAULT_EXPIRES"] = "zero"
        try sandbox.expectFailure(["list-certs"], mentioning: "CA_DEFAULT_EXPIRES")
    }

    @Test func initDemoBuildsAHierarchyThatOpenSSLVerifies() throws {
        let sandbox = try Sandbox()
        let output = try sandbox.expectSuccess("init-demo")
        #expect(output.contains("Created CA \"Root\""))
        #expect(output.components(separatedBy: ": OK").count - 1 == 4)
        #expect((try sandbox.expectSuccess("list-certs", "--revoked")).contains("revoked.example.com (revoked)"))
        try sandbox.expectFailure(["init-demo"], mentioning: "empty CA_DIR")
    }
}
