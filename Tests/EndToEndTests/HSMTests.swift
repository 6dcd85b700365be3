import Foundation
import TestSupport
import Testing

/// A SoftHSM2 token in a temp directory (SOFTHSM2_CONF), initialised with softhsm2-util, and a sandbox whose
/// CA_KEY_BACKENDS names it as `hsm`.
final class SoftHSMToken {
    static let library = "/usr/lib/softhsm/libsofthsm2.so"
    let sandbox: Sandbox
    let configuration: String
    static let label = "ca-token"
    static let userPIN = "1234"

    /// A token for `sandbox` (a new one by default): SOFTHSM2_CONF and SWIFT_CA_SETTINGS go into its environment.
    init(sandbox given: Sandbox? = nil) throws {
        guard FileManager.default.fileExists(atPath: Self.library) else {
            throw MissingJudge(description: "SoftHSM2 is not installed (Debian's softhsm2; .ci/run installs it)")
        }
        sandbox = try given ?? Sandbox()
        let tokens = sandbox.path("tokens")
        try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: true)
        configuration = try sandbox.write("directories.tokendir = \(tokens)\nobjectstore.backend = file\nlog.level = ERROR\n", to: "softhsm2.conf")
        sandbox.extraEnvironment["SOFTHSM2_CONF"] = configuration
        let initialised = try runProgram(
            "/usr/bin/env", ["softhsm2-util", "--init-token", "--free", "--label", Self.label, "--pin", Self.userPIN, "--so-pin", "5678"],
            environment: ["SOFTHSM2_CONF": configuration, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"])
        guard initialised.succeeded else { throw MissingJudge(description: "softhsm2-util --init-token failed: \(initialised.standardError)") }
        let settings: [String: Any] = [
            "CA_KEY_BACKENDS": [
                "default": ["BACKEND": "file"],
                "hsm": ["BACKEND": "django_ca.key_backends.hsm.HSMBackend", "OPTIONS": [
                    "library_path": Self.library, "token": Self.label, "user_pin": Self.userPIN,
                ]],
                "missing-library": ["BACKEND": "hsm", "OPTIONS": ["library_path": "/usr/lib/no-such-pkcs11.so", "token": Self.label]],
                "missing-token": ["BACKEND": "hsm", "OPTIONS": ["library_path": Self.library, "token": "no-such-token", "user_pin": "1"]],
            ],
            "CA_OCSP_KEY_BACKENDS": [
                "default": ["BACKEND": "django_ca.key_backends.storages.StoragesOCSPBackend"],
                "hsm": ["BACKEND": "django_ca.key_backends.hsm.HSMOCSPBackend", "OPTIONS": [
                    "library_path": Self.library, "token": Self.label, "user_pin": Self.userPIN,
                ]],
            ],
        ]
        sandbox.extraEnvironment["SWIFT_CA_SETTINGS"] = try sandbox.write(
            String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self), to: "settings.json")
    }

