import Foundation
import Testing

/// The web interface at the HTTP level, driven by curl as a browser would: sessions, CSRF, throttling,
/// roles, bad input and the certificate list. The headless-browser flow is in WebBrowserTests.
@Suite(.timeLimit(.minutes(10))) struct WebInterfaceTests {
    @Test func sessionCookieAndSecurityHeaders() throws {
        let installation = try WebInstallation()
        let client = WebClient(installation)
        let anonymous = try client.get("/admin/")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/admin/login")
        let form = try client.get("/admin/login")
        #expect(form.status == 200)
        let login = try client.login("admin")
        #expect(login.status == 303, "login answered \(login.status): \(login.text)")
        let session = login.setCookies.first { $0.hasPrefix("sca_session=") && !$0.contains("Max-Age=0") }
        #expect(session != nil, "no session cookie in \(login.setCookies)")
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
            #expect(session?.contains(flag) == true, "session cookie lacks \(flag): \(session ?? "")")
        }
        // Plain HTTP: a Secure cookie would never come back.
        #expect(session?.contains("Secure") == false)
        let dashboard = try client.get("/admin/")
        #expect(dashboard.status == 200 && dashboard.text.contains("id=\"hierarchy\""))
        for page in [form, dashboard, try client.get("/admin/certificates/"), try client.get("/admin/certificates/00AB/")] {
            let policy = page.headers["content-security-policy"] ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"))
            #expect(page.headers["x-content-type-options"] == "nosniff")
            #expect(page.headers["referrer-policy"] == "same-origin")
            #expect(page.headers["cache-control"] == "no-store")
        }
        // Logging out ends the session on the server, not just in the browser.
        let token = try client.csrfToken()
        let cookieValue = session.flatMap { $0.split(separator: ";").first }.map(String.init) ?? ""
        #expect(try client.post("/admin/logout", [("csrf", token)]).status == 303)
        let replay = try client.exchange(["-H", "Cookie: \(cookieValue)", client.base + "/admin/"])
        #expect(replay.status == 303 && replay.headers["location"] == "/admin/login")
    }

    @Test func cookiesAreSecureOverTLS() throws {
        let sandbox = try Sandbox()
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        try sandbox.expectSuccess("init-ca", "Root", "CN=Web TLS Root", "--key-type", "EC")
        try sandbox.expectSuccess("create-user", "admin", "--password", WebInstallation.password, "--role", "admin")
        let server = try RunningServer(sandbox, arguments: ["--tls-ca", "Root", "--tls-name", "localhost"])
        #expect(server.baseURL.hasPrefix("https://"))
        let jar = sandbox.path("tls-jar")
        // -k: the check is about the cookie flags, not the server's certificate (ServerTLSTests checks that).
        let form = try HTTPExchange.run(sandbox, ["-k", "-c", jar, server.baseURL + "/admin/login"], saveAs: "tls-login")
        #expect(form.setCookies.first { $0.hasPrefix("sca_login=") }?.contains("; Secure") == true, "\(form.setCookies)")
        let token = WebClient.csrfToken(in: form.text) ?? ""
        let login = try HTTPExchange.run(
            sandbox,
            ["-k", "-b", jar, "--data-urlencode", "csrf=\(token)", "--data-urlencode", "username=admin",
             "--data-urlencode", "password=\(WebInstallation.password)", server.baseURL + "/admin/login"], saveAs: "tls-session")
        #expect(login.status == 303)
        let session = login.setCookies.first { $0.hasPrefix("sca_session=") }
        #expect(session?.contains("; Secure") == true && session?.contains("HttpOnly") == true, "\(login.setCookies)")
    }

    @Test func postsWithoutTheRightCSRFTokenChangeNothing() throws {
        let installation = try WebInstallation()
        let serial = try installation.signWithCLI("csrf.example.com")
        let client = WebClient(installation)
        try client.login("admin")
        let revokePath = "/admin/certificates/\(serial)/revoke"
        let missing = try client.post(revokePath, [("reason", "key_compromise")])
        #expect(missing.status == 403)
        let wrong = try client.post(revokePath, [("reason", "key_compromise"), ("csrf", String(repeating: "A", count: 43))])
        #expect(wrong.status == 403)
        let watchers = try client.post("/admin/certificates/\(serial)/watchers", [("watchers", "x@example.com"), ("csrf", "nope")])
        #expect(watchers.status == 403)
        let view = try installation.sandbox.expectSuccess("view-cert", serial)
        #expect(!view.lowercased().contains("revoked"), "revoked without a CSRF token: \(view)")
        #expect(!view.contains("x@example.com"))
        // A login form posted without its double-submit token is refused too.
        let fresh = WebClient(installation)
        #expect(try fresh.post("/admin/login", [("username", "admin"), ("password", WebInstallation.password)]).status == 403)
        // The same request with the token goes through, so the refusals above were about the token.
        let done = try client.post(revokePath, [("reason", "key_compromise"), ("csrf", try client.csrfToken())])
        #expect(done.status == 303)
        #expect(try installation.sandbox.expectSuccess("view-cert", serial).lowercased().contains("revoked"))
    }

    @Test func loginIsThrottledAfterTheConfiguredFailures() throws {
        let installation = try WebInstallation(loginAttempts: 3)
        let client = WebClient(installation)
        for _ in 0..<3 {
            let failed = try client.login("operator", password: "wrong password")
            #expect(failed.status == 401 && failed.text.contains("Wrong user name or password"))
        }
        // Now even the right password is refused until the window passes.
        let throttled = try client.login("operator")
        #expect(throttled.status == 429, "expected 429, got \(throttled.status)")
        #expect(throttled.text.contains("Too many attempts"))
        #expect(!throttled.setCookies.contains { $0.hasPrefix("sca_session=") })
    }

    @Test func viewersSeeButCannotChange() throws {
        let installation = try WebInstallation()
        let serial = try installation.signWithCLI("viewer.example.com")
        let intermediate = try installation.authoritySerial("Intermediate")
        let client = WebClient(installation)
        try client.login("viewer")
        let page = try client.get("/admin/certificates/\(serial)/")
        #expect(page.status == 200 && page.text.contains("viewer.example.com"))
        #expect(!page.text.contains("revoke-form") && !page.text.contains("save-watchers") && !page.text.contains("id=\"resign\""))
        #expect(!(try client.get("/admin/").text.contains("href=\"/admin/sign\"")))
        #expect(!(try client.get("/admin/cas/\(intermediate)/").text.contains("edit-ca")))
        let token = try client.csrfToken()
        #expect(try client.get("/admin/sign").status == 403)
        #expect(try client.post("/admin/sign", [("csrf", token), ("step", "preview"), ("csr", "x")]).status == 403)
        #expect(try client.post("/admin/certificates/\(serial)/revoke", [("csrf", token), ("reason", "superseded")]).status == 403)
        #expect(try client.post("/admin/certificates/\(serial)/resign", [("csrf", token)]).status == 403)
        #expect(try client.post("/admin/certificates/\(serial)/watchers", [("csrf", token), ("watchers", "v@example.com")]).status == 403)
        #expect(try client.post("/admin/cas/\(intermediate)/edit", [("csrf", token), ("name", "Renamed")]).status == 403)
        let view = try installation.sandbox.expectSuccess("view-cert", serial)
        #expect(!view.lowercased().contains("revoked") && !view.contains("v@example.com"))
        #expect(try installation.sandbox.expectSuccess("list-cas").contains("Intermediate"))
        #expect(try installation.storedSerials() == [serial])
    }

    @Test func badInputIsShownAndNothingIsIssued() throws {
        let installation = try WebInstallation()
        let client = WebClient(installation)
        try client.login("operator")
        let token = try client.csrfToken()
        let intermediate = try installation.authoritySerial("Intermediate")
        let garbage = try client.post("/admin/sign", [("csrf", token), ("step", "preview"), ("csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----")])
        #expect(garbage.status == 400 && garbage.text.contains("id=\"csr-error\""), "\(garbage.status)")
        let csr = try String(contentsOfFile: try installation.sandbox.makeCSR("bad-input"), encoding: .utf8)
        func sign(_ extra: [(String, String)]) throws -> HTTPExchange {
            try client.post(
                "/admin/sign",
                [("csrf", token), ("step", "sign"), ("csr", csr), ("ca", intermediate), ("profile", "webserver"),
                 ("key_usage", "digitalSignature"), ("key_usage", "keyAgreement"), ("extended_key_usage", "serverAuth")] + extra)
        }
        let preview = try client.post(
            "/admin/sign", [("csrf", token), ("step", "preview"), ("csr", csr), ("ca", intermediate), ("profile", "webserver")])
        #expect(preview.status == 200 && preview.text.contains("id=\"csr-preview\"") && preview.text.contains("CN=ignored"))
        let outside = try sign([("sans", "DNS:www.example.net"), ("expires", "30")])
        #expect(outside.status == 400 && outside.text.contains("id=\"sans-error\"") && outside.text.contains("name constraints"))
        let tooLong = try sign([("sans", "DNS:www.example.com"), ("expires", "400000")])
        #expect(tooLong.status == 400 && tooLong.text.contains("id=\"expires-error\""))
        let badWatcher = try sign([("sans", "DNS:www.example.com"), ("expires", "30"), ("watchers", "not an address")])
        #expect(badWatcher.status == 400 && badWatcher.text.contains("id=\"watchers-error\""))
        let badSubject = try sign([("sans", "DNS:www.example.com"), ("subject", "XX=what"), ("expires", "30")])
        #expect(badSubject.status == 400 && badSubject.text.contains("id=\"subject-error\""))
        #expect(try installation.storedSerials().isEmpty)
        // The command line obeys the same name constraints (one issuance path).
        try installation.sandbox.expectFailure(
            ["sign-cert", "--ca", "Intermediate", "--csr", installation.sandbox.path("bad-input.csr"), "--alt", "www.example.net"],
            mentioning: "name constraints")
        // Client errors get their page, never a 500.
        let unknown = try client.get("/admin/certificates/ABCDEF0123/")
        #expect(unknown.status == 404)
        let large = installation.sandbox.path("large.txt")
        try String(repeating: "a", count: 2 * 1024 * 1024).write(toFile: large, atomically: true, encoding: .utf8)
        let tooLarge = try client.exchange(["-b", client.jar, "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded",
                                            "--data-binary", "@" + large, client.base + "/admin/sign"])
        #expect(tooLarge.status == 413)
        let malformed = try client.exchange(["-b", client.jar, "-X", "POST", "-H", "Content-Type: multipart/form-data; boundary=XYZ",
                                             "--data-binary", "not multipart", client.base + "/admin/sign"])
        #expect(malformed.status == 400)
        let badPercent = try client.exchange(["-b", client.jar, "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded",
                                              "--data-binary", "csrf=%zz", client.base + "/admin/sign"])
        #expect(badPercent.status == 400)
        #expect(try client.get("/admin/certificates/?status=sideways").status == 400)
        #expect(try client.get("/admin/certificates/?after=garbage").status == 400)
    }

    @Test func signsFromAnUploadedFileWithTheChosenUsages() throws {
        let installation = try WebInstallation()
        let client = WebClient(installation)
        try client.login("operator")
        let token = try client.csrfToken()
        let csrFile = try installation.sandbox.makeCSR("upload")
        let intermediate = try installation.authoritySerial("Intermediate")
        let preview = try client.exchange(["-b", client.jar, "-F", "csrf=\(token)", "-F", "step=preview", "-F", "ca=\(intermediate)",
                                           "-F", "profile=client", "-F", "csr_file=@\(csrFile)", client.base + "/admin/sign"])
        #expect(preview.status == 200 && preview.text.contains("id=\"csr-preview\""), "\(preview.status) \(preview.text)")
        // The client profile pre-fills its usages.
        #expect(preview.text.contains("value=\"clientAuth\" checked"))
        let csr = try String(contentsOfFile: csrFile, encoding: .utf8)
        let signed = try client.post(
            "/admin/sign",
            [("csrf", token), ("step", "sign"), ("csr", csr), ("ca", intermediate), ("profile", "client"), ("subject", "CN=upload.example.com"),
             ("sans", "DNS:upload.example.com"), ("key_usage", "digitalSignature"), ("extended_key_usage", "clientAuth"),
             ("extended_key_usage", "emailProtection"), ("expires", "20"), ("watchers", "owner@example.com")])
        #expect(signed.status == 303, "\(signed.status): \(signed.text)")
        let serial = try installation.serial(of: "upload.example.com")
        #expect(signed.headers["location"] == "/admin/certificates/\(serial)/?done=signed")
        let pem = try installation.sandbox.write(try installation.sandbox.expectSuccess("dump-cert", serial), to: "upload.pem")
        let text = try installation.sandbox.openssl("x509", "-in", pem, "-noout", "-text").standardOutput
        #expect(text.contains("E-mail Protection") && text.contains("TLS Web Client Authentication"), "\(text)")
        #expect(text.contains("DNS:upload.example.com") && text.contains("v3 Key Usage"))
        #expect(try installation.sandbox.expectSuccess("view-cert", serial).contains("owner@example.com"))
    }

    @Test func listSearchFiltersAndPages() throws {
        let installation = try WebInstallation()
        let alpha = try installation.signWithCLI("alpha.example.com")
        let beta = try installation.signWithCLI("beta.example.com", profile: "client")
        let gamma = try installation.signWithCLI("gamma.example.org", ca: "Root")
        try installation.sandbox.expectSuccess("revoke-cert", gamma)
        let client = WebClient(installation)
        try client.login("viewer")
        func listed(_ query: String) throws -> Set<String> {
            let page = try client.get("/admin/certificates/?" + query)
            #expect(page.status == 200, "\(query): \(page.status)")
            return page.listedSerials
        }
        #expect(try listed("") == [alpha, beta, gamma])
        #expect(try listed("q=beta") == [beta])
        #expect(try listed("q=example.org") == [gamma])
        #expect(try listed("q=" + String(alpha.prefix(6))) == [alpha])
        #expect(try listed("status=revoked") == [gamma])
        #expect(try listed("status=valid") == [alpha, beta])
        #expect(try listed("status=expired").isEmpty)
        #expect(try listed("profile=client") == [beta])
        let root = try installation.authoritySerial("Root")
        #expect(try listed("ca=" + root) == [gamma])
        // The server makes OCSP responder certificates for itself: only those are "autogenerated".
        let autogenerated = try listed("autogenerated=only")
        #expect(autogenerated.isDisjoint(with: [alpha, beta, gamma]))
        #expect(try listed("autogenerated=include") == autogenerated.union([alpha, beta, gamma]))
        // Keyset pagination: the second page starts after the first page's last row.
        let before = try installation.storedSerials()
        let csr = try installation.sandbox.makeCSR("pages")
        for index in 0..<52 {
            try installation.sandbox.expectSuccess("sign-cert", "--ca", "Intermediate", "--csr", csr, "--alt", "page\(index).example.com")
        }
        let serials = try installation.storedSerials().subtracting(before)
        let first = try client.get("/admin/certificates/?q=page")
        #expect(first.listedSerials.count == 50)
        guard let range = first.text.range(of: "href=\"/admin/certificates/?after="),
              let end = first.text[range.upperBound...].firstIndex(of: "\"") else {
            Issue.record("no next-page link")
            return
        }
        let next = "/admin/certificates/?after=" + first.text[range.upperBound..<end].replacingOccurrences(of: "&amp;", with: "&")
        let second = try client.get(next)
        #expect(second.listedSerials.count == 2)
        #expect(first.listedSerials.union(second.listedSerials) == Set(serials))
    }

    @Test func editingACASavesItsSettingsWithAnAuditEntry() throws {
        let installation = try WebInstallation()
        let intermediate = try installation.authoritySerial("Intermediate")
        let client = WebClient(installation)
        try client.login("operator")
        #expect(try client.get("/admin/cas/\(intermediate)/edit").status == 403)
        let admin = WebClient(installation)
        try admin.login("admin")
        let form = try admin.get("/admin/cas/\(intermediate)/edit")
        #expect(form.status == 200)
        let token = WebClient.csrfToken(in: form.text) ?? ""
        let bad = try admin.post(
            "/admin/cas/\(intermediate)/edit", [("csrf", token), ("name", "Intermediate"), ("ocsp", "IP:not-an-address")])
        #expect(bad.status == 400 && bad.text.contains("id=\"ocsp-error\""), "\(bad.status)")
        let saved = try admin.post(
            "/admin/cas/\(intermediate)/edit",
            [("csrf", token), ("name", "Issuing"), ("enabled", "1"), ("ocsp", "URI:http://ocsp.example.com/"),
             ("crl", "URI:http://crl.example.com/issuing.crl"), ("api_enabled", "1"), ("acme_enabled", "1"), ("acme_registration", "1")])
        #expect(saved.status == 303, "\(saved.status): \(saved.text)")
        let view = try installation.sandbox.expectSuccess("view-ca", "Issuing")
        #expect(view.contains("http://ocsp.example.com/") && view.contains("http://crl.example.com/issuing.crl"), "\(view)")
        let page = try admin.get("/admin/cas/\(intermediate)/")
        #expect(page.text.contains("id=\"api-flag\">enabled"))
        let log = try installation.sandbox.expectSuccess("audit-log", "--action", "edit-ca")
        #expect(log.contains("admin") && log.contains("127.0.0.1"), "\(log)")
    }
}
