import Foundation
import Testing

@Suite(.timeLimit(.minutes(10))) struct KeyStorageTests {
    @Test func encryptedCAKeyOpensWithOpenSSLAndNeedsItsPassword() throws {
        let sandbox = try Sandbox()
        let serial = try sandbox.expectSuccess("init-ca", "Secret", "CN=Secret Root", "--key-type", "EC", "--password", "s3cret")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        let keyFile = sandbox.caDirectory + "/keys/\(serial).key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directoryAttributes = try FileManager.default.attributesOfItem(atPath: sandbox.caDirectory + "/keys")
        #expect((directoryAttributes[.posixPermissions] as? Int) == 0o700)
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8).contains("BEGIN ENCRYPTED PRIVATE KEY"))
        #expect(try sandbox.openssl("pkey", "-in", keyFile, "-passin", "pass:s3cret", "-noout").succeeded)
        #expect(!(try sandbox.openssl("pkey", "-in", keyFile, "-passin", "pass:wrong", "-noout").succeeded))

        try sandbox.expectFailure(["init-ca", "NoValue", "CN=No Value", "--key-type", "EC", "--password", ""],
                                  mentioning: "--password needs a value")
        let csr = try sandbox.makeCSR("host")
        try sandbox.expectFailure(["sign-cert", "--csr", csr, "--alt", "a.example.com"], mentioning: "password")
        try sandbox.expectFailure(["sign-cert", "--csr", csr, "--alt", "a.example.com", "--password", "wrong"], mentioning: "password")
        #expect((try sandbox.expectSuccess("list-certs")).isEmpty)
        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "a.example.com", "--password", "s3cret")
        sandbox.extraEnvironment["CA_PASSWORDS"] = "{\"\(serial)\": \"s3cret\"}"
        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "b.example.com")
        #expect((try sandbox.expectSuccess("list-certs")).split(separator: "\n").count == 2)
    }

    @Test func importsACAMadeByOpenSSLWithAnEncryptedKey() throws {
        let sandbox = try Sandbox()
        let key = sandbox.path("ca.key")
        let certificate = sandbox.path("ca.pem")
        let made = try sandbox.openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-keyout", key, "-passout", "pass:imported", "-out", certificate,
            "-subj", "/CN=Imported Root", "-days", "365", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        #expect(made.succeeded, "\(made.standardError)")
        try sandbox.expectFailure(["import-ca", "Imported", key, certificate, "--import-password", "nope"], mentioning: "password")
        let serial = try sandbox.expectSuccess("import_ca", "Imported", key, certificate, "--import-password", "imported",
                                                "--password", "stored")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        // The imported key is re-encrypted with the new password; openssl opens it with that one only.
        // Key files are named by the serial without colons and leading zeros; openssl picked this serial.
        let storedKey = sandbox.caDirectory + "/keys/\(String(serial.drop { $0 == "0" })).key"
        #expect(try sandbox.openssl("pkey", "-in", storedKey, "-passin", "pass:stored", "-noout").succeeded)
        #expect(!(try sandbox.openssl("pkey", "-in", storedKey, "-passin", "pass:imported", "-noout").succeeded))
        sandbox.extraEnvironment["CA_PASSWORDS"] = "{\"\(serial)\": \"stored\"}"
        let csr = try sandbox.makeCSR("host")
        let leaf = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "Imported", "--csr", csr, "--alt", "imported.example.com"), to: "leaf.pem")
        #expect(try sandbox.openssl("verify", "-CAfile", certificate, leaf).succeeded)

        // A certificate issued outside swift-ca by that CA can be imported; one from elsewhere cannot.
        let outside = sandbox.path("outside.pem")
        #expect(try sandbox.openssl("x509", "-req", "-in", csr, "-CA", certificate, "-CAkey", key, "-passin", "pass:imported",
                                    "-out", outside, "-days", "30", "-set_serial", "4660").succeeded)
        #expect((try sandbox.expectSuccess("import-cert", outside)).contains("12:34"))
        try sandbox.expectFailure(["import-cert", outside], mentioning: "already")
        try sandbox.expectFailure(["import-cert", csr], mentioning: "not an X.509 certificate")
    }
}
