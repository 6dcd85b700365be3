import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The protections of issue 19 that span processes: one login throttle for every node, credentials that
/// stop working on every node the moment they are deleted or changed, the REST API off until enabled, and
/// ACME nonce uses that outlive a killed server.
@Suite(.timeLimit(.minutes(10))) struct SecurityTests {
    @Test func theRESTAPIAnswers404UntilItIsEnabled() throws {
        let api = try APIFixture(startServer: false)
        api.sandbox.extraEnvironment["CA_ENABLE_REST_API"] = nil
        api.server = try RunningServer(api.sandbox)
        for path in ["/api/ca/", "/api/openapi.yaml", "/api/ca/\(api.rootSerial)/sign/"] {
            let answer = try api.call("GET", path, auth: api.bearer("admin"))
            #expect(answer.status == 404, "\(path): \(answer.status) \(answer.text)")
        }
        #expect(try api.sandbox.expectSuccess("settings").contains("CA_ENABLE_REST_API"))
        #expect(api.server.stop().status == 0)

        api.sandbox.extraEnvironment["CA_ENABLE_REST_API"] = "true"
        api.server = try RunningServer(api.sandbox)
        #expect(try api.call("GET", "/api/ca/", auth: api.bearer("admin")).status == 200)
        #expect(api.server.stop().status == 0)
    }

    /// Three nodes over one database allow CA_LOGIN_ATTEMPTS guesses in all, not that many each.
    @Test func threeNodesShareOneLoginThrottle() throws {
        let api = try APIFixture(startServer: false)
        api.sandbox.extraEnvironment["CA_LOGIN_ATTEMPTS"] = "3"
        let nodes = [try RunningServer(api.sandbox), try RunningServer(api.sandbox), try RunningServer(api.sandbox)]
        for node in nodes {
            let guess = try api.call("GET", "/api/ca/", auth: api.basic("admin", password: "wrong password"), base: node.baseURL)
            #expect(guess.status == 401, "\(guess.status) \(guess.text)")
        }
        for node in nodes {
            // The right password too: a locked-out name is refused before its password is checked.
            let refused = try api.call("GET", "/api/ca/", auth: api.basic("admin"), base: node.baseURL)
            #expect(refused.status == 429 && Int(refused.headers["retry-after"] ?? "") ?? 0 > 800,
                    "\(node.baseURL): \(refused.status) \(refused.headers)")
        }
        // Tokens are not passwords: they are not throttled.
        #expect(try api.call("GET", "/api/ca/", auth: api.bearer("admin"), base: nodes[1].baseURL).status == 200)
        for node in nodes { #expect(node.stop().status == 0) }
    }

    /// A token, a password or a user that was just used on another node is refused there at once after it is
    /// deleted or changed: no node keeps a credential the database no longer has.
    @Test func deletedAndChangedCredentialsAreRefusedOnEveryNodeAtOnce() throws {
        let api = try APIFixture(startServer: false)
        let nodes = [try RunningServer(api.sandbox), try RunningServer(api.sandbox)]
        for node in nodes {
            #expect(try api.call("GET", "/api/ca/", auth: api.bearer("operator"), base: node.baseURL).status == 200)
            #expect(try api.call("GET", "/api/ca/", auth: api.basic("viewer"), base: node.baseURL).status == 200)
            #expect(try api.call("GET", "/api/ca/", auth: api.bearer("viewer"), base: node.baseURL).status == 200)
        }
        let tokenID = String(api.tokens["operator"]!.dropFirst(4).prefix(12))
        try api.sandbox.expectSuccess("delete-token", tokenID)
        try api.sandbox.expectSuccess("set-password", "viewer-user", "--password", "a brand new password")
        for node in nodes {
            let token = try api.call("GET", "/api/ca/", auth: api.bearer("operator"), base: node.baseURL)
            #expect(token.status == 401, "deleted token on \(node.baseURL): \(token.status)")
            let basic = try api.call("GET", "/api/ca/", auth: api.basic("viewer"), base: node.baseURL)
            #expect(basic.status == 401, "old password on \(node.baseURL): \(basic.status)")
            let newPassword = try api.call("GET", "/api/ca/", auth: api.basic("viewer", password: "a brand new password"), base: node.baseURL)
            #expect(newPassword.status == 200, "new password on \(node.baseURL): \(newPassword.status)")
        }
        try api.sandbox.expectSuccess("delete-user", "viewer-user")
        for node in nodes {
            let basic = try api.call("GET", "/api/ca/", auth: api.basic("viewer", password: "a brand new password"), base: node.baseURL)
            #expect(basic.status == 401, "deleted user on \(node.baseURL): \(basic.status)")
            #expect(try api.call("GET", "/api/ca/", auth: api.bearer("viewer"), base: node.baseURL).status == 401)
        }
        for node in nodes { #expect(node.stop().status == 0) }
    }

    /// A signed ACME request is accepted once; after `kill -9` and a restart the same bytes are refused with
    /// badNonce, because the nonce's use was durable before the first answer left the server.
    @Test func aNonceUsedBeforeAKillIsRefusedAfterTheRestart() throws {
        let (sandbox, serial) = try ACMEAccountTests.makeACMECA()
        let port = try FreePort.find()
        var server = try RunningServer(sandbox, arguments: ["--port", "\(port)"])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/acme_raw_requests.py").path
        let saved = sandbox.path("signed-request.json")
        let sent = try runProgram(Binaries.pkilint("python"), [script, "send", "\(server.baseURL)/ca/acme/directory/\(serial)/", saved])
        #expect(sent.standardOutput.contains("send: 200"), "\(sent.standardOutput) \(sent.standardError)")
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()

        server = try RunningServer(sandbox, arguments: ["--port", "\(port)"])
        let replayed = try runProgram(Binaries.pkilint("python"), [script, "replay", saved])
        #expect(replayed.standardOutput.contains("replay: 400 urn:ietf:params:acme:error:badNonce"),
                "\(replayed.standardOutput) \(replayed.standardError)")
        #expect(server.stop().status == 0)
    }

    /// `--password-file` (and `--import-password-file`, the PIN files, CA_*_FILE: see SettingsTests and HSMTests) read
    /// a secret from a file instead of the command line: openssl reads the key with the file's password, without its
    /// line break; a wrong password from a file is refused like a typed one, and a secret given twice is refused.
    @Test func keyAndUserPasswordsComeFromFiles() throws {
        let sandbox = try Sandbox()
        let passwordFile = try sandbox.write("file password\n", to: "ca.password")
        let serial = try sandbox.expectSuccess(
            "init-ca", "Root", "CN=File Root", "--key-type", "EC", "--password-file", passwordFile).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        let keyFile = sandbox.caDirectory + "/keys/\(serial).key"
        #expect(try sandbox.openssl("pkey", "-in", keyFile, "-passin", "pass:file password", "-noout").succeeded)
        let csr = try sandbox.makeCSR("leaf")
        try sandbox.expectSuccess("sign-cert", "--csr", csr, "--alt", "file.example.com", "--password-file", passwordFile)
        try sandbox.expectFailure(
            ["sign-cert", "--csr", csr, "--alt", "wrong.example.com", "--password-file", try sandbox.write("wrong\n", to: "wrong.password")],
            mentioning: "password")
        try sandbox.expectFailure(
            ["sign-cert", "--csr", csr, "--alt", "both.example.com", "--password", "file password", "--password-file", passwordFile],
            mentioning: "give --password or --password-file, not both")
        try sandbox.expectFailure(
            ["sign-cert", "--csr", csr, "--alt", "none.example.com", "--password-file", sandbox.path("missing")],
            mentioning: "--password-file: cannot read the file")
        let listed = try sandbox.expectSuccess("list-certs")
        #expect(listed.contains("file.example.com") && !listed.contains("wrong.example.com") && !listed.contains("both.example.com"))

        try sandbox.expectSuccess("create-user", "filed", "--password-file", try sandbox.write("user password from a file\n", to: "user.password"))
        sandbox.extraEnvironment["CA_EMAIL_PASSWORD_FILE"] = try sandbox.write("smtp password\n", to: "smtp.password")
        let settings = try sandbox.expectSuccess("settings")
        #expect(settings.contains("CA_EMAIL_PASSWORD = (set) (environment CA_EMAIL_PASSWORD_FILE"), "\(settings)")
        #expect(!settings.contains("smtp password"))
    }

    /// The limits of issue 19 are settings: ACME new orders per account per hour (429 rateLimited with Retry-After,
    /// counted in the database), body sizes per route (413) and the header section (400) on any node. The time to send
    /// a request is HostileLoadTests' (its slow clients).
    @Test func limitsAreSettings() throws {
        let (sandbox, serial) = try ACMEAccountTests.makeACMECA()
        sandbox.extraEnvironment["CA_ACME_MAX_NEW_ORDERS_PER_HOUR"] = "2"
        sandbox.extraEnvironment["CA_MAX_OCSP_REQUEST_BYTES"] = "100"
        sandbox.extraEnvironment["CA_MAX_HEADER_BYTES"] = "2048"
        let nodes = [try RunningServer(sandbox), try RunningServer(sandbox)]
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/acme_raw_requests.py").path
        let orders = try runProgram(Binaries.pkilint("python"), [script, "orders", "\(nodes[0].baseURL)/ca/acme/directory/\(serial)/", "3"])
        let lines = orders.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0] == "order 1: 201" && lines[1] == "order 2: 201", "\(orders.standardOutput) \(orders.standardError)")
        let refused = lines.last ?? ""
        #expect(refused.hasPrefix("order 3: 429 urn:ietf:params:acme:error:rateLimited "), "\(refused)")
        #expect((Int(refused.split(separator: " ").last ?? "") ?? 0) > 3500, "Retry-After: \(refused)")

        let large = try sandbox.write(String(repeating: "A", count: 200), to: "large.der")
        let ocsp = try HTTPExchange.run(
            sandbox, ["-H", "Content-Type: application/ocsp-request", "--data-binary", "@" + large, "\(nodes[1].baseURL)/ca/ocsp/\(serial)/cert/"],
            saveAs: "ocsp-large")
        #expect(ocsp.status == 413, "\(ocsp.status)")
        let header = try HTTPExchange.run(
            sandbox, ["-H", "X-Large: " + String(repeating: "a", count: 3000), "\(nodes[1].baseURL)/healthz"], saveAs: "header-large")
        #expect(header.status == 400, "\(header.status)")
        #expect(try HTTPExchange.run(sandbox, ["\(nodes[1].baseURL)/healthz"], saveAs: "health").status == 200)
        for node in nodes { #expect(node.stop().status == 0) }
    }
}
