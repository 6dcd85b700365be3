import Foundation
import Testing

/// `serve` over HTTPS with a certificate and key the operator supplies, plus a plain-HTTP listener for
/// OCSP and CRL clients; the ACME URLs follow the scheme of the listener asked.
@Suite(.timeLimit(.minutes(10))) struct ServerTLSTests {
    @Test func tlsFilesAndAPlainPortServeTogether() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "Root", "CN=TLS Test Root", "--key-type", "EC", "--acme-enable")
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        // A first start with --tls-ca writes the server's certificate and key into CA_DIR/tls/.
        let issuing = try RunningServer(sandbox, arguments: ["--tls-ca", "Root", "--tls-name", "localhost"])
        #expect(issuing.baseURL.hasPrefix("https://"))
        #expect(issuing.stop().status == 0)
        let certificate = sandbox.caDirectory + "/tls/localhost.pem"
        let key = sandbox.caDirectory + "/tls/localhost.key"
        let verified = try sandbox.openssl("verify", "-CAfile", root, certificate)
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")

        let plainPort = try FreePort.find()
        let securePort = try FreePort.find()
        let server = try RunningServer(
            sandbox, arguments: ["--port", String(securePort), "--tls-cert", certificate, "--tls-key", key, "--plain-port", String(plainPort)])
        let directory = try HTTPExchange.run(
            sandbox, ["--cacert", root, "https://localhost:\(securePort)/ca/acme/directory/"], saveAs: "directory.json")
        #expect(directory.status == 200)
        let object = try JSONSerialization.jsonObject(with: directory.body) as? [String: Any]
        #expect((object?["newNonce"] as? String)?.hasPrefix("https://localhost:\(securePort)/") == true, "\(String(describing: object))")
        let plain = try HTTPExchange.run(sandbox, ["http://127.0.0.1:\(plainPort)/ca/acme/directory/"], saveAs: "plain.json")
        #expect(plain.status == 200)
        let plainObject = try JSONSerialization.jsonObject(with: plain.body) as? [String: Any]
        #expect((plainObject?["newNonce"] as? String)?.hasPrefix("http://127.0.0.1:\(plainPort)/") == true)
        #expect(try HTTPExchange.run(sandbox, ["http://127.0.0.1:\(plainPort)/healthz"], saveAs: "health").status == 200)
        #expect(server.stop().status == 0)

        let refused = try sandbox.swiftCA(["serve", "--port", "0", "--tls-cert", certificate])
        #expect(refused.status != 0 && refused.standardError.contains("--tls-cert with --tls-key"), "\(refused.standardError)")
    }

    /// testssl.sh (Debian's `testssl.sh`) scans `serve --tls-ca` on loopback: TLS 1.2 and 1.3 only, TLS 1.2 with
    /// ECDHE and AES-GCM only, and no finding rated HIGH or CRITICAL (the certificate carries CRL and OCSP URLs, and
    /// testssl.sh is given the root it chains to).
    @Test func testsslFindsNothingHighOrCritical() throws {
        let testssl = try Binaries.required("testssl", install: "apt-get install testssl.sh")
        let sandbox = try Sandbox()
        let plainPort = try FreePort.find()
        let securePort = try FreePort.find()
        try sandbox.expectSuccess("init-ca", "Root", "CN=TLS Scan Root", "--key-type", "EC", "--default-hostname", "127.0.0.1:\(plainPort)")
        try sandbox.expectSuccess("generate-ocsp-keys")
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        // testssl.sh leaves an openssl s_client behind with a connection open: the server's request timeout closes it,
        // so that the shutdown does not wait for it.
        sandbox.extraEnvironment["CA_REQUEST_TIMEOUT"] = "5"
        let server = try RunningServer(
            sandbox, arguments: ["--port", String(securePort), "--plain-port", String(plainPort), "--tls-ca", "Root", "--tls-name", "localhost"])
        let report = sandbox.path("testssl.json")
        // Its output goes to a file: the s_client it leaves behind would hold a pipe open, and the wait with it.
        let scan = try runProgram(
            "/bin/sh", ["-c", "exec \"$0\" \"$@\" > testssl.out 2>&1", testssl, "--quiet", "--warnings", "off", "--color", "0",
                        "--add-ca", root, "--jsonfile", report, "localhost:\(securePort)"],
            directory: sandbox.directory, deadline: 600)
        #expect(server.stop().status == 0)
        let findings = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [[String: Any]],
            "testssl.sh wrote no report (status \(scan.status)): \((try? String(contentsOfFile: sandbox.path("testssl.out"), encoding: .utf8)) ?? "")")
        var byID: [String: (severity: String, finding: String)] = [:]
        for finding in findings {
            guard let id = finding["id"] as? String else { continue }
            byID[id] = (finding["severity"] as? String ?? "", finding["finding"] as? String ?? "")
        }
        let serious = byID.filter { ["HIGH", "CRITICAL"].contains($0.value.severity) }
        #expect(serious.isEmpty, "testssl.sh: \(serious)")
        for protocolID in ["SSLv2", "SSLv3", "TLS1", "TLS1_1"] {
            #expect(byID[protocolID]?.finding.hasPrefix("not offered") == true, "\(protocolID): \(String(describing: byID[protocolID]))")
        }
        #expect(byID["TLS1_2"]?.finding.hasPrefix("offered") == true && byID["TLS1_3"]?.finding.hasPrefix("offered") == true)
        let tls12Ciphers = (byID["cipherorder_TLSv1_2"]?.finding ?? "").split(separator: " ")
        #expect(!tls12Ciphers.isEmpty && tls12Ciphers.allSatisfy { $0.hasPrefix("ECDHE-") && $0.contains("GCM") }, "\(tls12Ciphers)")
        #expect(byID["PFS"]?.finding == "offered" && byID["cipherlist_AVERAGE"]?.finding == "not offered")
        #expect(byID["HSTS_time"]?.severity == "OK", "\(String(describing: byID["HSTS_time"] ?? byID["HSTS"]))")
    }
}
