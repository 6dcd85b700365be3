import Foundation
import Testing

/// CRLs and OpenSSL index files, judged by openssl and pkilint.
@Suite(.timeLimit(.minutes(10))) struct RevocationListTests {
    struct Hierarchy {
        let sandbox: Sandbox
        let root: String
        let rootKey: String
        let good: String
        let revoked: String
        let revokedSerial: String
    }

    func makeHierarchy(keyType: String = "EC") throws -> Hierarchy {
        let sandbox = try Sandbox()
        let serial = try sandbox.expectSuccess("init-ca", "Root", "CN=CRL Root", "--key-type", keyType)
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        let csr = try sandbox.makeCSR("host")
        let good = try sandbox.write(try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "good.example.com"), to: "good.pem")
        let revoked = try sandbox.write(try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "bad.example.com"), to: "bad.pem")
        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "other.example.com", "--output-format", "none")
        try sandbox.expectSuccess("revoke-cert", "bad.example.com", "--reason", "key_compromise", "--compromised", "2026-11-01T10:00:00Z")
        try sandbox.expectSuccess("revoke-cert", "other.example.com")
        let revokedSerial = try sandbox.expectSuccess("view-cert", "bad.example.com", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        return Hierarchy(sandbox: sandbox, root: root, rootKey: sandbox.caDirectory + "/keys/\(serial).key", good: good,
                         revoked: revoked, revokedSerial: revokedSerial)
    }

    @Test(arguments: ["EC", "RSA", "Ed25519"])
    func fullCRLRevokesWhatWasRevoked(keyType: String) throws {
        let hierarchy = try makeHierarchy(keyType: keyType)
        let sandbox = hierarchy.sandbox
        try sandbox.expectSuccess("dump-crl", sandbox.path("crl.der"), "--format", "DER")
        let text = try sandbox.openssl("crl", "-inform", "DER", "-in", sandbox.path("crl.der"), "-noout", "-text").standardOutput
        #expect(text.contains("Version 2"))
        #expect(text.contains("X509v3 CRL Number"))
        #expect(text.contains("X509v3 Authority Key Identifier"))
        #expect(!text.contains("Issuing Distribution Point"), "a full CRL carries no IDP (OpenVPN rejects scoped CRLs)")
        #expect(text.contains(hierarchy.revokedSerial))
        #expect(text.contains("Key Compromise"))
        #expect(text.contains("Invalidity Date"))
        #expect(text.components(separatedBy: "Serial Number:").count - 1 == 2)
        #expect(text.components(separatedBy: "CRL Reason Code").count - 1 == 1, "unspecified carries no reason code")

        let crlPEM = sandbox.path("crl.pem")
        try sandbox.expectSuccess("dump-crl", crlPEM)
        #expect(try sandbox.openssl("crl", "-in", crlPEM, "-CAfile", hierarchy.root, "-noout").succeeded)
        let refused = try sandbox.openssl("verify", "-crl_check", "-CRLfile", crlPEM, "-CAfile", hierarchy.root, hierarchy.revoked)
        #expect(!refused.succeeded && (refused.standardOutput + refused.standardError).contains("certificate revoked"))
        let accepted = try sandbox.openssl("verify", "-crl_check", "-CRLfile", crlPEM, "-CAfile", hierarchy.root, hierarchy.good)
        #expect(accepted.succeeded, "\(accepted.standardOutput) \(accepted.standardError)")

        let lint = try runProgram(Binaries.pkilint("lint_crl"), ["lint", "-t", "CRL", "-p", "PKIX", "-s", "ERROR", sandbox.path("crl.der")])
        #expect(lint.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && lint.standardError.isEmpty,
                "lint_crl: \(lint.standardOutput) \(lint.standardError)")
    }

    @Test func crlNumbersGrowAndScopesCarryACriticalIDP() throws {
        let hierarchy = try makeHierarchy()
        let sandbox = hierarchy.sandbox
        func number(_ arguments: String...) throws -> String {
            let result = try sandbox.swiftCA(["dump-crl", sandbox.path("n.pem")] + arguments)
            #expect(result.succeeded, "\(result.standardError)")
            return try sandbox.openssl("crl", "-in", sandbox.path("n.pem"), "-noout", "-crlnumber").standardOutput
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try number() == "crlNumber=0x00")
        #expect(try number() == "crlNumber=0x01")
        #expect(try number("--only-contains-user-certs") == "crlNumber=0x00", "numbers grow per scope")
        #expect(try number("--only-contains-user-certs") == "crlNumber=0x01")
        let user = try sandbox.openssl("crl", "-in", sandbox.path("n.pem"), "-noout", "-text").standardOutput
        #expect(user.contains("X509v3 Issuing Distribution Point: critical"))
        #expect(user.contains("Only User Certificates"))
        let ca = try sandbox.expectSuccess("dump-crl", "--only-contains-ca-certs")
        let caFile = try sandbox.write(ca, to: "ca-crl.pem")
        let caText = try sandbox.openssl("crl", "-in", caFile, "-noout", "-text").standardOutput
        #expect(caText.contains("Only CA Certificates") && caText.contains("No Revoked Certificates"))
        try sandbox.expectSuccess("dump-crl", sandbox.path("reasons.pem"), "--only-some-reasons", "key_compromise")
        let reasons = try sandbox.openssl("crl", "-in", sandbox.path("reasons.pem"), "-noout", "-text").standardOutput
        #expect(reasons.contains("Key Compromise") && reasons.components(separatedBy: "Serial Number:").count - 1 == 1)

        try sandbox.expectFailure(["dump-crl", "--only-contains-ca-certs", "--only-contains-user-certs"], mentioning: "not both")
        try sandbox.expectFailure(["dump-crl", "--only-some-reasons", "unspecified"], mentioning: "unspecified")
        try sandbox.expectFailure(["dump-crl", "--ca", "nope"], mentioning: "no CA matches")
    }

    @Test func opensslAnswersOCSPFromTheIndex() throws {
        let hierarchy = try makeHierarchy()
        let sandbox = hierarchy.sandbox
        try sandbox.expectSuccess("dump-ocsp-index", sandbox.path("index.txt"))
        let index = try String(contentsOfFile: sandbox.path("index.txt"), encoding: .utf8)
        let lines = index.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.filter { $0.hasPrefix("R\t") }.count == 2 && lines.filter { $0.hasPrefix("V\t") }.count == 1)
        #expect(try sandbox.openssl("ocsp", "-issuer", hierarchy.root, "-cert", hierarchy.revoked, "-reqout", sandbox.path("req.der")).succeeded)
        let respond = try sandbox.openssl("ocsp", "-index", sandbox.path("index.txt"), "-rsigner", hierarchy.root, "-rkey",
                                          hierarchy.rootKey, "-CA", hierarchy.root, "-reqin", sandbox.path("req.der"),
                                          "-respout", sandbox.path("resp.der"))
        #expect(respond.succeeded, "\(respond.standardError)")
        let answer = try sandbox.openssl("ocsp", "-respin", sandbox.path("resp.der"), "-resp_text", "-noverify").standardOutput
        #expect(answer.contains("Cert Status: revoked"), "\(answer)")
        #expect(answer.contains("Key Compromise") || answer.contains("keyCompromise"), "\(answer)")
    }
}
