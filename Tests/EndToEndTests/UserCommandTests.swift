import Foundation
import Testing

/// Users, tokens and the audit log as an administrator manages them from the shell.
@Suite(.timeLimit(.minutes(10))) struct UserCommandTests {
    func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        return sandbox
    }

    @Test func usersAndTokensAreManagedAndNeverShowSecrets() throws {
        let sandbox = try sandbox()
        #expect(try sandbox.expectSuccess("create-user", "alice", "--password", "correct horse", "--role", "operator") == "alice (operator)\n")
        // From standard input, as scripts pass it; the default role is viewer.
        let piped = try sandbox.swiftCA(["create_user", "bob"], input: Data("battery staple\n".utf8))
        #expect(piped.succeeded && piped.standardOutput == "bob (viewer)\n", "\(piped.standardError)")
        let users = try sandbox.expectSuccess("list-users")
        #expect(users.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") } == ["alice operator", "bob viewer"])
        #expect(!users.contains("$2"), "no hash is shown")

        let token = try sandbox.expectSuccess("create-token", "alice", "--label", "deploy bot", "--expires", "30")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.range(of: #"^sca_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$"#, options: .regularExpression) != nil, "\(token)")
        let id = String(token.dropFirst(4).prefix(12))
        let tokens = try sandbox.expectSuccess("list-tokens", "--user", "alice")
        #expect(tokens.hasPrefix(id + "\talice\t") && tokens.hasSuffix("\tdeploy bot\n"), "\(tokens)")
        #expect(!tokens.contains(token.suffix(43)), "the secret is shown once only")
        #expect(try sandbox.expectSuccess("list-tokens", "--user", "bob").isEmpty)

        try sandbox.expectSuccess("set-password", "bob", "--role", "admin", "--keep-password")
        #expect(try sandbox.expectSuccess("list-users").contains("bob\tadmin\t"))
        try sandbox.expectSuccess("delete-token", id)
        #expect(try sandbox.expectSuccess("list-tokens").isEmpty)
        try sandbox.expectSuccess("delete-user", "alice")
        #expect(!(try sandbox.expectSuccess("list-users")).contains("alice"))

        try sandbox.expectFailure(["create-user", "bob", "--password", "another one"], mentioning: "already exists")
        try sandbox.expectFailure(["create-user", "x y", "--password", "another one"], mentioning: "not a valid user name")
        try sandbox.expectFailure(["create-user", "carol", "--password", "short"], mentioning: "at least 8 characters")
        try sandbox.expectFailure(["create-user", "carol", "--password", "long enough", "--role", "root"], mentioning: "unknown role")
        try sandbox.expectFailure(["create-user", "carol"], mentioning: "standard input", input: Data())
        try sandbox.expectFailure(["delete-user", "carol"], mentioning: "no user named \"carol\"")
        try sandbox.expectFailure(["set-password", "carol", "--password", "long enough"], mentioning: "no user named")
        try sandbox.expectFailure(["create-token", "carol"], mentioning: "no user named")
        try sandbox.expectFailure(["create-token", "bob", "--expires", "0"], mentioning: "at least 1 day")
        try sandbox.expectFailure(["delete-token", "0123456789ab"], mentioning: "no API token")
        #expect(try sandbox.expectSuccess("list-users").split(separator: "\n").count == 1, "failures stored nothing")
    }

    @Test func theAuditLogRecordsWhoSignedRevokedAndChangedWhat() throws {
        let sandbox = try sandbox()
        sandbox.extraEnvironment["USER"] = "operator-on-duty"
        sandbox.extraEnvironment["SUDO_USER"] = "operator-on-duty"
        let ca = try sandbox.expectSuccess("init-ca", "Root", "CN=Audit Root", "--key-type", "EC").trimmingCharacters(in: .newlines)
        let csr = try sandbox.makeCSR("host")
        let serial = try sandbox.expectSuccess(
            "sign-cert", "--csr", csr, "--subject", "CN=host.example.com", "--output-format", "serial"
        ).trimmingCharacters(in: .newlines)
        try sandbox.expectSuccess("cert-watchers", serial, "--add", "ops@example.com")
        try sandbox.expectSuccess("revoke-cert", serial, "--reason", "key_compromise")
        try sandbox.expectSuccess("edit-ca", "Root", "--api-enable")
        #expect(try sandbox.expectSuccess("view-ca", "Root").contains("REST API: enabled"))
        try sandbox.expectFailure(["revoke-cert", serial], mentioning: "already revoked")

        let compact = serial.replacingOccurrences(of: ":", with: "")
        let caSerial = ca.replacingOccurrences(of: ":", with: "")
        let lines = try sandbox.expectSuccess("audit-log").split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(lines.map { $0[3] } == ["edit-ca", "revoke", "watchers", "sign", "init-ca"], "a refused revocation is not logged")
        for line in lines {
            #expect(line[1] == "cli:operator-on-duty" && line[2] == "command line", "\(line)")
            #expect(line[0].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)
        }
        #expect(lines[0][4] == caSerial && lines[0][5] == "API enabled")
        #expect(lines[1][4] == compact && lines[1][5] == "reason key_compromise")
        #expect(lines[2][5] == "+ops@example.com")
        #expect(lines[3][5].hasPrefix("CA \(caSerial), profile webserver, subject CN=host.example.com"))

        let filtered = try sandbox.expectSuccess("audit-log", "--target", serial, "--action", "sign", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(filtered.utf8)) as? [String: String])
        #expect(object["action"] == "sign" && object["target"] == compact && object["actor"] == "cli:operator-on-duty")
        #expect(try sandbox.expectSuccess("audit-log", "--since", "2999-01-01T00:00:00Z").isEmpty)
        try sandbox.expectFailure(["audit-log", "--since", "yesterday"], mentioning: "ISO 8601")
        try sandbox.expectFailure(["audit-log", "--limit", "0"], mentioning: "at least 1")
    }
}
