import Foundation
import TestSupport
import Testing

/// The REST API as a client uses it: curl against `swift-ca serve`, judged by openssl, pkilint, the CLI
/// and schemathesis.
@Suite(.timeLimit(.minutes(15))) struct RESTAPITests {
    @Test func signsWithTheProfilesExtensionsAndListsPageByPage() throws {
        let api = try APIFixture()
        defer { api.server.stop() }
        // Only the subject and the profile: the client profile's extensions must be in the certificate (django-ca #168).
        let signed = try api.sign([
            "csr": try api.csrPEM("client"), "profile": "client", "expires": 30,
            "subject": [["oid": "2.5.4.10", "value": "Example, Inc."], ["oid": "2.5.4.3", "value": "client.example.com"]],
        ])
        #expect(signed.status == 201, "\(signed.status) \(signed.text)")
        let serial = (signed.object["serial"] as? String ?? "").replacingOccurrences(of: ":", with: "")
        #expect(signed.headers["location"] == "/api/ca/\(api.rootSerial)/certs/\(serial)/")
        #expect(signed.object["profile"] as? String == "client")
        let leaf = try api.sandbox.write(signed.object["pem"] as? String ?? "", to: "client.pem")
        let verify = try api.sandbox.openssl("verify", "-CAfile", api.rootPEM, leaf)
        #expect(verify.succeeded && verify.standardOutput.contains(": OK"), "\(verify.standardOutput) \(verify.standardError)")
        try api.sandbox.expectPKILintClean(leaf)
        let text = try api.sandbox.openssl("x509", "-in", leaf, "-noout", "-text").standardOutput
        #expect(text.contains("TLS Web Client Authentication") && !text.contains("TLS Web Server Authentication"), "\(text)")
        #expect(text.contains("Digital Signature") && text.contains("DNS:client.example.com"), "\(text)")
        #expect(text.contains("Example, Inc."), "\(text)")

        // Extensions in the request replace the profile's; an RFC 4514 subject string works too.
        let explicit = try api.sign([
            "csr": try api.csrPEM("server"), "profile": "client", "subject": "CN=www.example.com",
            "extensions": [
                "extended_key_usage": ["value": ["serverAuth"]],
                "subject_alternative_name": ["value": ["DNS:www.example.com", ["type": "DNS", "value": "example.com"]]],
            ],
        ], as: "admin")
        #expect(explicit.status == 201, "\(explicit.text)")
        let serverText = try api.sandbox.openssl(
            "x509", "-noout", "-text", "-in", try api.sandbox.write(explicit.object["pem"] as? String ?? "", to: "server.pem")).standardOutput
        #expect(serverText.contains("TLS Web Server Authentication") && !serverText.contains("Client Authentication"), "\(serverText)")
        #expect(serverText.contains("DNS:www.example.com") && serverText.contains("DNS:example.com"), "\(serverText)")

        // The certificate view is view-cert's JSON, key by key, plus django-ca's members (watchers as objects,
        // an empty revoked_reason, the certificate model).
        let viewed = try api.call("GET", "/api/ca/\(api.rootSerial)/certs/\(serial)/", auth: api.bearer("viewer"))
        #expect(viewed.status == 200)
        let cli = try #require(try JSONSerialization.jsonObject(
            with: Data(try api.sandbox.expectSuccess("view-cert", serial, "--output-format", "json").utf8)) as? [String: Any])
        let apiObject = viewed.object as NSDictionary
        for (key, value) in cli where !["watchers", "revoked_reason"].contains(key) {
            #expect((apiObject[key] as? NSObject) == (value as? NSObject), "\(key): API \(String(describing: apiObject[key])) CLI \(value)")
        }
        #expect(Set(apiObject.allKeys as? [String] ?? []).subtracting(cli.keys) == ["id", "updated", "csr", "certificate"])
        #expect(apiObject["revoked_reason"] as? String == "")

        // Keyset pagination: five certificates in pages of two, each exactly once, through the Link headers.
        for index in 0..<3 {
            #expect(try api.sign(["csr": try api.csrPEM("more\(index)"), "subject": "CN=host\(index).example.com"]).status == 201)
        }
        var seen: [String] = []
        var next: String? = "/api/ca/\(api.rootSerial)/certs/?limit=2"
        var pages = 0
        while let path = next, pages < 10 {
            let page = try api.call("GET", path, auth: api.basic("viewer"))
            #expect(page.status == 200, "\(page.text)")
            seen += page.array.compactMap { $0["serial"] as? String }
            next = page.headers["link"].flatMap { link in
                link.split(separator: ">").first.map { String($0.dropFirst()) }
            }
            pages += 1
        }
        #expect(seen.count == 5 && Set(seen).count == 5, "\(seen)")
        let search = try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?search=host1&profile=webserver", auth: api.bearer("viewer"))
        #expect(search.array.compactMap { $0["common_name"] as? String } == ["host1.example.com"], "\(search.text)")
        let none = try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?profile=client&status=revoked", auth: api.bearer("viewer"))
        #expect(none.status == 200 && none.array.isEmpty, "\(none.text)")

        let profiles = try api.call("GET", "/api/profiles/", auth: api.bearer("operator"))
        #expect(profiles.array.compactMap { $0["name"] as? String }.contains("client"))
        let client = try api.call("GET", "/api/profiles/client/", auth: api.bearer("operator"))
        #expect((client.object["extensions"] as? [String: Any])?["extended_key_usage"] != nil, "\(client.text)")
    }

    @Test func credentialsRolesAndVisibleCAs() async throws {
        let api = try APIFixture(startServer: false)
        try api.sandbox.expectSuccess("init-ca", "Hidden", "CN=Hidden Root", "--key-type", "EC")
        let hiddenSerial = try api.sandbox.expectSuccess("view-ca", "Hidden", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        api.sandbox.extraEnvironment["CA_LOGIN_ATTEMPTS"] = "3"
        api.server = try RunningServer(api.sandbox)
        defer { api.server.stop() }

        let anonymous = try api.call("GET", "/api/ca/", auth: [])
        #expect(anonymous.status == 401 && anonymous.detail == "Unauthorized", "\(anonymous.text)")
        #expect(anonymous.headers["www-authenticate"] == "Bearer realm=\"swift-ca\", Basic realm=\"swift-ca\"")
        let badToken = try api.call("GET", "/api/ca/", auth: ["-H", "Authorization: Bearer sca_000000000000_" + String(repeating: "A", count: 43)])
        #expect(badToken.status == 401, "\(badToken.text)")

        // Basic and Bearer both work; the viewer sees CAs but may not sign.
        for auth in [api.bearer("viewer"), api.basic("viewer")] {
            let list = try api.call("GET", "/api/ca/", auth: auth)
            #expect(list.status == 200 && list.array.compactMap { $0["name"] as? String } == ["Root"], "\(list.text)")
        }
        let refused = try api.sign(["csr": try api.csrPEM("viewer")], as: "viewer")
        #expect(refused.status == 403 && refused.text == "{\"detail\":\"Forbidden\"}", "\(refused.text)")
        let edit = try api.call("PUT", "/api/ca/\(api.rootSerial)/", body: ["website": "https://ca.example.com"], auth: api.bearer("operator"))
        #expect(edit.status == 403)
        let edited = try api.call("PUT", "/api/ca/\(api.rootSerial)/", body: ["website": "https://ca.example.com", "acme_enabled": true],
                                  auth: api.bearer("admin"))
        #expect(edited.status == 200 && edited.object["website"] as? String == "https://ca.example.com"
                    && edited.object["acme_enabled"] as? Bool == true, "\(edited.text)")
        #expect(try api.sandbox.expectSuccess("view-ca", "Root").contains("Website: https://ca.example.com"))

        // A CA without --api-enable does not exist for the API.
        #expect(try api.call("GET", "/api/ca/\(hiddenSerial)/", auth: api.bearer("admin")).status == 404)
        #expect(try api.call("POST", "/api/ca/\(hiddenSerial)/sign/", body: ["csr": try api.csrPEM("hidden")], auth: api.bearer("admin")).status == 404)
        #expect(try api.certificateCount() == 0)

        // A deleted token stops working at once.
        #expect(try api.call("GET", "/api/profiles/", auth: api.bearer("operator")).status == 200)
        let tokenID = String(api.tokens["operator"]!.dropFirst(4).prefix(12))
        try api.sandbox.expectSuccess("delete-token", tokenID)
        #expect(try api.call("GET", "/api/profiles/", auth: api.bearer("operator")).status == 401, "a deleted token kept working")

        // Wrong passwords: 401 each, then 429 with Retry-After for the address.
        for _ in 0..<3 { #expect(try api.call("GET", "/api/ca/", auth: api.basic("admin", password: "wrong password")).status == 401) }
        let throttled = try api.call("GET", "/api/ca/", auth: api.basic("admin", password: "wrong password"))
        #expect(throttled.status == 429 && Int(throttled.headers["retry-after"] ?? "") ?? 0 > 0, "\(throttled.status) \(throttled.headers)")
    }

    @Test func revocationReachesCLIOCSPAndCRLAndBadInputStoresNothing() async throws {
        let api = try APIFixture(startServer: false)
        try api.sandbox.expectSuccess("generate-ocsp-keys")
        api.server = try RunningServer(api.sandbox)
        defer { api.server.stop() }
        let signed = try api.sign(["csr": try api.csrPEM("leaf"), "subject": "CN=revoke.example.com", "watchers": ["ops@example.com"]])
        #expect(signed.status == 201, "\(signed.text)")
        let serial = (signed.object["serial"] as? String ?? "").replacingOccurrences(of: ":", with: "")
        let leaf = try api.sandbox.write(signed.object["pem"] as? String ?? "", to: "leaf.pem")
        let certificatePath = "/api/ca/\(api.rootSerial)/certs/\(serial)/"

        let watchers = try api.call("PUT", certificatePath + "watchers/", body: ["watchers": ["dev@example.com"]], auth: api.bearer("operator"))
        #expect(watchers.object["watchers"] as? [String] == ["dev@example.com"], "\(watchers.text)")
        #expect(try api.call("GET", certificatePath + "watchers/", auth: api.bearer("viewer")).object["watchers"] as? [String] == ["dev@example.com"])
        #expect(try api.call("PUT", certificatePath + "watchers/", body: ["watchers": []], auth: api.bearer("viewer")).status == 403)

        #expect(try api.call("POST", certificatePath + "revoke/", body: ["reason": "key_compromise"], auth: api.bearer("viewer")).status == 403)
        let revoked = try api.call("POST", certificatePath + "revoke/", body: ["reason": "key_compromise"], auth: api.bearer("operator"))
        #expect(revoked.status == 200 && revoked.object["revoked_reason"] as? String == "key_compromise", "\(revoked.text)")
        let again = try api.call("POST", certificatePath + "revoke/", body: [:] as [String: Any], auth: api.bearer("operator"))
        #expect(again.status == 400 && again.detail.contains("already revoked"), "\(again.text)")
        #expect(try api.sandbox.expectSuccess("view-cert", serial).contains("Status: Revoked (key_compromise"))
        let responder = "\(api.server.baseURL)/ca/ocsp/\(api.rootSerial)/cert/"
        #expect(try await eventuallyAsync(within: 10) {
            try api.sandbox.ocspQuery(issuer: api.rootPEM, certificate: leaf, url: responder, trust: api.rootPEM).standardOutput
                .contains(": revoked")
        }, "OCSP does not report the revocation")
        try api.sandbox.expectSuccess("generate-crls")
        let crl = try api.sandbox.write(try api.sandbox.expectSuccess("dump-crl", "--ca", "Root"), to: "root.crl")
        let crlText = try api.sandbox.openssl("crl", "-in", crl, "-noout", "-text").standardOutput
        #expect(crlText.contains(serial), "\(crlText)")

        // The audit log names the API user and where the request came from.
        let audit = try api.sandbox.expectSuccess("audit-log", "--action", "revoke", "--json")
        #expect(audit.contains("operator-user") && audit.contains("127.0.0.1") && audit.contains(serial), "\(audit)")

        // Bad input: a clear 4xx with a detail, and nothing stored.
        let before = try api.certificateCount()
        let bad: [(Any, Int, String)] = [
            (["csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"], 400, "CSR"),
            ("{\"csr\": ", 400, "JSON"),
            (["csr": 5], 400, "\"csr\""),
            (["subject": "CN=x"], 400, "\"csr\" is required"),
            (["csr": try api.csrPEM("typed"), "expires": "soon"], 400, "\"expires\""),
            (["csr": try api.csrPEM("profile"), "profile": "nonexistent"], 400, "unknown profile"),
            (["csr": try api.csrPEM("long"), "subject": "CN=long.example.com", "expires": 100_000], 400, "expire after its CA"),
            (["csr": String(repeating: "A", count: 70_000)], 413, "KiB"),
            // PostgreSQL cannot store NUL (schemathesis found this as a 500).
            (["csr": try api.csrPEM("nul"), "subject": "CN=a\u{0}b"], 400, "NUL"),
        ]
        for (index, (body, status, fragment)) in bad.enumerated() {
            let result = try api.call("POST", "/api/ca/\(api.rootSerial)/sign/", body: body, auth: api.bearer("operator"), name: "bad\(index)")
            #expect(result.status == status && result.detail.contains(fragment), "case \(index): \(result.status) \(result.text)")
            #expect(result.headers["content-type"] == "application/json")
        }
        #expect(try api.call("POST", "/api/ca/ABCDEF/sign/", body: ["csr": try api.csrPEM("unknown")], auth: api.bearer("operator")).status == 404)
        #expect(try api.call("GET", "/api/ca/\(api.rootSerial)/certs/ABCDEF/", auth: api.bearer("operator")).status == 404)
        #expect(try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?limit=0", auth: api.bearer("operator")).status == 400)
        #expect(try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?expired=maybe", auth: api.bearer("operator")).status == 400)
        #expect(try api.call("GET", "/api/ca/\(api.rootSerial)/certs/?profile=%00", auth: api.bearer("operator")).status == 400)
        #expect(try api.call("DELETE", "/api/ca/", auth: api.bearer("admin")).status == 405)
        #expect(try api.certificateCount() == before)

        // Re-signing gives a new certificate from the stored CSR.
        let resigned = try api.call("POST", certificatePath + "resign/", body: ["expires": 10], auth: api.bearer("operator"))
        #expect(resigned.status == 201 && resigned.object["serial"] as? String != signed.object["serial"] as? String, "\(resigned.text)")
        #expect(try api.certificateCount() == before + 1)
    }

    /// A public node holds no CA key: it queues the request (202 with an order), a signing node on the same
    /// database signs it, and the order's creator sees it issued.
    @Test func publicNodeQueuesOrdersThatASigningNodeIssues() async throws {
        let api = try APIFixture(startServer: false)
        api.sandbox.extraEnvironment["CA_JOB_INTERVAL"] = "1"
        let signer = try RunningServer(api.sandbox)
        defer { signer.stop() }
        api.server = try RunningServer(api.sandbox, arguments: ["--role", "public"])
        defer { api.server.stop() }

        var queued = try api.sign(["csr": try api.csrPEM("queued"), "subject": "CN=queued.example.com", "profile": "client"])
        if queued.status == 503 {
            // The signing node's first heartbeat may not be written yet.
            _ = try await eventuallyAsync(within: 10) {
                queued = try api.sign(["csr": try api.csrPEM("queued"), "subject": "CN=queued.example.com", "profile": "client"])
                return queued.status != 503
            }
        }
        #expect(queued.status == 202 && queued.object["status"] as? String == "pending", "\(queued.status) \(queued.text)")
        #expect(queued.object["serial"] is NSNull)
        let location = queued.headers["location"] ?? ""
        #expect(location.hasPrefix("/api/ca/\(api.rootSerial)/orders/"), "\(location)")

        var order: [String: Any] = [:]
        #expect(try await eventuallyAsync(within: 20) {
            order = try api.call("GET", location, auth: api.bearer("operator")).object
            return order["status"] as? String == "issued"
        }, "the order never turned issued: \(order)")
        let serial = order["serial"] as? String ?? ""
        #expect(try api.sandbox.expectSuccess("view-cert", serial).contains("Profile: client"))
        // Another user's order does not exist for this user.
        #expect(try api.call("GET", location, auth: api.bearer("admin")).status == 404)
        // A bad CSR is refused at once, not queued.
        let bad = try api.sign(["csr": "not a CSR"])
        #expect(bad.status == 400, "\(bad.text)")
        let audit = try api.sandbox.expectSuccess("audit-log", "--action", "sign", "--json")
        #expect(audit.contains("operator-user") && audit.contains("127.0.0.1"), "\(audit)")
    }
}

