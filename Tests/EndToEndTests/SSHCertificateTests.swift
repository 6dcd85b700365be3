import Foundation
import TestSupport
import Testing

/// sshd from Debian's openssh-server on a loopback port, run as the user running the tests: it trusts a user CA
/// fetched from `serve`, reads a KRL as RevokedKeys, and presents a host certificate.
final class SSHDaemon {
    static let binary = "/usr/sbin/sshd"
    let port: Int
    let sandbox: Sandbox

    init(_ sandbox: Sandbox, userCA: String, revokedKeys: String, hostKey: String, hostCertificate: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw MissingJudge(description: "sshd is not installed (Debian's openssh-server; .ci/run installs it)")
        }
        self.sandbox = sandbox
        port = try Self.freePort()
        // As root, sshd separates privileges into /run/sshd; as another user it runs without.
        if getuid() == 0 { try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        let configuration = try sandbox.write(
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            HostCertificate \(hostCertificate)
            AuthorizedKeysFile none
            TrustedUserCAKeys \(userCA)
            RevokedKeys \(revokedKeys)
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            LogLevel VERBOSE
            PidFile \(sandbox.path("sshd.pid"))

            """, to: "sshd_config")
        // sshd daemonizes and is stopped by its pid file: run in the foreground it closes every inherited
        // descriptor, Foundation's included, and Foundation then waits for it in a blocking wait4 that stops it
        // noticing any other child exit.
        let started = try runProgram(Self.binary, ["-f", configuration, "-E", sandbox.path("sshd.log")])
        guard started.succeeded else { throw ServerStartFailure(message: "sshd did not start: \(started.standardError)") }
        let listening = (0..<100).contains { _ in
            usleep(100_000)
            return log.contains("Server listening")
        }
        guard listening else { throw ServerStartFailure(message: "sshd did not start: \(self.log)") }
    }

    /// `ssh` as a user runs it: the key with its `-cert.pub` beside it, the host checked strictly against
    /// `knownHosts` under the name server.test; it runs `echo logged-in` when let in.
    func login(_ key: String, knownHosts: String) throws -> CommandResult {
        try runProgram("/usr/bin/env", [
            "ssh", "-F", "/dev/null", "-p", String(port), "-i", key, "-o", "CertificateFile=\(key)-cert.pub", "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)", "-o", "HostKeyAlias=server.test",
            "-o", "ConnectTimeout=10", "\(SSHCertificateTests.user)@127.0.0.1", "echo", "logged-in",
        ])
    }

    var log: String { (try? String(contentsOfFile: sandbox.path("sshd.log"), encoding: .utf8)) ?? "" }

    func stop() {
        guard let text = try? String(contentsOfFile: sandbox.path("sshd.pid"), encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        kill(pid, SIGTERM)
    }

    /// A port nobody listens on now: bound to port 0 and closed again.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ServerStartFailure(message: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

@Suite(.serialized) struct SSHCertificateTests {
    static let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

    static func sshKeygen(_ arguments: [String]) throws -> CommandResult {
        try runProgram("/usr/bin/env", ["ssh-keygen"] + arguments)
    }

    /// A new key pair `name` and `name.pub` in the sandbox.
    static func makeKey(_ sandbox: Sandbox, _ name: String, type: [String] = ["-t", "ed25519"]) throws -> String {
        let made = try sshKeygen(["-q"] + type + ["-N", "", "-C", name, "-f", sandbox.path(name)])
        #expect(made.succeeded, "ssh-keygen \(name): \(made.standardError)")
        return sandbox.path(name)
    }

    /// Signs `key.pub` and writes `key-cert.pub` beside it, as ssh looks for it.
    @discardableResult
    static func certify(_ sandbox: Sandbox, _ key: String, ca: String, _ options: [String]) throws -> (file: String, serial: String) {
        let text = try sandbox.expectSuccess(["sign-ssh-cert", "--ca", ca, "--public-key", key + ".pub"] + options)
        _ = FileManager.default.createFile(atPath: key + "-cert.pub", contents: Data(text.utf8))
        let listing = try sshKeygen(["-L", "-f", key + "-cert.pub"]).standardOutput
        let serial = listing.split(separator: "\n").first { $0.contains("Serial:") }.map { String($0.split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces) } ?? ""
        return (key + "-cert.pub", serial)
    }

    /// sshd accepts a user certificate for a listed principal and refuses an unlisted principal, an expired
    /// certificate and one from another CA; after revoke-ssh-cert it refuses the revoked certificate with the KRL
    /// fetched from serve, and still accepts another. ssh accepts sshd's host certificate through @cert-authority
    /// with StrictHostKeyChecking, and ssh-keygen -Q reports the revocation.
    @Test(.timeLimit(.minutes(10))) func sshdAndSshAcceptWhatTheCASignsAndTheKRLRevokes() throws {
        let sandbox = try Sandbox()
        for (name, options) in [("Users CA", [String]()), ("Hosts CA", ["--key-type", "EC"]), ("Other CA", [])] {
            try sandbox.expectSuccess(["init-ca", name, "--openssh-ca"] + options)
        }
        let hostKey = try Self.makeKey(sandbox, "host")
        let (hostCertificate, _) = try Self.certify(sandbox, hostKey, ca: "Hosts CA", ["--type", "host", "--principal", "server.test"])
        let alice = try Self.makeKey(sandbox, "alice")
        let (_, aliceSerial) = try Self.certify(sandbox, alice, ca: "Users CA", ["--type", "user", "--principal", Self.user, "--expires", "1"])
        let bob = try Self.makeKey(sandbox, "bob", type: ["-t", "ecdsa", "-b", "384"])
        try Self.certify(sandbox, bob, ca: "Users CA", ["--type", "user", "--principal", Self.user])
        let unlisted = try Self.makeKey(sandbox, "unlisted")
        try Self.certify(sandbox, unlisted, ca: "Users CA", ["--type", "user", "--principal", "somebody-else"])
        let expired = try Self.makeKey(sandbox, "expired")
        try Self.certify(sandbox, expired, ca: "Users CA", ["--type", "user", "--principal", Self.user, "--valid-after", "20200101", "--valid-before", "20200102"])
        let foreign = try Self.makeKey(sandbox, "foreign")
        try Self.certify(sandbox, foreign, ca: "Other CA", ["--type", "user", "--principal", Self.user])

        let server = try RunningServer(sandbox)
        defer { server.stop() }
        func fetch(_ path: String, to name: String) throws -> String {
            let exchange = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/ssh/\(path)"], saveAs: name)
            #expect(exchange.status == 200, "\(path): \(exchange.status)")
            return exchange.bodyFile
        }
        let userCA = try fetch("Users%20CA/ca.pub", to: "user_ca.pub")
        let krl = try fetch("Users%20CA/krl", to: "revoked.krl")
        let hostCA = String(decoding: FileManager.default.contents(atPath: try fetch("Hosts%20CA/ca.pub", to: "host_ca.pub")) ?? Data(), as: UTF8.self)
        let knownHosts = try sandbox.write("@cert-authority server.test " + hostCA, to: "known_hosts")
        #expect(try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/ssh/No%20Such%20CA/krl"], saveAs: "missing").status == 404)

        let daemon = try SSHDaemon(sandbox, userCA: userCA, revokedKeys: krl, hostKey: hostKey, hostCertificate: hostCertificate)
        defer { daemon.stop() }
        func login(_ key: String) throws -> CommandResult { try daemon.login(key, knownHosts: knownHosts) }
        let accepted = try login(alice)
        #expect(accepted.succeeded && accepted.standardOutput.contains("logged-in"), "\(accepted.standardError) \(daemon.log)")
        for refused in [unlisted, expired, foreign] {
            let result = try login(refused)
            #expect(!result.succeeded && !result.standardOutput.contains("logged-in"), "\(refused) was let in")
        }

        try sandbox.expectSuccess("revoke-ssh-cert", aliceSerial, "--ca", "Users CA", "--reason", "key_compromise")
        let fresh = try fetch("Users%20CA/krl", to: "fresh.krl")
        try FileManager.default.removeItem(atPath: krl)
        try FileManager.default.copyItem(atPath: fresh, toPath: krl)
        let revoked = try login(alice)
        #expect(!revoked.succeeded && !revoked.standardOutput.contains("logged-in"), "the revoked certificate was let in")
        let other = try login(bob)
        #expect(other.succeeded && other.standardOutput.contains("logged-in"), "\(other.standardError)")
        let query = try Self.sshKeygen(["-Q", "-f", krl, alice + "-cert.pub", bob + "-cert.pub"])
        #expect(query.standardOutput.contains("alice-cert.pub (\(Self.user)): REVOKED") && query.standardOutput.contains("bob-cert.pub (\(Self.user)): ok"),
                "\(query.standardOutput) \(query.standardError)")
    }

    /// ssh-keygen -L shows what was asked for, for every CA key type and every subject key type.
    @Test func sshKeygenListsWhatWasAskedForEveryKeyType() throws {
        let sandbox = try Sandbox()
        let authorities: [(String, [String], String)] = [
            ("Ed CA", [], "ED25519"), ("P256 CA", ["--key-type", "EC", "--elliptic-curve", "secp256r1"], "ECDSA"),
            ("P384 CA", ["--key-type", "EC", "--elliptic-curve", "secp384r1"], "ECDSA"),
            ("P521 CA", ["--key-type", "EC", "--elliptic-curve", "secp521r1"], "ECDSA"), ("RSA CA", ["--key-type", "RSA", "--key-size", "3072"], "RSA"),
        ]
        let subjects: [(String, [String], String)] = [
            ("ed", ["-t", "ed25519"], "ssh-ed25519-cert-v01@openssh.com"), ("p256", ["-t", "ecdsa", "-b", "256"], "ecdsa-sha2-nistp256-cert-v01@openssh.com"),
            ("p384", ["-t", "ecdsa", "-b", "384"], "ecdsa-sha2-nistp384-cert-v01@openssh.com"),
            ("p521", ["-t", "ecdsa", "-b", "521"], "ecdsa-sha2-nistp521-cert-v01@openssh.com"), ("rsa", ["-t", "rsa", "-b", "3072"], "ssh-rsa-cert-v01@openssh.com"),
        ]
        for (index, (ca, options, caType)) in authorities.enumerated() {
            try sandbox.expectSuccess(["init-ca", ca, "--openssh-ca"] + options)
            let (subject, keyOptions, certificateType) = subjects[index]
            let key = try Self.makeKey(sandbox, subject, type: keyOptions)
            let (file, serial) = try Self.certify(sandbox, key, ca: ca, [
                "--type", "user", "--principal", "alice", "--principal", "deploy", "--key-id", "alice@example.com", "--valid-after", "2026-01-01T00:00:00Z",
                "--valid-before", "20270101", "--critical-option", "force-command=/usr/bin/uptime", "--critical-option", "source-address=127.0.0.1,10.0.0.0/8",
                "--no-default-extensions", "--extension", "permit-pty",
            ])
            let listed = try Self.sshKeygen(["-L", "-f", file])
            let text = listed.standardOutput
            #expect(listed.succeeded, "\(ca): \(listed.standardError)")
            #expect(text.contains("Type: \(certificateType) user certificate") && text.contains("Signing CA: \(caType)"), "\(ca): \(text)")
            #expect(text.contains("Key ID: \"alice@example.com\"") && text.contains("Serial: \(serial)") && !serial.isEmpty, "\(ca): \(text)")
            #expect(text.contains("Valid: from 2026-01-01T00:00:00 to 2027-01-01T00:00:00"), "\(ca): \(text)")
            #expect(text.contains("alice\n") && text.contains("deploy\n"), "\(ca): \(text)")
            #expect(text.contains("force-command /usr/bin/uptime") && text.contains("source-address 127.0.0.1,10.0.0.0/8"), "\(ca): \(text)")
            #expect(text.contains("permit-pty") && !text.contains("permit-X11-forwarding"), "\(ca): \(text)")
            if caType == "RSA" { #expect(text.contains("(using rsa-sha2-512)"), "\(text)") }
            #expect(try sandbox.expectSuccess("view-ssh-cert", serial, "--ca", ca).contains("Key ID: alice@example.com"))
        }
        let host = try Self.makeKey(sandbox, "host")
        let (hostFile, _) = try Self.certify(sandbox, host, ca: "Ed CA", ["--type", "host", "--principal", "server.example.com", "--principal", "*.example.com"])
        let hostText = try Self.sshKeygen(["-L", "-f", hostFile]).standardOutput
        #expect(hostText.contains("host certificate") && hostText.contains("*.example.com") && hostText.contains("Extensions: (none)"), "\(hostText)")
        let view = try sandbox.expectSuccess("view-ca", "Ed CA")
        #expect(view.contains("Public key: ssh-ed25519 AAAA") && view.contains("Fingerprint: SHA256:"), "\(view)")
        let dumped = try sandbox.expectSuccess("dump-ca", "Ed CA")
        let fingerprint = try Self.sshKeygen(["-l", "-f", try sandbox.write(dumped, to: "ed_ca.pub")]).standardOutput
        #expect(view.contains(String(fingerprint.split(separator: " ")[1])), "\(fingerprint) \(view)")
    }

    /// Each bad request gets one line and stores nothing.
    @Test func badInputGetsOneLineAndStoresNothing() throws {
        let sandbox = try Sandbox()
        try sandbox.expectSuccess("init-ca", "SSH CA", "--openssh-ca")
        try sandbox.expectSuccess("init-ca", "X509 CA", "CN=X509 CA", "--key-type", "EC")
        let key = try Self.makeKey(sandbox, "good")
        let smallRSA = try Self.makeKey(sandbox, "small", type: ["-t", "rsa", "-b", "1024"])
        let malformed = try sandbox.write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBad", to: "malformed.pub")
        // A DSA public key blob: "ssh-dss" and four small mpints (p, q, g, y).
        var dss: [UInt8] = []
        for field in [Array("ssh-dss".utf8), [0x01], [0x01], [0x01], [0x01]] {
            dss += withUnsafeBytes(of: UInt32(field.count).bigEndian) { Array($0) } + field
        }
        let dsa = try sandbox.write("ssh-dss " + Data(dss).base64EncodedString() + " old", to: "dsa.pub")
        let base = ["sign-ssh-cert", "--ca", "SSH CA", "--type", "user"]
        try sandbox.expectFailure(base + ["--public-key", malformed, "--principal", "a"], mentioning: "the public key")
        try sandbox.expectFailure(base + ["--public-key", dsa, "--principal", "a"], mentioning: "DSA keys")
        try sandbox.expectFailure(base + ["--public-key", smallRSA + ".pub", "--principal", "a"], mentioning: "CA_MIN_KEY_SIZE")
        try sandbox.expectFailure(base + ["--public-key", key + ".pub", "--principal", "a,b"], mentioning: "comma or a control character")
        try sandbox.expectFailure(base + ["--public-key", key + ".pub", "--principal", "a\u{07}b"], mentioning: "comma or a control character")
        try sandbox.expectFailure(base + ["--public-key", key + ".pub", "--principal", "a", "--critical-option", "no-such=1"], mentioning: "unknown critical option")
        try sandbox.expectFailure(base + ["--public-key", key + ".pub", "--principal", "a", "--extension", "permit-everything"], mentioning: "unknown extension")
        try sandbox.expectFailure(
            ["sign-ssh-cert", "--ca", "SSH CA", "--type", "host", "--public-key", key + ".pub", "--principal", "not a host!"], mentioning: "not a host name")
        try sandbox.expectFailure(
            base + ["--public-key", key + ".pub", "--principal", "a", "--valid-after", "20270101", "--valid-before", "20260101"], mentioning: "before it starts")
        try sandbox.expectFailure(base + ["--public-key", key + ".pub"], mentioning: "at least one --principal")
        try sandbox.expectFailure(
            ["sign-ssh-cert", "--ca", "X509 CA", "--type", "user", "--public-key", key + ".pub", "--principal", "a"], mentioning: "is an X.509 CA")
        try sandbox.expectFailure(
            ["sign-cert", "--ca", "SSH CA", "--csr", try sandbox.makeCSR("leaf"), "--subject", "CN=x.example.com"], mentioning: "is an OpenSSH CA")
        try sandbox.expectFailure(["init-ca", "Child", "--openssh-ca", "--parent", "X509 CA"], mentioning: "has no parent")
        try sandbox.expectFailure(["init-ca", "Weak", "--openssh-ca", "--key-type", "RSA", "--key-size", "2048"], mentioning: "at least 3072 bits")
        try sandbox.expectFailure(["init-ca", "SSH CA", "--openssh-ca"], mentioning: "already exists")
        #expect(try sandbox.expectSuccess("list-ssh-certs").isEmpty)
        #expect(try sandbox.expectSuccess("list-cas").split(separator: "\n").count == 2)
    }

    /// The REST API signs, lists, shows and revokes OpenSSH certificates of a CA with --api-enable, and not of one
    /// without; ssh-keygen reads what it answers, and the KRL lists what it revoked.
    @Test(.timeLimit(.minutes(10))) func restAPISignsListsShowsAndRevokes() throws {
        let sandbox = try Sandbox()
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        try sandbox.expectSuccess("init-ca", "API SSH", "--openssh-ca", "--api-enable")
        try sandbox.expectSuccess("init-ca", "Hidden SSH", "--openssh-ca")
        var tokens: [String: String] = [:]
        for role in ["operator", "viewer"] {
            try sandbox.expectSuccess("create-user", role, "--password", "correct horse battery", "--role", role)
            tokens[role] = try sandbox.expectSuccess("create-token", role).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let key = try Self.makeKey(sandbox, "deploy")
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let server = try RunningServer(sandbox)
        defer { server.stop() }
        var count = 0
        func call(_ method: String, _ path: String, _ body: [String: Any]?, as role: String) throws -> (status: Int, object: Any?) {
            count += 1
            var arguments = ["-X", method, "-H", "Authorization: Bearer \(tokens[role] ?? "")"]
            if let body {
                let file = try sandbox.write(String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), to: "body-\(count).json")
                arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + file]
            }
            let exchange = try HTTPExchange.run(sandbox, arguments + [server.baseURL + path], saveAs: "answer-\(count).json")
            return (exchange.status, try? JSONSerialization.jsonObject(with: exchange.body))
        }
        let body: [String: Any] = [
            "public_key": publicKey, "type": "user", "principals": ["deploy"], "key_id": "deploy-bot", "expires": 2,
            "critical_options": ["force-command": "/usr/bin/uptime"], "default_extensions": false, "extensions": ["permit-pty"],
        ]
        #expect(try call("POST", "/api/ssh/API%20SSH/sign/", body, as: "viewer").status == 403)
        #expect(try call("POST", "/api/ssh/Hidden%20SSH/sign/", body, as: "operator").status == 404)
        var refused = body
        refused["extensions"] = ["permit-everything"]
        #expect(try call("POST", "/api/ssh/API%20SSH/sign/", refused, as: "operator").status == 400)

        let signed = try call("POST", "/api/ssh/API%20SSH/sign/", body, as: "operator")
        let certificate = signed.object as? [String: Any] ?? [:]
        #expect(signed.status == 201, "\(certificate)")
        let serial = certificate["serial"] as? String ?? ""
        _ = try sandbox.write((certificate["certificate"] as? String ?? "") + "\n", to: "deploy-cert.pub")
        let listed = try Self.sshKeygen(["-L", "-f", sandbox.path("deploy-cert.pub")]).standardOutput
        #expect(listed.contains("Key ID: \"deploy-bot\"") && listed.contains("Serial: \(serial)") && listed.contains("force-command /usr/bin/uptime"),
                "\(listed)")

        let list = try call("GET", "/api/ssh/API%20SSH/certs/", nil, as: "viewer")
        #expect(list.status == 200 && ((list.object as? [[String: Any]])?.map { $0["serial"] as? String } ?? []) == [serial], "\(list)")
        let shown = try call("GET", "/api/ssh/API%20SSH/certs/\(serial)/", nil, as: "viewer")
        #expect(shown.status == 200 && (shown.object as? [String: Any])?["key_id"] as? String == "deploy-bot")
        #expect(try call("GET", "/api/ssh/", nil, as: "viewer").object.map { ($0 as? [[String: Any]])?.count } == 1)

        #expect(try call("POST", "/api/ssh/API%20SSH/certs/\(serial)/revoke/", ["reason": "superseded"], as: "viewer").status == 403)
        let revoked = try call("POST", "/api/ssh/API%20SSH/certs/\(serial)/revoke/", ["reason": "superseded"], as: "operator")
        #expect(revoked.status == 200 && (revoked.object as? [String: Any])?["revoked"] as? Bool == true, "\(revoked)")
        #expect(try call("POST", "/api/ssh/API%20SSH/certs/\(serial)/revoke/", nil, as: "operator").status == 400)
        let krl = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/ssh/API%20SSH/krl"], saveAs: "api.krl")
        let query = try Self.sshKeygen(["-Q", "-f", krl.bodyFile, sandbox.path("deploy-cert.pub")])
        #expect(query.standardOutput.contains("REVOKED"), "\(query.standardOutput) \(query.standardError)")
    }

    /// In headless Chromium, an operator signs a pasted public key on the OpenSSH page and revokes the certificate;
    /// ssh-keygen reads the certificate the page shows, and the KRL lists it.
    @Test(.timeLimit(.minutes(10))) func webPagesSignAndRevokeInChromium() throws {
        let installation = try WebInstallation()
        let sandbox = installation.sandbox
        try sandbox.expectSuccess("init-ca", "Web SSH", "--openssh-ca")
        let key = try Self.makeKey(sandbox, "browser")
        let certificate = sandbox.path("browser-cert.pub")
        let flow = try runProgram(
            Binaries.pkilint("python"),
            [Judges.script("web_ssh_flow.py"), installation.server.baseURL, "operator", WebInstallation.password, key + ".pub", "Web SSH",
             "alice", WebBrowserTests.artifactDirectory, certificate])
        #expect(flow.succeeded, "web_ssh_flow.py: \(flow.standardOutput) \(flow.standardError)")
        let serial = flow.standardOutput.split(separator: "\n").first { $0.hasPrefix("serial=") }.map { String($0.dropFirst(7)) } ?? ""
        let listed = try Self.sshKeygen(["-L", "-f", certificate]).standardOutput
        #expect(!serial.isEmpty && listed.contains("Serial: \(serial)") && listed.contains("Key ID: \"browser-key\"")
                    && listed.contains("force-command /usr/bin/uptime"), "\(listed)")
        try sandbox.expectSuccess("dump-krl", "--ca", "Web SSH", sandbox.path("web.krl"))
        #expect(try Self.sshKeygen(["-Q", "-f", sandbox.path("web.krl"), certificate]).standardOutput.contains("REVOKED"))
        #expect(try sandbox.expectSuccess("audit-log", "--target", "Web SSH:\(serial)").contains("operator"))
    }
}