    /// `pkcs11-tool --list-objects` as the user: every object with its label and access flags. Once, in CI under
    /// load, pkcs11-tool did not find the token while a `serve` used it beside it; a miss is asked again.
    func objects() throws -> String {
        var result: CommandResult?
        for attempt in 0..<5 {
            if attempt > 0 { usleep(200_000) }
            result = try runProgram(
                "/usr/bin/env",
                ["pkcs11-tool", "--module", Self.library, "--token-label", Self.label, "--login", "--pin", Self.userPIN, "--list-objects"],
                environment: ["SOFTHSM2_CONF": configuration, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"])
            if result?.succeeded == true { break }
        }
        #expect(result?.succeeded == true, "pkcs11-tool: \(result?.standardError ?? "")")
        return result?.standardOutput ?? ""
    }

    func privateKeyCount() throws -> Int {
        try objects().components(separatedBy: "Private Key Object").count - 1
    }

    /// Takes the token away from SoftHSM (its directory moves), as an unplugged HSM, and `bringBack` returns it.
    func takeAway() throws {
        try FileManager.default.moveItem(atPath: sandbox.path("tokens"), toPath: sandbox.path("tokens-away"))
    }

    func bringBack() throws {
        try FileManager.default.moveItem(atPath: sandbox.path("tokens-away"), toPath: sandbox.path("tokens"))
    }
}

@Suite(.serialized) struct HSMTests {
    /// A root CA made with `options`: its PEM file, its serial (hex, no colons) and the PEM file of a leaf it signed.
    static func rootWithLeaf(_ sandbox: Sandbox, _ name: String, _ options: [String]) throws -> (pem: String, serial: String, leaf: String) {
        try sandbox.expectSuccess(["init-ca", name, "CN=\(name)"] + options)
        let pem = try sandbox.write(try sandbox.expectSuccess("view-ca", name, "--output-format", "pem"), to: "root.pem")
        let serial = try sandbox.expectSuccess("view-ca", name, "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        let leaf = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", name, "--csr", try sandbox.makeCSR("leaf"), "--subject", "CN=leaf.example.com"),
            to: "leaf.pem")
        return (pem, serial, leaf)
    }

    /// Keys made in the token sign a whole hierarchy: a root and an RSA intermediate in the token, a file-key CA
    /// below them and a file-key root above a token intermediate; openssl verifies every chain and the CRL,
    /// pkilint finds nothing, pkcs11-tool shows the keys sensitive and never extractable, and CA_DIR holds no key
    /// of a token CA.
    @Test func tokenKeysSignHierarchiesCertificatesAndCRLs() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        try sandbox.expectSuccess(
            "init-ca", "HSM Root", "CN=HSM Root,O=Example", "--key-type", "EC", "--key-backend", "hsm", "--hsm-key-label", "root-key",
            "--path-length", "2", "--default-hostname", "ca.example.com")
        try sandbox.expectSuccess(
            "init-ca", "HSM RSA Sub", "CN=HSM RSA Sub,O=Example", "--parent", "HSM Root", "--key-type", "RSA", "--key-size", "2048",
            "--key-backend", "hsm", "--hsm-key-label", "sub-key", "--path-length", "1")
        try sandbox.expectSuccess("init-ca", "File Below", "CN=File Below,O=Example", "--parent", "HSM RSA Sub", "--key-type", "EC")
        try sandbox.expectSuccess("init-ca", "File Root", "CN=File Root,O=Example", "--key-type", "EC", "--path-length", "1")
        try sandbox.expectSuccess(
            "init-ca", "HSM Ed Below File", "CN=HSM Ed Below File,O=Example", "--parent", "File Root", "--key-type", "Ed25519",
            "--key-backend", "hsm", "--hsm-key-label", "ed-key")

        let objects = try token.objects()
        for label in ["root-key", "sub-key", "ed-key"] {
            let privateObject = objects.components(separatedBy: "Private Key Object").dropFirst().first { $0.contains("label:      \(label)") }
            #expect(privateObject?.contains("sensitive") == true && privateObject?.contains("never extractable") == true, "\(label): \(objects)")
        }
        #expect(try sandbox.expectSuccess("view-ca", "HSM Root").contains("Key storage: HSM hsm: token \"ca-token\", key label \"root-key\""))

        func pem(_ ca: String) throws -> String {
            try sandbox.write(try sandbox.expectSuccess("view-ca", ca, "--output-format", "pem"), to: ca.replacingOccurrences(of: " ", with: "-") + ".pem")
        }
        let root = try pem("HSM Root")
        let sub = try pem("HSM RSA Sub")
        let csr = try sandbox.makeCSR("leaf")
        let leaf = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "HSM RSA Sub", "--csr", csr, "--subject", "CN=leaf.example.com"), to: "leaf.pem")
        for (file, untrusted) in [(leaf, sub), (try pem("File Below"), sub)] {
            let verified = try sandbox.openssl("verify", "-CAfile", root, "-untrusted", untrusted, file)
            #expect(verified.succeeded, "\(verified.standardOutput) \(verified.standardError)")
        }
        let edBelowFile = try pem("HSM Ed Below File")
        let edLeaf = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "HSM Ed Below File", "--csr", csr, "--subject", "CN=ed.example.com"), to: "ed-leaf.pem")
        let edVerified = try sandbox.openssl("verify", "-CAfile", try pem("File Root"), "-untrusted", edBelowFile, edLeaf)
        #expect(edVerified.succeeded, "\(edVerified.standardOutput) \(edVerified.standardError)")
        try sandbox.expectPKILintClean(leaf, serverAuthType: "DV-FINAL-CERTIFICATE")
        try sandbox.expectPKILintClean(sub)

        try sandbox.expectSuccess("dump-crl", sandbox.path("sub.crl"), "--ca", "HSM RSA Sub")
        let crl = try sandbox.openssl("crl", "-in", sandbox.path("sub.crl"), "-CAfile", sub, "-noout")
        #expect(crl.standardError.contains("verify OK") || crl.standardOutput.contains("verify OK"), "\(crl.standardOutput) \(crl.standardError)")

        // Only the two file-key CAs have key files; nothing of a token key is under CA_DIR.
        let keys = try FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys")
        let fileCASerials = try ["File Below", "File Root"].map {
            try sandbox.expectSuccess("view-ca", $0, "--output-format", "serial").trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: ":", with: "")
        }
        #expect(Set(keys) == Set(fileCASerials.map { $0 + ".key" }), "\(keys)")
    }

    /// import-ca --key-backend moves existing keys (P-384, RSA-2048, Ed25519) into the token: the private objects are
    /// sensitive and not extractable, nothing is written under CA_DIR, and each signs certificates openssl accepts.
    @Test func importCAMovesExistingKeysIntoTheToken() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        let csr = try sandbox.makeCSR("leaf")
        for (kind, keyOptions) in [("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]), ("rsa", ["-newkey", "rsa:2048"]),
                                   ("ed", ["-newkey", "ed25519"])] {
            let made = try runProgram("/usr/bin/env", ["openssl", "req", "-x509"] + keyOptions + [
                "-nodes", "-keyout", sandbox.path("\(kind).key"), "-out", sandbox.path("\(kind).pem"), "-subj", "/CN=Imported \(kind)",
                "-days", "60", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
            #expect(made.succeeded, "\(made.standardError)")
            try sandbox.expectSuccess(
                "import-ca", "Imported \(kind)", sandbox.path("\(kind).key"), sandbox.path("\(kind).pem"), "--key-backend", "hsm",
                "--hsm-key-label", "imported-\(kind)")
            let leaf = try sandbox.write(
                try sandbox.expectSuccess("sign-cert", "--ca", "Imported \(kind)", "--csr", csr, "--subject", "CN=\(kind).example.com", "--expires", "10"),
                to: "\(kind)-leaf.pem")
            let verified = try sandbox.openssl("verify", "-CAfile", sandbox.path("\(kind).pem"), leaf)
            #expect(verified.succeeded, "\(kind): \(verified.standardOutput) \(verified.standardError)")
        }
        let objects = try token.objects().components(separatedBy: "Private Key Object").dropFirst()
        for kind in ["ec", "rsa", "ed"] {
            let object = objects.first { $0.contains("label:      imported-\(kind)") }
            #expect(object?.contains("Access:     sensitive") == true && object?.contains(" extractable") == false, "\(kind): \(object ?? "missing")")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys")) ?? []).isEmpty)
    }

    /// certbot, unchanged, gets a certificate from an ACME-enabled intermediate whose key is in the token.
    @Test(.timeLimit(.minutes(10))) func certbotGetsACertificateFromATokenCA() throws {
        var token: SoftHSMToken?
        let installation = try ACMEInstallation(
            intermediateOptions: ["--key-backend", "hsm", "--hsm-key-label", "acme-intermediate"],
            prepare: { token = try SoftHSMToken(sandbox: $0) })
        #expect(try token?.objects().contains("acme-intermediate") == true)
        let certbot = ACMECertbotTests.Certbot(installation: installation)
        let obtained = try certbot.run([
            "certonly", "--standalone", "--agree-tos", "-m", "admin@example.test", "--http-01-address", "127.0.0.1",
            "--http-01-port", String(installation.http01Port), "-d", "web.example.test",
        ])
        #expect(obtained.status == 0, "\(obtained.standardOutput) \(obtained.standardError)")
        let verified = try installation.verify(
            certificate: certbot.live("web.example.test", "cert.pem"), chain: certbot.live("web.example.test", "chain.pem"))
        #expect(verified.standardOutput.contains(": OK"), "\(verified.standardOutput) \(verified.standardError)")
        try installation.sandbox.expectPKILintClean(certbot.live("web.example.test", "cert.pem"))
    }

    /// The health endpoint names each token the server cannot reach (503), and says ok once every configured token
    /// answers.
    @Test func healthEndpointNamesUnreachableTokens() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        let degraded = try RunningServer(sandbox)
        let unhealthy = try HTTPExchange.run(sandbox, ["\(degraded.baseURL)/healthz"], saveAs: "health-degraded")
        degraded.stop()
        let text = (try? String(contentsOfFile: unhealthy.bodyFile, encoding: .utf8)) ?? ""
        #expect(unhealthy.status == 503, "\(text)")
        #expect(text.contains("key backend \"missing-token\"") && text.contains("no token labelled \"no-such-token\""), "\(text)")
        #expect(text.contains("key backend \"missing-library\"") && text.contains("/usr/lib/no-such-pkcs11.so"), "\(text)")
        #expect(!text.contains("key backend \"hsm\""), "the reachable token is not reported: \(text)")

        let settings: [String: Any] = ["CA_KEY_BACKENDS": ["hsm": ["BACKEND": "hsm", "OPTIONS": [
            "library_path": SoftHSMToken.library, "token": SoftHSMToken.label, "user_pin": SoftHSMToken.userPIN,
        ]]]]
        sandbox.extraEnvironment["SWIFT_CA_SETTINGS"] = try sandbox.write(
            String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self), to: "healthy.json")
        let healthy = try RunningServer(sandbox)
        defer { healthy.stop() }
        #expect(try HTTPExchange.run(sandbox, ["\(healthy.baseURL)/healthz"], saveAs: "health-ok").status == 200)
    }

    /// A wrong PIN, an unknown token, a missing library and a taken label: one line each, no CA stored and no key
    /// object left in the token.
    @Test func badInputStoresNothingAndLeavesNoKeyBehind() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        try sandbox.expectSuccess("init-ca", "First", "CN=First", "--key-type", "EC", "--key-backend", "hsm", "--hsm-key-label", "taken")
        #expect(try token.privateKeyCount() == 1)
        let base = ["init-ca", "Second", "CN=Second", "--key-type", "EC"]
        try sandbox.expectFailure(base + ["--key-backend", "hsm", "--hsm-key-label", "other", "--hsm-user-pin", "9999"], mentioning: "refused the PIN")
        try sandbox.expectFailure(base + ["--key-backend", "missing-token"], mentioning: "no token labelled \"no-such-token\"")
        try sandbox.expectFailure(base + ["--key-backend", "missing-library"], mentioning: "/usr/lib/no-such-pkcs11.so does not exist")
        try sandbox.expectFailure(base + ["--key-backend", "hsm", "--hsm-key-label", "taken"], mentioning: "already holds a key labelled \"taken\"")
        try sandbox.expectFailure(base + ["--key-backend", "unknown"], mentioning: "no key backend \"unknown\"")
        #expect(try sandbox.expectSuccess("list-cas").split(separator: "\n").count == 1)
        #expect(try token.privateKeyCount() == 1)

        // A key label the token no longer holds (deleted behind swift-ca's back): signing says so and stores nothing.
        let deleted = try runProgram(
            "/usr/bin/env",
            ["pkcs11-tool", "--module", SoftHSMToken.library, "--token-label", SoftHSMToken.label, "--login", "--pin", SoftHSMToken.userPIN,
             "--delete-object", "--type", "privkey", "--label", "taken"],
            environment: ["SOFTHSM2_CONF": token.configuration, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"])
        #expect(deleted.succeeded, "\(deleted.standardError)")
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "First", "--csr", try sandbox.makeCSR("leaf"), "--subject", "CN=gone.example.com"],
            mentioning: "holds no key labelled \"taken\"")
        #expect(try sandbox.expectSuccess("list-certs").isEmpty)
    }

    /// A CA with `--ocsp-key-backend hsm` gets its OCSP responder keys made in the token: pkcs11-tool shows them
    /// sensitive and never extractable, no responder key file is written, and openssl accepts the responses the
    /// server signs with them. Switching back to files makes the next generate-ocsp-keys write a key file.
    @Test func ocspResponderKeysInTheTokenSignResponsesOpenSSLAccepts() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        let (root, serial, leaf) = try Self.rootWithLeaf(sandbox, "Responder Root", ["--key-type", "EC", "--ocsp-key-backend", "hsm"])
        #expect(try sandbox.expectSuccess("view-ca", "Responder Root").contains("OCSP responder keys: hsm: token \"ca-token\""))
        try sandbox.expectSuccess("generate-ocsp-keys")
        let responderObject = try token.objects().components(separatedBy: "Private Key Object").dropFirst().first { $0.contains("label:      ocsp-") }
        #expect(responderObject?.contains("sensitive") == true && responderObject?.contains("never extractable") == true, "\(responderObject ?? "missing")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys") == [serial + ".key"])

        let server = try RunningServer(sandbox)
        let answer = try sandbox.ocspQuery(
            issuer: root, certificate: leaf, url: "\(server.baseURL)/ca/ocsp/\(serial)/cert/", trust: root, extra: ["-no_nonce"],
            saveResponse: "response.der")
        server.stop()
        #expect(answer.standardOutput.contains("leaf.pem: good") && answer.standardError.contains("Response verify OK"),
                "\(answer.standardOutput) \(answer.standardError)")
        try sandbox.expectOCSPResponseLintClean("response.der")

        try sandbox.expectFailure(["edit-ca", "Responder Root", "--ocsp-key-backend", "nope"], mentioning: "no OCSP key backend \"nope\"")
        try sandbox.expectSuccess("edit-ca", "Responder Root", "--ocsp-key-backend", "default")
        try sandbox.expectSuccess("generate-ocsp-keys")
        let keys = try FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys")
        #expect(keys.count == 2 && keys.contains { $0.hasPrefix("ocsp-") }, "\(keys)")
    }

    /// While the token is away, `serve` answers signing requests with a 503 that names it, the health endpoint says
    /// which token is unreachable, and OCSP keeps answering from its responder key file. Once the token is back,
    /// the server finds it and logs in again by itself.
    @Test(.timeLimit(.minutes(10))) func serverCarriesOnWhileTheTokenIsAwayAndLogsInAgainWhenItComesBack() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        let (root, serial, leaf) = try Self.rootWithLeaf(
            sandbox, "Away Root", ["--key-type", "EC", "--key-backend", "hsm", "--hsm-key-label", "away", "--api-enable"])
        try sandbox.expectSuccess("generate-ocsp-keys")
        try sandbox.expectSuccess("create-user", "operator", "--password", "correct horse battery", "--role", "operator")
        let apiToken = try sandbox.expectSuccess("create-token", "operator").trimmingCharacters(in: .whitespacesAndNewlines)
        let body = try sandbox.write(
            String(decoding: try JSONSerialization.data(withJSONObject: [
                "csr": try String(contentsOfFile: try sandbox.makeCSR("api"), encoding: .utf8), "subject": "CN=api.example.com",
            ]), as: UTF8.self), to: "sign.json")
        let server = try RunningServer(sandbox)
        defer { server.stop() }
        var attempt = 0
        func sign() throws -> (status: Int, text: String) {
            attempt += 1
            let exchange = try HTTPExchange.run(
                sandbox, ["-X", "POST", "-H", "Authorization: Bearer \(apiToken)", "-H", "Content-Type: application/json",
                          "--data-binary", "@" + body, "\(server.baseURL)/api/ca/\(serial)/sign/"], saveAs: "sign-\(attempt).json")
            return (exchange.status, String(decoding: exchange.body, as: UTF8.self))
        }
        func health() throws -> (status: Int, text: String) {
            attempt += 1
            let exchange = try HTTPExchange.run(sandbox, ["\(server.baseURL)/healthz"], saveAs: "health-\(attempt)")
            return (exchange.status, String(decoding: exchange.body, as: UTF8.self))
        }
        #expect(try sign().status == 201)
        // The token is logged in now, so it would not check another PIN itself; swift-ca compares it and refuses.
        let wrongPIN = try HTTPExchange.run(
            sandbox, ["-X", "POST", "-H", "Authorization: Bearer \(apiToken)", "-H", "Content-Type: application/json",
                      "--data-binary", "@" + (try sandbox.write(
                          String(decoding: try JSONSerialization.data(withJSONObject: [
                              "csr": try String(contentsOfFile: try sandbox.makeCSR("pin"), encoding: .utf8), "subject": "CN=pin.example.com",
                              "key_backend_options": ["password": "0000"],
                          ]), as: UTF8.self), to: "wrong-pin.json")),
                      "\(server.baseURL)/api/ca/\(serial)/sign/"], saveAs: "wrong-pin-answer.json")
        let wrongPINText = String(decoding: wrongPIN.body, as: UTF8.self)
        #expect(wrongPIN.status != 201 && wrongPINText.contains("refused the PIN"), "\(wrongPIN.status) \(wrongPINText)")

        try token.takeAway()
        let refused = try sign()
        #expect(refused.status == 503 && refused.text.contains("ca-token"), "\(refused)")
        let unhealthy = try health()
        #expect(unhealthy.status == 503 && unhealthy.text.contains("key backend \"hsm\" (token \"ca-token\")"), "\(unhealthy)")
        let answer = try sandbox.ocspQuery(
            issuer: root, certificate: leaf, url: "\(server.baseURL)/ca/ocsp/\(serial)/cert/", trust: root, extra: ["-no_nonce"])
        #expect(answer.standardOutput.contains("leaf.pem: good") && answer.standardError.contains("Response verify OK"),
                "\(answer.standardOutput) \(answer.standardError)")

        try token.bringBack()
        #expect(try eventually(within: 20) { try sign().status == 201 }, "the server did not find the token again")
        // The sandbox also configures a token and a library that do not exist, which the health endpoint keeps naming.
        let recovered = try health()
        #expect(!recovered.text.contains("key backend \"hsm\""), "\(recovered)")
        let listed = try sandbox.expectSuccess("list-certs")
        #expect(listed.contains("api.example.com") && !listed.contains("pin.example.com"), "\(listed)")
    }

    /// `--hsm-user-pin` and `--hsm-so-pin` replace the PINs of CA_KEY_BACKENDS on the commands that use a CA key: a
    /// wrong user PIN is refused, and a security officer's PIN, which SoftHSM does not let sign, gets one clear line;
    /// neither stores anything.
    @Test func pinOptionsOfSigningCommands() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        try sandbox.expectSuccess("init-ca", "Pinned", "CN=Pinned", "--key-type", "EC", "--key-backend", "hsm", "--hsm-key-label", "pinned")
        let csr = try sandbox.makeCSR("leaf")
        try sandbox.expectSuccess("sign-cert", "--ca", "Pinned", "--csr", csr, "--subject", "CN=ok.example.com", "--hsm-user-pin", SoftHSMToken.userPIN)
        // The same PIN from a file (with the line break an editor adds); a wrong one there is refused the same way.
        let pinFile = try sandbox.write(SoftHSMToken.userPIN + "\n", to: "user.pin")
        try sandbox.expectSuccess(
            "sign-cert", "--ca", "Pinned", "--csr", csr, "--subject", "CN=file.example.com", "--hsm-user-pin-file", pinFile)
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "Pinned", "--csr", csr, "--subject", "CN=wrong.example.com", "--hsm-user-pin-file",
             try sandbox.write("0000\n", to: "wrong.pin")], mentioning: "refused the PIN")
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "Pinned", "--csr", csr, "--subject", "CN=wrong.example.com", "--hsm-user-pin", "1",
             "--hsm-user-pin-file", pinFile], mentioning: "not both")
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "Pinned", "--csr", csr, "--subject", "CN=wrong.example.com", "--hsm-user-pin", "0000"], mentioning: "refused the PIN")
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "Pinned", "--csr", csr, "--subject", "CN=so.example.com", "--hsm-user-pin", "", "--hsm-so-pin", "5678"],
            mentioning: "security officer")
        try sandbox.expectFailure(
            ["init-ca", "Officer", "CN=Officer", "--key-type", "EC", "--key-backend", "hsm", "--hsm-key-label", "officer", "--hsm-so-pin", "5678",
             "--hsm-user-pin", ""], mentioning: "security officer")
        try sandbox.expectFailure(["dump-crl", sandbox.path("x.crl"), "--ca", "Pinned", "--hsm-user-pin", "0000"], mentioning: "refused the PIN")
        let listed = try sandbox.expectSuccess("list-certs")
        #expect(listed.contains("ok.example.com") && listed.contains("file.example.com") && !listed.contains("wrong.example.com")
                    && !listed.contains("so.example.com"), "\(listed)")
        #expect(try sandbox.expectSuccess("list-cas").split(separator: "\n").count == 1)
        #expect(try token.privateKeyCount() == 1)
    }

    /// An OpenSSH CA whose key is in the token: sshd accepts the user certificate it signs (with its key served at
    /// /ca/ssh/…/ca.pub), ssh accepts its host certificate, and no key of it is written under CA_DIR.
    @Test(.timeLimit(.minutes(10))) func openSSHCAKeyInTheTokenSignsWhatSshdAccepts() throws {
        let token = try SoftHSMToken()
        let sandbox = token.sandbox
        try sandbox.expectSuccess("init-ca", "Token SSH", "--openssh-ca", "--key-type", "EC", "--key-backend", "hsm", "--hsm-key-label", "ssh-ca")
        #expect(try token.objects().contains("ssh-ca"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: sandbox.caDirectory + "/keys")) ?? []).isEmpty)
        let hostKey = try SSHCertificateTests.makeKey(sandbox, "host")
        let (hostCertificate, _) = try SSHCertificateTests.certify(sandbox, hostKey, ca: "Token SSH", ["--type", "host", "--principal", "server.test"])
        let user = try SSHCertificateTests.makeKey(sandbox, "user")
        try SSHCertificateTests.certify(sandbox, user, ca: "Token SSH", ["--type", "user", "--principal", SSHCertificateTests.user])
        let server = try RunningServer(sandbox)
        defer { server.stop() }
        let caKey = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/ssh/Token%20SSH/ca.pub"], saveAs: "ca.pub")
        let krl = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/ssh/Token%20SSH/krl"], saveAs: "revoked.krl")
        #expect(caKey.status == 200 && krl.status == 200)
        let knownHosts = try sandbox.write(
            "@cert-authority server.test " + String(decoding: caKey.body, as: UTF8.self), to: "known_hosts")
        let daemon = try SSHDaemon(sandbox, userCA: caKey.bodyFile, revokedKeys: krl.bodyFile, hostKey: hostKey, hostCertificate: hostCertificate)
        defer { daemon.stop() }
        let login = try daemon.login(user, knownHosts: knownHosts)
        #expect(login.succeeded && login.standardOutput.contains("logged-in"), "\(login.standardError) \(daemon.log)")
    }
}