/// The spec is the source of truth: valid OpenAPI 3.1, served byte for byte, every documented operation
/// answered, and schemathesis finds no 5xx and no response that breaks it.
@Suite(.timeLimit(.minutes(15))) struct RESTAPISpecificationTests {
    static let specFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/RESTAPI/openapi.yaml").path

    @Test func specIsValidServedAndEveryOperationIsAnswered() throws {
        let validation = try runProgram(Binaries.pkilint("openapi-spec-validator"), [Self.specFile])
        #expect(validation.succeeded && validation.standardOutput.contains("OK"), "\(validation.standardOutput) \(validation.standardError)")

        let api = try APIFixture()
        defer { api.server.stop() }
        let served = try api.call("GET", "/api/openapi.yaml", auth: [], name: "openapi")
        #expect(served.status == 200 && served.exchange.body == FileManager.default.contents(atPath: Self.specFile))

        // Every documented path and method reaches a handler: the answer is never the router's own 404 or 405.
        let listing = try runProgram(Binaries.pkilint("python"), [
            "-c", "import sys, yaml\nfor path, item in yaml.safe_load(open(sys.argv[1]))['paths'].items():\n"
                + "    for method in item:\n        if method != 'parameters': print(method.upper(), path)",
            Self.specFile,
        ])
        let operations = listing.standardOutput.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(operations.count >= 14, "\(listing.standardOutput) \(listing.standardError)")
        for operation in operations where operation.count == 2 {
            let path = operation[1].replacingOccurrences(of: "{serial}", with: api.rootSerial)
                .replacingOccurrences(of: "{certificate_serial}", with: "ABCD").replacingOccurrences(of: "{name}", with: "client")
                .replacingOccurrences(of: "{slug}", with: "missing")
            let result = try api.call(operation[0], path, body: operation[0] == "GET" ? nil : "{}", auth: api.bearer("admin"))
            #expect(result.status != 405 && result.detail != "Not Found", "\(operation): \(result.status) \(result.text)")
        }
    }

    @Test func schemathesisFindsNoServerErrorAndNoResponseOutsideTheSpec() throws {
        let api = try APIFixture()
        defer { api.server.stop() }
        var serials: [String] = []
        for index in 0..<2 {
            let signed = try api.sign(["csr": try api.csrPEM("st\(index)"), "subject": "CN=st\(index).example.com"])
            #expect(signed.status == 201)
            serials.append((signed.object["serial"] as? String ?? "").replacingOccurrences(of: ":", with: ""))
        }
        // Real serials and a real profile in the paths, so that the operations reach their handlers instead of
        // answering 404 to random serials; bodies, query parameters and headers are still generated.
        let configuration = try api.sandbox.write(
            "[parameters]\n\"path.serial\" = \"\(api.rootSerial)\"\n\"path.certificate_serial\" = \"\(serials[0])\"\n"
                + "\"path.name\" = \"client\"\n", to: "schemathesis.toml")
        let result = try runProgram(Binaries.pkilint("schemathesis"), [
            "--no-color", "--config-file", configuration, "run", api.server.baseURL + "/api/openapi.yaml", "--url", api.server.baseURL,
            "-H", "Authorization: Bearer \(api.tokens["admin"]!)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
            // One worker: with two threads, CPython 3.11.7's ast.parse (which hypothesis calls to describe filters)
            // failed once with "AST constructor recursion depth mismatch", an interpreter bug fixed in 3.11.8.
            "--phases", "examples,coverage,fuzzing", "--max-examples", "15", "--max-time", "90", "--workers", "1",
            "--seed", "1", "--generation-database", "none",
        ], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin", "HOME": api.sandbox.directory],
           directory: api.sandbox.directory)
        // Every operation schemathesis selected was exercised, not skipped, and there were at least a dozen.
        let selected = result.standardOutput.firstMatch(of: /Selected: (\d+)\/(\d+)/).map { (Int($0.1) ?? 0, Int($0.2) ?? 0) }
        let tested = result.standardOutput.firstMatch(of: /Tested: (\d+)/).map { Int($0.1) ?? 0 }
        #expect(selected != nil && selected?.0 == selected?.1 && tested == selected?.0 && (tested ?? 0) >= 12,
                "\(result.standardOutput.suffix(3000))")
        #expect(result.status == 0, "schemathesis: \(result.standardOutput.suffix(6000)) \(result.standardError.suffix(2000))")
    }
}
