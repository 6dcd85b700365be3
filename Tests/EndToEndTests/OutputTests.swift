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

    /// django-ca 3.2's output options of view_cert and view_ca: `--serial-format`, `-n`/`--no-pem`,
    /// `--no-extensions`, `--no-wrap`, `--json-indent`. Serials are checked against openssl's.
    @Test func djangoCAOutputOptionsOfViewCertAndViewCA() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Options Root", "--key-type", "EC", "--path-length", "1")
        let pem = try sandbox.write(try sandbox.expectSuccess(
            "sign-cert", "--csr", try sandbox.makeCSR("host"), "--alt", "options.example.com"), to: "host.pem")
        let opensslSerial = try sandbox.openssl("x509", "-in", pem, "-noout", "-serial").standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let hex = try sandbox.expectSuccess("view-cert", "options.example.com", "--output-format", "serial", "--serial-format", "hex")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hex.count > 30 && opensslSerial.hasSuffix(hex), "\(hex) vs \(opensslSerial)")
        let decimal = try sandbox.expectSuccess("view-cert", "options.example.com", "--output-format", "serial", "--serial-format", "int")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(decimal.allSatisfy(\.isNumber) && decimal.count >= 38, "\(decimal)")
        #expect(try Self.decimalFromHex(opensslSerial) == decimal, "\(decimal) vs \(opensslSerial)")
        let dotted = try sandbox.expectSuccess("view-cert", "options.example.com", "--output-format", "serial")
        #expect(dotted.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "") == hex)

        let full = try sandbox.expectSuccess("view-cert", "options.example.com", "--no-wrap")
        #expect(full.contains("BEGIN CERTIFICATE") && full.contains("Extensions:"), "\(full)")
        let short = try sandbox.expectSuccess("view-cert", "options.example.com", "-n", "--no-extensions")
        #expect(!short.contains("BEGIN CERTIFICATE") && !short.contains("Extensions:") && short.contains("SHA-256:"), "\(short)")
        let caShort = try sandbox.expectSuccess("view-ca", "Root", "--no-pem", "--no-extensions")
        #expect(!caShort.contains("BEGIN CERTIFICATE") && !caShort.contains("\nExtensions:\n"), "\(caShort)")

        // JSON: one line by default, as django-ca prints it; --json-indent indents; the serial follows --serial-format.
        let oneLine = try sandbox.expectSuccess("view-cert", "options.example.com", "--output-format", "json", "--serial-format", "int")
        #expect(oneLine.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(oneLine)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(oneLine.utf8)) as? [String: Any])
        #expect(parsed["serial"] as? String == decimal)
        let indented = try sandbox.expectSuccess("view-ca", "Root", "--output-format", "json", "--json-indent", "4")
        #expect(indented.contains("\n    \"enabled\": true"), "\(indented)")
        #expect(try JSONSerialization.jsonObject(with: Data(indented.utf8)) is [String: Any])
        let refused = try sandbox.swiftCA(["view-cert", "options.example.com", "--serial-format", "octal"])
        #expect(!refused.succeeded && refused.standardError.contains("serial-format"), "\(refused.standardError)")

        // sign-cert and init-ca print what they made with the same options, as django-ca's sign_cert and init_ca do.
        let signedSerial = try sandbox.expectSuccess(
            "sign-cert", "--csr", try sandbox.makeCSR("second"), "--alt", "second.example.com", "--output-format", "serial",
            "--serial-format", "hex").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!signedSerial.contains(":") && signedSerial.count > 30, "\(signedSerial)")
        let signedText = try sandbox.expectSuccess(
            "sign-cert", "--csr", try sandbox.makeCSR("third"), "--alt", "third.example.com", "--output-format", "text", "-n",
            "--private-key-usage-period-not-before", "2027-01-01T00:00:00", "--private-key-usage-period-not-after", "2027-03-01")
        #expect(signedText.contains("SHA-256:") && !signedText.contains("BEGIN CERTIFICATE"), "\(signedText)")
        #expect(signedText.contains("Private Key Usage Period") && signedText.contains("Not before: 2027-01-01T00:00:00Z")
            && signedText.contains("Not after: 2027-03-01T00:00:00Z"), "\(signedText)")
        let periodPEM = try sandbox.write(try sandbox.expectSuccess("view-cert", "third.example.com", "--output-format", "pem"), to: "third.pem")
        let periodText = try sandbox.openssl("x509", "-in", periodPEM, "-noout", "-text").standardOutput
        #expect(periodText.contains("Not Before: Jan  1 00:00:00 2027 GMT, Not After: Mar  1 00:00:00 2027 GMT"), "\(periodText)")
        let backwards = try sandbox.swiftCA([
            "sign-cert", "--csr", try sandbox.makeCSR("fourth"), "--alt", "fourth.example.com",
            "--private-key-usage-period-not-before", "2027-03-01", "--private-key-usage-period-not-after", "2027-01-01",
        ])
        #expect(!backwards.succeeded && backwards.standardError.contains("ends before it begins"), "\(backwards.standardError)")
        let intermediate = try sandbox.expectSuccess(
            "init-ca", "Intermediate", "CN=Options Intermediate", "--parent", "Root", "--key-type", "EC",
            "--subject-alternative-name", "URI:https://ca.example.com/", "--subject-alternative-name-critical",
            "--output-format", "pem", "--bundle")
        #expect(intermediate.components(separatedBy: "BEGIN CERTIFICATE").count == 3, "\(intermediate)")
        let intermediatePEM = try sandbox.write(intermediate, to: "intermediate.pem")
        let intermediateText = try sandbox.openssl("x509", "-in", intermediatePEM, "-noout", "-text").standardOutput
        #expect(intermediateText.contains("X509v3 Subject Alternative Name: critical"), "\(intermediateText)")
    }

    /// A reference conversion for the test, independent of the one swift-ca uses: long multiplication by 16.
    static func decimalFromHex(_ hex: String) throws -> String {
        var digits: [Int] = [0]
        for character in hex {
            let value = try #require(character.hexDigitValue)
            var carry = value
            for index in digits.indices {
                let product = digits[index] * 16 + carry
                digits[index] = product % 10
                carry = product / 10
            }
            while carry > 0 {
                digits.append(carry % 10)
                carry /= 10
            }
        }
        return String(digits.reversed().map { Character(String($0)) }).replacingOccurrences(of: "^0+(?=.)", with: "", options: .regularExpression)
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
