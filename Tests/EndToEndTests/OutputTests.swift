import Foundation
import Testing

@Suite(.timeLimit(.minutes(10))) struct OutputTests {
    @Test func csrFromStandardInputInDERAndBinaryOutputsOpenWithOpenSSL() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Output Root", "--key-type", "Ed25519")
        let csr = try sandbox.makeCSR("host")
        #expect(try sandbox.openssl("req", "-in", csr, "-outform", "DER", "-out", sandbox.path("host.der")).succeeded)
        let der = try #require(FileManager.default.contents(atPath: sandbox.path("host.der")))
        let bundle = try sandbox.swiftCA(["sign-cert", "--csr", "-", "--alt", "stdin.example.com", "--bundle"], input: der)
        #expect(bundle.succeeded, "\(bundle.standardError)")
        #expect(bundle.standardOutput.components(separatedBy: "BEGIN CERTIFICATE").count == 3)

        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "file.example.com", "--output-format", "der",
                                  "--out", sandbox.path("leaf.der"))
        let leafText = try sandbox.openssl("x509", "-inform", "DER", "-in", sandbox.path("leaf.der"), "-noout", "-subject")
        #expect(leafText.standardOutput.contains("CN = file.example.com"))
        try sandbox.expectSuccess("dump-ca", "Root", "--output-format", "der", "--out", sandbox.path("root.der"))
        #expect(try sandbox.openssl("x509", "-inform", "DER", "-in", sandbox.path("root.der"), "-noout").succeeded)
        try sandbox.expectSuccess("dump-cert", "file.example.com", "--out", sandbox.path("leaf.pem"))
        let rootPEM = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        #expect(try sandbox.openssl("verify", "-CAfile", rootPEM, sandbox.path("leaf.pem")).succeeded)

        let view = try sandbox.expectSuccess("view-ca", "Root")
        for line in ["Name: Root", "Enabled: Yes", "Status: Valid", "Path length: 0", "Parent: none (root CA)",
                     "Key storage: file", "SHA-256:", "Extensions for signed certificates:", "Basic Constraints"] {
            #expect(view.contains(line), "view-ca lacks \(line): \(view)")
        }
    }

    @Test func disabledCAsSignNothingUntilEnabled() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Toggle Root", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        #expect(try sandbox.expectSuccess("edit-ca", "Root", "--disable").contains("(disabled)"))
        try sandbox.expectFailure(["sign-cert", "--ca", "Root", "--csr", csr, "--alt", "a.example.com"], mentioning: "disabled")
        #expect(try sandbox.expectSuccess("list-cas").contains("(disabled)"))
        try sandbox.expectSuccess("edit_ca", "Root", "--enable", "--name", "Renamed Root", "--sign-ocsp-responder", "http://ocsp.example.com/")
        let pem = try sandbox.write(try sandbox.expectSuccess("sign-cert", "--ca", "Renamed Root", "--csr", csr, "--alt", "a.example.com"), to: "a.pem")
        #expect((try sandbox.openssl("x509", "-in", pem, "-noout", "-text").standardOutput).contains("OCSP - URI:http://ocsp.example.com/"))
        try sandbox.expectFailure(["edit-ca", "Renamed Root", "--sign-ocsp-responder", "URI:not a uri"], mentioning: "not a uri")
    }

    @Test func extensionOverridesReachTheCertificate() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Override Root", "--key-type", "EC", "--default-hostname", "ca.example.com",
                                  "--sign-policy-identifier", "1.3.6.1.4.1.99999.1", "--sign-certification-practice-statement",
                                  "https://example.com/cps", "--sign-issuer-alternative-name", "URI:https://example.com/")
        let csr = try sandbox.makeCSR("host")
        let pem = try sandbox.write(try sandbox.expectSuccess(
            "sign-cert", "--csr", csr, "--subject", "CN=override.example.com,O=Example", "--ocsp-no-check",
            "--tls-feature", "status_request", "--ca-issuer", "http://other.example.com/ca.der",
            "--crl-full-name", "http://other.example.com/crl", "--crl-distribution-points-critical",
            "--extended-key-usage", "serverAuth", "clientAuth", "--algorithm", "SHA-384"), to: "leaf.pem")
        let text = try sandbox.openssl("x509", "-in", pem, "-noout", "-text").standardOutput
        for expected in ["OCSP No Check", "TLS Feature", "CA Issuers - URI:http://other.example.com/ca.der",
                         "X509v3 CRL Distribution Points: critical", "URI:http://other.example.com/crl",
                         "Policy: 1.3.6.1.4.1.99999.1", "CPS: https://example.com/cps", "X509v3 Issuer Alternative Name",
                         "TLS Web Server Authentication, TLS Web Client Authentication", "ecdsa-with-SHA384",
                         "DNS:override.example.com", "O = Example"] {
            #expect(text.contains(expected), "missing \(expected) in \(text)")
        }
        try sandbox.expectPKILintClean(pem)
    }
}
