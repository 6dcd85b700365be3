import Foundation
import Testing

/// lego (Debian's package), unchanged, against `swift-ca serve` over HTTPS: http-01, tls-alpn-01, dns-01,
/// renewal, revocation, and External Account Binding on a CA that requires it.
@Suite(.serialized, .timeLimit(.minutes(15))) struct ACMELegoTests {
    struct Lego {
        let installation: ACMEInstallation
        let path: String

        init(_ installation: ACMEInstallation, name: String = "lego") {
            self.installation = installation
            path = installation.sandbox.path(name)
        }

        func run(_ arguments: [String], command: [String], environment extra: [String: String] = [:]) throws -> CommandResult {
            var environment = installation.sandbox.environment
            environment["LEGO_CA_CERTIFICATES"] = installation.rootFile
            for (name, value) in extra { environment[name] = value }
            let lego = try Binaries.required("lego", install: "apt-get install lego (.ci/run installs it)")
            return try runProgram(
                lego,
                ["--accept-tos", "--email", "admin@example.test", "--server", installation.directoryURL, "--path", path]
                    + arguments + command, environment: environment)
        }

        func certificate(_ name: String) -> String { "\(path)/certificates/\(name).crt" }
        func issuer(_ name: String) -> String { "\(path)/certificates/\(name).issuer.crt" }
    }

    @Test func legoObtainsWithEveryChallengeRenewsAndRevokes() throws {
        let installation = try ACMEInstallation()
        let lego = Lego(installation)
        let sandbox = installation.sandbox

        let http = try lego.run(
            ["--domains", "lego.example.test", "--http", "--http.port", "127.0.0.1:\(installation.http01Port)"], command: ["run"])
        #expect(http.status == 0, "\(http.standardOutput) \(http.standardError)")
        let verified = try installation.verify(certificate: lego.certificate("lego.example.test"), chain: lego.issuer("lego.example.test"))
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")
        // lego's .crt holds the leaf and its chain; pkilint judges one certificate.
        let leaf = sandbox.path("lego-leaf.pem")
        _ = try sandbox.openssl("x509", "-in", lego.certificate("lego.example.test"), "-out", leaf)
        try sandbox.expectPKILintClean(leaf)

        let tls = try lego.run(
            ["--domains", "tls.example.test", "--tls", "--tls.port", "127.0.0.1:\(installation.tlsALPN01Port)"], command: ["run"])
        #expect(tls.status == 0, "\(tls.standardOutput) \(tls.standardError)")
        #expect(FileManager.default.fileExists(atPath: lego.certificate("tls.example.test")))

        // dns-01 through lego's exec provider, which calls the zone hook with present/cleanup.
        let hook = try sandbox.write(
            "#!/bin/sh\nexec \(Binaries.pkilint("python")) \(Judges.script("zone_hook.py")) \(installation.dns.zoneFile) \"$@\"\n",
            to: "lego-hook.sh")
        _ = try runProgram("/bin/chmod", ["+x", hook])
        let dns = try lego.run(
            ["--domains", "*.example.test", "--dns", "exec", "--dns.resolvers", "127.0.0.1:\(installation.dns.port)", "--dns.disable-cp"],
            command: ["run"], environment: ["EXEC_PATH": hook])
        #expect(dns.status == 0, "\(dns.standardOutput) \(dns.standardError)")
        #expect(FileManager.default.fileExists(atPath: lego.certificate("_.example.test")))

        let before = try sandbox.openssl("x509", "-in", lego.certificate("lego.example.test"), "-noout", "-serial").standardOutput
        let renewed = try lego.run(
            ["--domains", "lego.example.test", "--http", "--http.port", "127.0.0.1:\(installation.http01Port)"],
            command: ["renew", "--days", "1000", "--no-random-sleep"])
        #expect(renewed.status == 0, "\(renewed.standardOutput) \(renewed.standardError)")
        let after = try sandbox.openssl("x509", "-in", lego.certificate("lego.example.test"), "-noout", "-serial").standardOutput
        #expect(before != after, "\(before) \(after)")

        let revoked = try lego.run(["--domains", "lego.example.test"], command: ["revoke", "--reason", "4"])
        #expect(revoked.status == 0, "\(revoked.standardOutput) \(revoked.standardError)")
        let serial = String(after.dropFirst("serial=".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        let view = try sandbox.expectSuccess("view-cert", serial)
        #expect(view.contains("Revoked (superseded"), "\(view)")
        #expect(installation.server.stop().status == 0)
    }

    @Test func externalAccountBindingIsRequiredAndOneUse() throws {
        let installation = try ACMEInstallation(intermediateOptions: ["--acme-require-external-account"])
        let sandbox = installation.sandbox
        let httpOptions = ["--domains", "eab.example.test", "--http", "--http.port", "127.0.0.1:\(installation.http01Port)"]

        let refused = try Lego(installation, name: "no-eab").run(httpOptions, command: ["run"])
        #expect(refused.status != 0)
        #expect((refused.standardOutput + refused.standardError).contains("External Account Binding"), "\(refused.standardError)")

        let created = try sandbox.expectSuccess("acme-eab", "create", "--ca", "Intermediate", "--comment", "lego test")
        let lines = created.split(separator: "\n")
        let keyID = String(lines.first { $0.hasPrefix("Key ID: ") }?.dropFirst(8) ?? "")
        let macKey = String(lines.first { $0.hasPrefix("HMAC key: ") }?.dropFirst(10) ?? "")
        let bound = try Lego(installation, name: "eab").run(["--eab", "--kid", keyID, "--hmac", macKey] + httpOptions, command: ["run"])
        #expect(bound.status == 0, "\(bound.standardOutput) \(bound.standardError)")

        // The key is bound now: another account cannot use it.
        let reused = try Lego(installation, name: "eab-again").run(["--eab", "--kid", keyID, "--hmac", macKey] + httpOptions, command: ["run"])
        #expect(reused.status != 0)
        #expect(try sandbox.expectSuccess("acme-eab", "list").contains("bound to account"))
        #expect(installation.server.stop().status == 0)
    }
}
