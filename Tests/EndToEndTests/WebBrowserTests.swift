import Foundation
import Testing

/// The web interface in a real headless Chromium (selenium, Judges/web_flow.py): log in, sign from a
/// pasted CSR after its preview, view the certificate, revoke it. Then outside judges check the result:
/// openssl verifies the certificate against the root, pkilint lints it, the CLI and the CRL show the
/// revocation, and the audit log names the user and the address.
@Suite(.timeLimit(.minutes(10))) struct WebBrowserTests {
    /// Screenshots go to test-artifacts/web/<database>/ in the package directory (gitignored).
    static var artifactDirectory: String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let pass = ProcessInfo.processInfo.environment["SWIFT_CA_TEST_POSTGRES"] == nil ? "sqlite" : "postgres"
        return packageRoot.appendingPathComponent("test-artifacts/web/\(pass)").path
    }

    @Test func loginSignViewRevokeInChromium() throws {
        let installation = try WebInstallation()
        let sandbox = installation.sandbox
        let csr = sandbox.path("browser.csr")
        let made = try sandbox.openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", sandbox.path("browser.key"),
            "-out", csr, "-subj", "/CN=browser.example.com", "-addext", "subjectAltName=DNS:browser.example.com")
        #expect(made.succeeded, "\(made.standardError)")
        let intermediate = try installation.authoritySerial("Intermediate")
        let pem = sandbox.path("browser.pem")
        let flow = try runProgram(
            Binaries.pkilint("python"),
            [Judges.script("web_flow.py"), installation.server.baseURL, "operator", WebInstallation.password, csr, intermediate,
             Self.artifactDirectory, pem])
        print("web screenshots: \(Self.artifactDirectory)")
        #expect(flow.succeeded, "web_flow.py failed: \(flow.standardOutput) \(flow.standardError)")
        guard let line = flow.standardOutput.split(separator: "\n").first(where: { $0.hasPrefix("serial=") }) else {
            Issue.record("web_flow.py printed no serial: \(flow.standardOutput)")
            return
        }
        let serial = String(line.dropFirst("serial=".count))
        #expect(FileManager.default.fileExists(atPath: Self.artifactDirectory + "/06-revoked.png"))

        // openssl: the certificate chains to the root through the intermediate.
        let chain = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Intermediate"), to: "intermediate.pem")
        let verify = try sandbox.openssl(
            "verify", "-CAfile", installation.rootFile, "-untrusted", chain, "-purpose", "sslserver", pem)
        #expect(verify.succeeded && verify.standardOutput.contains(": OK"), "openssl verify: \(verify.standardOutput) \(verify.standardError)")
        let text = try sandbox.openssl("x509", "-in", pem, "-noout", "-text")
        #expect(text.standardOutput.contains("DNS:browser.example.com"))
        try sandbox.expectPKILintClean(pem, serverAuthType: "DV-FINAL-CERTIFICATE")

        // The revocation is visible outside the web interface: view-cert and the CRL.
        let view = try sandbox.expectSuccess("view-cert", serial)
        #expect(view.lowercased().contains("revoked") && view.contains("key_compromise"), "view-cert: \(view)")
        #expect(view.contains("owner@example.com"))
        let crl = sandbox.path("intermediate.crl")
        try sandbox.expectSuccess("dump-crl", "--ca", "Intermediate", crl)
        let crlText = try sandbox.openssl("crl", "-in", crl, "-noout", "-text")
        #expect(crlText.standardOutput.uppercased().contains(serial.uppercased()), "the CRL lacks \(serial): \(crlText.standardOutput)")
        #expect(crlText.standardOutput.contains("Key Compromise"))

        // The audit log records who did it and from where.
        let log = try sandbox.expectSuccess("audit-log", "--target", serial)
        for fragment in ["sign", "revoke", "operator", "127.0.0.1"] {
            #expect(log.contains(fragment), "audit-log lacks \(fragment): \(log)")
        }
    }
}
