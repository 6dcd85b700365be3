import Foundation
import Testing

/// ACME accounts (RFC 8555 §7.3) driven by certbot's own ACME library, and bad requests sent by hand.
@Suite(.timeLimit(.minutes(10))) struct ACMEAccountTests {
    static func makeACMECA() throws -> (Sandbox, String) {
        let sandbox = try Sandbox()
        let serial = try sandbox.expectSuccess("init-ca", "ACME Root", "CN=ACME Root", "--key-type", "EC")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        try sandbox.expectSuccess(
            "edit-ca", "ACME Root", "--acme-enable", "--tos", "https://example.com/terms", "--website", "https://example.com")
        return (sandbox, serial)
    }

    @Test(arguments: ["EC", "RSA"])
    func certbotsLibraryRegistersUpdatesAndDeactivates(keyType: String) throws {
        let (sandbox, serial) = try Self.makeACMECA()
        let server = try RunningServer(sandbox)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/acme_account.py").path
        let result = try runProgram(Binaries.pkilint("python"), [script, "\(server.baseURL)/ca/acme/directory/\(serial)/", keyType])
        let output = result.standardOutput
        #expect(result.status == 0, "\(output) \(result.standardError)")
        #expect(output.contains("directory: ['keyChange', 'meta', 'newAccount', 'newNonce', 'newOrder', 'renewalInfo', 'revokeCert']"), "\(output)")
        #expect(output.contains("new-account: valid ['mailto:admin@example.com'] \(server.baseURL)/ca/acme/\(serial)/acct/"), "\(output)")
        #expect(output.contains("only-return-existing: True"), "\(output)")
        #expect(output.contains("query: valid ['mailto:admin@example.com']"), "\(output)")
        #expect(output.contains("update: ['mailto:ops@example.com']"), "\(output)")
        #expect(output.contains("replay: 200 then 400 urn:ietf:params:acme:error:badNonce"), "\(output)")
        #expect(output.contains("deactivate: deactivated"), "\(output)")
        #expect(output.contains("after-deactivation: urn:ietf:params:acme:error:unauthorized"), "\(output)")
        #expect(server.stop().status == 0)
    }

    @Test func badRequestsGetACMEProblems() throws {
        let (sandbox, serial) = try Self.makeACMECA()
        let server = try RunningServer(sandbox)
        let base = "\(server.baseURL)/ca/acme/"
        let directory = try HTTPExchange.run(sandbox, [base + "directory/"], saveAs: "directory.json")
        #expect(directory.status == 200 && directory.headers["replay-nonce"] != nil)
        let object = try JSONSerialization.jsonObject(with: directory.body) as? [String: Any]
        #expect(object?["newAccount"] as? String == "\(base)\(serial)/new-account/")
        #expect((object?["meta"] as? [String: Any])?["termsOfService"] as? String == "https://example.com/terms")

        let nonce = try HTTPExchange.run(sandbox, ["-I", "\(base)\(serial)/new-nonce/"], saveAs: "nonce")
        #expect(nonce.status == 200 && (nonce.headers["replay-nonce"]?.count ?? 0) >= 22)
        #expect(nonce.headers["cache-control"] == "no-store")

        func post(_ body: String, type: String = "application/jose+json", name: String) throws -> (Int, String) {
            let exchange = try HTTPExchange.run(
                sandbox, ["-X", "POST", "-H", "Content-Type: \(type)", "--data-binary", body, "\(base)\(serial)/new-account/"], saveAs: name)
            let problem = (try? JSONSerialization.jsonObject(with: exchange.body) as? [String: Any])?["type"] as? String ?? ""
            #expect(exchange.headers["content-type"] == "application/problem+json", "\(name)")
            #expect(exchange.headers["replay-nonce"] != nil, "every response carries a nonce (\(name))")
            return (exchange.status, problem)
        }
        #expect(try post("{not json", name: "garbage") == (400, "urn:ietf:params:acme:error:malformed"))
        #expect(try post("{}", name: "empty") == (400, "urn:ietf:params:acme:error:malformed"))
        #expect(try post(#"{"protected":"e30","payload":"","signature":""}"#, name: "no-alg").1.hasPrefix("urn:ietf:params:acme:error:"))
        #expect(try post("{}", type: "application/json", name: "type").0 == 415)
        let unknownCA = try HTTPExchange.run(sandbox, [base + "directory/ABCDEF/"], saveAs: "unknown")
        #expect(unknownCA.status == 404)
        // A body over 128 KiB is refused before it is parsed.
        let big = try sandbox.write(String(repeating: "A", count: 200_000), to: "big.json")
        let oversized = try HTTPExchange.run(
            sandbox, ["-X", "POST", "-H", "Content-Type: application/jose+json", "--data-binary", "@" + big, "\(base)\(serial)/new-account/"],
            saveAs: "oversized")
        #expect(oversized.status == 413)
        #expect(server.stop().status == 0)
    }

    /// init-ca takes the same --acme-* options as edit-ca; contradictions and unknown profiles change nothing.
    @Test func initCATakesACMEOptions() throws {
        let sandbox = try Sandbox()
        try sandbox.expectFailure(["init-ca", "Bad", "CN=Bad", "--key-type", "EC", "--acme-enable", "--acme-disable"],
                                  mentioning: "--acme-enable or --acme-disable")
        try sandbox.expectFailure(["init-ca", "Bad", "CN=Bad", "--key-type", "EC", "--acme-profile", "nosuch"],
                                  mentioning: "unknown profile")
        #expect(try sandbox.expectSuccess("list-cas").isEmpty)
        let keys = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys")) ?? []
        #expect(keys.isEmpty, "a refused init-ca leaves no key behind: \(keys)")

        try sandbox.expectSuccess(
            "init-ca", "ACME", "CN=ACME", "--key-type", "EC", "--acme-enable", "--acme-contact-required", "--acme-profile", "server")
        let server = try RunningServer(sandbox)
        let directory = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/acme/directory/"], saveAs: "directory.json")
        #expect(directory.status == 200)
        try sandbox.expectSuccess("edit-ca", "ACME", "--acme-disable")
        // The server rereads its ACME CAs once a second; the loop's bound is only there for a loaded machine.
        let started = Date()
        var disabled = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/acme/directory/"], saveAs: "disabled.json")
        while disabled.status != 404 && Date().timeIntervalSince(started) < 15 {
            Thread.sleep(forTimeInterval: 0.1)
            disabled = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/acme/directory/"], saveAs: "disabled.json")
        }
        #expect(disabled.status == 404)
        #expect(server.stop().status == 0)
    }
}
