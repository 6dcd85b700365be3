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
}
