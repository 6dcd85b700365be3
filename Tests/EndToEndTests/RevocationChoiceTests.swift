import Foundation
import Testing

/// Short-lived certificates without revocation (RFC 9608) and CAs without OCSP: what the certificates say, what
/// openssl and pkilint make of them, and what the server answers.
@Suite struct RevocationChoiceTests {
    /// `--profile short-lived`: no CRL Distribution Points, no OCSP URL, noRevAvail, at most 7 days; pkilint is clean.
    /// A longer validity, an OCSP URL and a profile that claims noRevAvail with URLs are refused.
    @Test func shortLivedCertificatesCarryNoRevAvailAndNoURLs() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Short Root", "--key-type", "EC", "--default-hostname", "ca.example.com")
        let csr = try sandbox.makeCSR("short")
        let file = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "Root", "--csr", csr, "--subject", "CN=short.example.com", "--profile", "short-lived"),
            to: "short.pem")
        let text = try sandbox.openssl("x509", "-in", file, "-noout", "-text", "-dates").standardOutput
        #expect(!text.contains("CRL Distribution Points") && !text.contains("OCSP - URI"), "\(text)")
        #expect(text.contains("2.5.29.56") || text.contains("No Revocation Available"), "\(text)")
        // Valid for more than 6 days from now, and no more than 7 (-checkend fails when it expires within that time).
        #expect(try sandbox.openssl("x509", "-in", file, "-noout", "-checkend", String(6 * 86_400)).succeeded)
        #expect(!(try sandbox.openssl("x509", "-in", file, "-noout", "-checkend", String(7 * 86_400 + 60)).succeeded))
        try sandbox.expectPKILintClean(file)
        #expect(try sandbox.expectSuccess("view-cert", try sandbox.expectSuccess(
            "sign-cert", "--ca", "Root", "--csr", csr, "--subject", "CN=view.example.com", "--profile", "short-lived", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines)).contains("No Revocation Available"))

        let base = ["sign-cert", "--ca", "Root", "--csr", csr, "--subject", "CN=refused.example.com", "--profile", "short-lived"]
        try sandbox.expectFailure(base + ["--expires", "30"], mentioning: "CA_SHORT_LIVED_MAXIMUM_DAYS")
        try sandbox.expectFailure(base + ["--ocsp-responder", "http://ocsp.example.com/"], mentioning: "no OCSP or CRL URL")
        sandbox.extraEnvironment["CA_PROFILES"] = #"{"brief": {"expires": 3, "add_crl_url": true, "extensions": {"no_revocation_available": {}}}}"#
        try sandbox.expectFailure(base, mentioning: "add_crl_url and add_ocsp_url to false")
        sandbox.extraEnvironment["CA_PROFILES"] = nil
        #expect(!(try sandbox.expectSuccess("list-certs")).contains("refused.example.com"))
    }

    /// `--no-ocsp`: new certificates name no responder (the CRL stays), the server answers unauthorized for the
    /// CA, generate-ocsp-keys makes no responder for it; `edit-ca --ocsp` turns it back on.
    @Test func caWithoutOCSPNamesNoResponderAndIsNotAnswered() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Quiet", "CN=Quiet Root", "--key-type", "EC", "--default-hostname", "ca.example.com", "--no-ocsp")
        #expect(try sandbox.expectSuccess("view-ca", "Quiet").contains("OCSP: off"))
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Quiet"), to: "root.pem")
        let serial = try sandbox.expectSuccess("view-ca", "Quiet", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        let csr = try sandbox.makeCSR("leaf")
        let leaf = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "Quiet", "--csr", csr, "--subject", "CN=leaf.example.com"), to: "leaf.pem")
        let text = try sandbox.openssl("x509", "-in", leaf, "-noout", "-text").standardOutput
        #expect(!text.contains("OCSP - URI") && text.contains("CRL Distribution Points"), "\(text)")
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "Quiet", "--csr", csr, "--subject", "CN=x.example.com", "--ocsp-responder", "http://o.example.com/"],
            mentioning: "has OCSP turned off")
        try sandbox.expectSuccess("generate-ocsp-keys")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys")) ?? []).count == 1)

        var server = try RunningServer(sandbox)
        let refused = try sandbox.ocspQuery(
            issuer: root, certificate: leaf, url: "\(server.baseURL)/ca/ocsp/\(serial)/cert/", trust: root, extra: ["-no_nonce"])
        server.stop()
        #expect((refused.standardOutput + refused.standardError).contains("unauthorized"), "\(refused.standardOutput) \(refused.standardError)")

        try sandbox.expectSuccess("edit-ca", "Quiet", "--ocsp")
        try sandbox.expectSuccess("generate-ocsp-keys")
        server = try RunningServer(sandbox)
        defer { server.stop() }
        let answered = try sandbox.ocspQuery(
            issuer: root, certificate: leaf, url: "\(server.baseURL)/ca/ocsp/\(serial)/cert/", trust: root, extra: ["-no_nonce"])
        #expect(answered.standardOutput.contains("leaf.pem: good") && answered.standardError.contains("Response verify OK"),
                "\(answered.standardOutput) \(answered.standardError)")
        let after = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "Quiet", "--csr", csr, "--subject", "CN=after.example.com"), to: "after.pem")
        #expect(try sandbox.openssl("x509", "-in", after, "-noout", "-text").standardOutput.contains("OCSP - URI"))
    }
}
