import Foundation
import Testing

/// certbot (pip), unchanged, against `swift-ca serve` over HTTPS: register, http-01 in standalone mode, dns-01
/// through the test DNS server, a wildcard, renewal, account update, revocation. Issued chains are judged
/// by openssl and pkilint.
@Suite(.serialized, .timeLimit(.minutes(15))) struct ACMECertbotTests {
    struct Certbot {
        let installation: ACMEInstallation
        var configDirectory: String { installation.sandbox.path("certbot") }

        func run(_ arguments: [String]) throws -> CommandResult {
            var environment = installation.sandbox.environment
            environment["REQUESTS_CA_BUNDLE"] = installation.rootFile
            return try runProgram(
                Binaries.pkilint("certbot"),
                arguments + [
                    "--non-interactive", "--server", installation.directoryURL, "--config-dir", configDirectory, "--work-dir",
                    installation.sandbox.path("certbot-work"), "--logs-dir", installation.sandbox.path("certbot-logs"),
                ], environment: environment)
        }

        func live(_ name: String, _ file: String) -> String { "\(configDirectory)/live/\(name)/\(file)" }

        var dnsHook: String { "\(Binaries.pkilint("python")) \(Judges.script("zone_hook.py")) \(installation.dns.zoneFile)" }
    }

    @Test func certbotObtainsRenewsUpdatesAndRevokes() throws {
        let installation = try ACMEInstallation()
        let certbot = Certbot(installation: installation)
        let sandbox = installation.sandbox

        // Register and obtain with http-01, certbot answering in standalone mode on the validator's port.
        let obtained = try certbot.run([
            "certonly", "--standalone", "--agree-tos", "-m", "admin@example.test", "--http-01-address", "127.0.0.1",
            "--http-01-port", String(installation.http01Port), "-d", "web.example.test",
        ])
        #expect(obtained.status == 0, "\(obtained.standardOutput) \(obtained.standardError)")
        let certificate = certbot.live("web.example.test", "cert.pem")
        let verified = try installation.verify(certificate: certificate, chain: certbot.live("web.example.test", "chain.pem"))
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")
        try sandbox.expectPKILintClean(certificate)
        let text = try sandbox.openssl("x509", "-in", certificate, "-noout", "-text").standardOutput
        #expect(text.contains("DNS:web.example.test") && text.contains("TLS Web Server Authentication"), "\(text)")

        // dns-01 for a wildcard and its base name; certbot's manual hook writes the TXT records.
        let wildcard = try certbot.run([
            "certonly", "--manual", "--preferred-challenges", "dns", "--manual-auth-hook", certbot.dnsHook, "-d", "*.example.test",
            "-d", "example.test", "--cert-name", "wildcard",
        ])
        #expect(wildcard.status == 0, "\(wildcard.standardOutput) \(wildcard.standardError)")
        let wildcardText = try sandbox.openssl("x509", "-in", certbot.live("wildcard", "cert.pem"), "-noout", "-ext", "subjectAltName")
        #expect(wildcardText.standardOutput.contains("DNS:*.example.test") && wildcardText.standardOutput.contains("DNS:example.test"))
        let wildcardVerified = try installation.verify(certificate: certbot.live("wildcard", "cert.pem"), chain: certbot.live("wildcard", "chain.pem"))
        #expect(wildcardVerified.standardOutput.contains(": OK"))

        // Renewal: a new certificate with a new serial replaces the old one.
        let before = try sandbox.openssl("x509", "-in", certificate, "-noout", "-serial").standardOutput
        let renewed = try certbot.run([
            "renew", "--force-renewal", "--no-random-sleep-on-renew", "--cert-name", "web.example.test", "--http-01-address", "127.0.0.1", "--http-01-port",
            String(installation.http01Port),
        ])
        #expect(renewed.status == 0, "\(renewed.standardOutput) \(renewed.standardError)")
        let after = try sandbox.openssl("x509", "-in", certificate, "-noout", "-serial").standardOutput
        #expect(before != after && after.hasPrefix("serial="), "\(before) \(after)")

        // The account's contact changes.
        let updated = try certbot.run(["update_account", "-m", "ops@example.test"])
        #expect(updated.status == 0, "\(updated.standardOutput) \(updated.standardError)")

        // Revocation with a reason; swift-ca then reports the certificate revoked.
        let revoked = try certbot.run([
            "revoke", "--cert-path", certificate, "--reason", "keycompromise", "--no-delete-after-revoke",
        ])
        #expect(revoked.status == 0, "\(revoked.standardOutput) \(revoked.standardError)")
        let serial = String(after.dropFirst("serial=".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        let view = try sandbox.expectSuccess("view-cert", serial)
        #expect(view.lowercased().contains("revoked") && view.contains("key_compromise"), "\(view)")
        // The audit log names the ACME account and the client's address for both issuances and the revocation.
        let audit = try sandbox.expectSuccess("audit-log", "--target", serial).split(separator: "\n").map { $0.split(separator: "\t") }
        #expect(audit.map { String($0[3]) } == ["revoke", "sign"], "\(audit)")
        for entry in audit {
            #expect(entry[1].hasPrefix("acme:") && entry[1].count > "acme:".count + 8 && entry[2] == "127.0.0.1", "\(entry)")
        }
        #expect(installation.server.stop().status == 0)
    }

    /// certbot asks for the `short-lived` profile (as for Let's Encrypt's `shortlived`): the certificate lives at most
    /// CA_SHORT_LIVED_MAXIMUM_DAYS, names no CRL or OCSP URL, carries noRevAvail, and pkilint is clean.
    @Test func certbotGetsAShortLivedCertificateWithoutRevocation() throws {
        let installation = try ACMEInstallation()
        let certbot = Certbot(installation: installation)
        let obtained = try certbot.run([
            "certonly", "--standalone", "--agree-tos", "-m", "admin@example.test", "--http-01-address", "127.0.0.1",
            "--http-01-port", String(installation.http01Port), "-d", "web.example.test", "--required-profile", "short-lived",
        ])
        #expect(obtained.status == 0, "\(obtained.standardOutput) \(obtained.standardError)")
        let certificate = certbot.live("web.example.test", "cert.pem")
        let verified = try installation.verify(certificate: certificate, chain: certbot.live("web.example.test", "chain.pem"))
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")
        let sandbox = installation.sandbox
        let text = try sandbox.openssl("x509", "-in", certificate, "-noout", "-text").standardOutput
        #expect(!text.contains("CRL Distribution Points") && !text.contains("OCSP - URI"), "\(text)")
        #expect(text.contains("2.5.29.56") || text.contains("No Revocation Available"), "\(text)")
        #expect(try sandbox.openssl("x509", "-in", certificate, "-noout", "-checkend", String(6 * 86_400)).succeeded)
        #expect(!(try sandbox.openssl("x509", "-in", certificate, "-noout", "-checkend", String(7 * 86_400 + 60)).succeeded))
        try sandbox.expectPKILintClean(certificate)
        #expect(installation.server.stop().status == 0)
    }

    @Test func caaRecordsOfAnotherCAStopIssuance() throws {
        let installation = try ACMEInstallation(dnsRecords: [
            ["name": "forbidden.example.test.", "type": "CAA", "flags": 0, "tag": "issue", "value": "other-ca.example"],
            ["name": "example.test.", "type": "CAA", "flags": 0, "tag": "issue", "value": "ca.example.test"],
        ])
        let certbot = Certbot(installation: installation)
        let refused = try certbot.run([
            "certonly", "--standalone", "--agree-tos", "-m", "admin@example.test", "--http-01-address", "127.0.0.1",
            "--http-01-port", String(installation.http01Port), "-d", "forbidden.example.test",
        ])
        #expect(refused.status != 0)
        #expect((refused.standardOutput + refused.standardError).contains("CAA"), "\(refused.standardOutput) \(refused.standardError)")
        // The parent's CAA record names this CA (--caa ca.example.test), so a sibling name is issued.
        let allowed = try certbot.run([
            "certonly", "--standalone", "--agree-tos", "-m", "admin@example.test", "--http-01-address", "127.0.0.1",
            "--http-01-port", String(installation.http01Port), "-d", "web.example.test",
        ])
        #expect(allowed.status == 0, "\(allowed.standardOutput) \(allowed.standardError)")
        let listed = try installation.sandbox.expectSuccess("list-certs")
        #expect(listed.contains("web.example.test") && !listed.contains("forbidden.example.test"), "\(listed)")
        #expect(installation.server.stop().status == 0)
    }
}
