import Foundation
import Testing

/// The workflow from the issue, judged by openssl and pkilint.
@Suite(.timeLimit(.minutes(10))) struct HierarchyTests {
    @Test func rootIntermediateAndServerCertificateVerifyWithOpenSSL() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=Example Root CA,O=Example", "--key-type", "EC", "--path-length", "1",
                                  "--default-hostname", "ca.example.com")
        // The intermediate inherits the root's --default-hostname.
        try sandbox.expectSuccess("init-ca", "Intermediate", "CN=Example Issuing CA", "--parent", "Example Root CA", "--key-type", "EC")
        let csr = try sandbox.makeCSR("host")
        let leaf = try sandbox.expectSuccess("sign-cert", "--ca", "Example Issuing CA", "--csr", csr, "--subject", "CN=host.example.com",
                                             "--alt", "host.example.com", "--alt", "IP:10.0.0.1")
        let leafFile = try sandbox.write(leaf, to: "host.pem")
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Example Root CA"), to: "root.pem")
        let intermediate = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Example Issuing CA"), to: "int.pem")
        let chain = try sandbox.expectSuccess("dump-ca", "Example Issuing CA", "--bundle")
        #expect(chain.components(separatedBy: "BEGIN CERTIFICATE").count == 3)

        let verify = try sandbox.openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", root, "-untrusted", intermediate, leafFile)
        #expect(verify.succeeded && verify.standardOutput.contains("host.pem: OK"), "\(verify.standardOutput) \(verify.standardError)")

        let text = try sandbox.openssl("x509", "-in", leafFile, "-noout", "-text").standardOutput
        #expect(text.contains("DNS:host.example.com"))
        #expect(text.contains("IP Address:10.0.0.1"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(text.contains("CA:FALSE"))
        // caIssuers points at the issuing intermediate, not at the root (django-ca's bug).
        let intermediateSerial = try sandbox.expectSuccess("view-ca", "Example Issuing CA", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        #expect(text.contains("CA Issuers - URI:http://ca.example.com/ca/issuer/\(intermediateSerial).der"))
        #expect(text.contains("OCSP - URI:http://ca.example.com/ca/ocsp/\(intermediateSerial)/cert/"))
        #expect(text.contains("URI:http://ca.example.com/ca/crl/\(intermediateSerial)/"))

        let intermediateText = try sandbox.openssl("x509", "-in", intermediate, "-noout", "-text").standardOutput
        #expect(intermediateText.contains("CA:TRUE, pathlen:0"))
        #expect(intermediateText.contains("/ca/crl/ca/"))

        try sandbox.expectPKILintClean(root)
        try sandbox.expectPKILintClean(intermediate)
        try sandbox.expectPKILintClean(leafFile, serverAuthType: "DV-FINAL-CERTIFICATE")

        // Listing, viewing by serial prefix, revoking.
        let serial = try sandbox.expectSuccess("sign-cert", "--ca", "Example Issuing CA", "--csr", csr, "--subject",
                                               "CN=other.example.com", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let list = try sandbox.expectSuccess("list-certs")
        #expect(list.contains("\(serial) - other.example.com (expires: "))
        #expect(list.contains(" - host.example.com (expires: "))
        let prefix = String(serial.prefix(8))
        let view = try sandbox.expectSuccess("view-cert", prefix)
        #expect(view.contains("Common name: other.example.com"))
        #expect(view.contains("Status: Valid"))
        try sandbox.expectSuccess("revoke-cert", prefix, "--reason", "key_compromise", "--compromised", "2026-11-01T10:00:00Z")
        let revokedView = try sandbox.expectSuccess("view-cert", serial)
        #expect(revokedView.contains("Revoked (key_compromise"))
        try sandbox.expectFailure(["revoke-cert", serial], mentioning: "already revoked")
        #expect(!(try sandbox.expectSuccess("list-certs")).contains(serial))
        #expect((try sandbox.expectSuccess("list-certs", "--revoked")).contains("\(serial) - other.example.com (revoked)"))
    }

    @Test func djangoCANamesAndOldOptionSpellingsWork() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init_ca", "Root", "/C=AT/L=Vienna/CN=Alias Root", "--key-type", "Ed25519", "--pathlen", "1")
        try sandbox.expectSuccess("init_ca", "Child", "CN=Alias Child", "--parent", "Root", "--key-type", "EC",
                                  "--name-constraint", "permitted,DNS:example.com", "--ca-crl-url", "http://crl.example.com/root.crl")
        let csr = try sandbox.makeCSR("leaf")
        let pem = try sandbox.expectSuccess("sign_cert", "--ca", "Alias Child", "--csr", csr, "--alt", "www.example.com",
                                            "--key-usage", "critical,digitalSignature", "--ext-key-usage", "serverAuth",
                                            "--tls-feature", "OCSPMustStaple")
        let leaf = try sandbox.write(pem, to: "leaf.pem")
        let root = try sandbox.write(try sandbox.expectSuccess("dump_ca", "Root"), to: "root.pem")
        let child = try sandbox.write(try sandbox.expectSuccess("dump_ca", "Child"), to: "child.pem")
        let verify = try sandbox.openssl("verify", "-CAfile", root, "-untrusted", child, leaf)
        #expect(verify.succeeded, "\(verify.standardError)")
        let text = try sandbox.openssl("x509", "-in", leaf, "-noout", "-text").standardOutput
        #expect(text.contains("Subject: CN = www.example.com"))
        #expect(text.contains("TLS Feature"))
        let childText = try sandbox.openssl("x509", "-in", child, "-noout", "-text").standardOutput
        #expect(childText.contains("Permitted:"))
        #expect(childText.contains("URI:http://crl.example.com/root.crl"))
        #expect((try sandbox.openssl("x509", "-in", root, "-noout", "-subject").standardOutput).contains("C = AT, L = Vienna, CN = Alias Root"))
        #expect((try sandbox.expectSuccess("list_cas", "--tree")).contains("└───"))
        try sandbox.expectPKILintClean(root)
        try sandbox.expectPKILintClean(child)
        try sandbox.expectPKILintClean(leaf)
    }

    @Test func rsaHierarchyWithProfilesPassesPKILint() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=RSA Root,O=Example", "--key-type", "RSA", "--key-size", "2048", "--path-length", "1")
        try sandbox.expectSuccess("init-ca", "Issuing", "CN=RSA Issuing,O=Example", "--parent", "RSA Root", "--key-type", "RSA",
                                  "--key-size", "2048", "--default-hostname", "ca.example.com")
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        let issuing = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Issuing"), to: "issuing.pem")
        try sandbox.expectPKILintClean(root)
        try sandbox.expectPKILintClean(issuing)
        for (profile, keyOptions) in [("--client", ["-newkey", "rsa:2048"]), ("--server", ["-newkey", "ed25519"]),
                                      ("--enduser", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]),
                                      ("--webserver", ["-newkey", "rsa:3072"])] {
            let csr = try sandbox.makeCSR("leaf\(profile)", keyOptions: keyOptions)
            let name = profile == "--enduser" ? "CN=user@example.com" : "CN=\(profile.dropFirst(2)).example.com"
            let pem = try sandbox.expectSuccess("sign-cert", "--ca", "Issuing", "--csr", csr, profile, "--subject", name)
            let leaf = try sandbox.write(pem, to: "leaf\(profile).pem")
            #expect(try sandbox.openssl("verify", "-CAfile", root, "-untrusted", issuing, leaf).succeeded)
            try sandbox.expectPKILintClean(leaf, serverAuthType: profile == "--webserver" ? "DV-FINAL-CERTIFICATE" : nil)
            let text = try sandbox.openssl("x509", "-in", leaf, "-noout", "-text").standardOutput
            if keyOptions.contains("ec") || keyOptions.contains("ed25519") {
                // Key usages RFC 5280 forbids for the key type are dropped from the profile.
                #expect(!text.contains("Key Encipherment"), "\(profile): \(text)")
            } else {
                #expect(!text.contains("Key Agreement"), "\(profile): \(text)")
            }
        }
    }
}
