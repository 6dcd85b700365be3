import Foundation
import Testing

/// `notify-expiring-certs` against a real SMTP server (aiosmtpd on loopback): what arrives, that runs are
/// idempotent, that the next threshold mails once more, TLS and logins, and that failures are retried.
@Suite(.timeLimit(.minutes(10))) struct NotificationTests {
    @Test func watchersGetOneMailPerThresholdAndRunsAreIdempotent() throws {
        let installation = try MailInstallation()
        let sandbox = installation.sandbox
        let serial = try installation.signWatched("soon.example.com", days: 5, watchers: ["ops@example.com", "Dev Team <dev@example.com>"])
        try installation.signWatched("later.example.com", days: 30, watchers: ["ops@example.com"])
        let revoked = try installation.signWatched("revoked.example.com", days: 2, watchers: ["ops@example.com"])
        try sandbox.expectSuccess("revoke-cert", revoked)
        let server = try TestSMTPServer(sandbox)
        installation.useServer(server)

        // 5 days left with thresholds 14, 7, 3, 1: 7 is the nearest that applies, 14 counts as passed.
        let first = try sandbox.expectSuccess("notify-expiring-certs")
        #expect(first.components(separatedBy: "sent: ").count - 1 == 2, "\(first)")
        let mails = try server.messages()
        #expect(mails.map(\.recipients).sorted { $0[0] < $1[0] } == [["dev@example.com"], ["ops@example.com"]])
        for mail in mails {
            #expect(mail.mailFrom == "ca@example.com")
            #expect(mail.from == "swift-ca <ca@example.com>")
            #expect(mail.to == mail.recipients[0])
            #expect(mail.subject == "Certificate soon.example.com expires in 5 days")
            #expect(mail.body.contains("Serial:      \(serial)"), "\(mail.body)")
            #expect(mail.body.contains("CA:          Root"))
            #expect(mail.body.contains("Days left:   5"))
            #expect(mail.body.contains("swift-ca resign-cert \(serial)"))
            #expect(mail.transferEncoding == "7bit")
            #expect(!mail.tls && mail.auth == nil)
        }

        // Running again sends nothing: what was sent is in the database.
        #expect(try sandbox.expectSuccess("notify_expiring_certs").isEmpty)
        #expect(try server.messages().count == 2)

        // A threshold of 5 now applies and was not mailed: one more mail per watcher, once.
        try sandbox.expectSuccess("notify-expiring-certs", "--days", "14", "7", "5", "1")
        #expect(try server.messages().count == 4)
        try sandbox.expectSuccess("notify-expiring-certs", "--days", "14", "7", "5", "1")
        #expect(try server.messages().count == 4)

        // A dry run lists what is due (the 30-day certificate under a 30-day threshold) and records nothing.
        let planned = try sandbox.expectSuccess("notify-expiring-certs", "--days", "30", "--dry-run")
        #expect(planned.hasPrefix("due: later.example.com") && planned.components(separatedBy: "\n").count == 2, "\(planned)")
        #expect(try server.messages().count == 4)
        try sandbox.expectSuccess("notify-expiring-certs", "--days", "30")
        let last = try #require(try server.messages().last)
        #expect(try server.messages().count == 5)
        #expect(last.subject == "Certificate later.example.com expires in 30 days" && last.recipients == ["ops@example.com"])
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func startTLSWithLogin(mechanism: String) throws {
        let installation = try MailInstallation()
        let sandbox = installation.sandbox
        try installation.signWatched("tls.example.com", days: 3, watchers: ["ops@example.com"])
        let server = try TestSMTPServer(
            sandbox, arguments: installation.tlsArguments + ["--starttls", "--auth", "ca-user:pa55-word", "--only-mechanism", mechanism])
        let secure = ["CA_EMAIL_USE_TLS": "true", "CA_EMAIL_USER": "ca-user", "CA_EMAIL_TLS_CA_FILE": installation.rootFile]

        // A wrong password fails the run, is never printed, and records nothing.
        installation.useServer(server, host: "localhost", secure.merging(["CA_EMAIL_PASSWORD": "wrong-pa55"]) { _, new in new })
        let refused = try sandbox.swiftCA("notify-expiring-certs")
        #expect(!refused.succeeded && refused.standardError.contains("refused the login of ca-user"), "\(refused.standardError)")
        #expect(!refused.standardError.contains("wrong-pa55"))
        #expect(try sandbox.expectSuccess("settings").contains("CA_EMAIL_PASSWORD = (set)"))
        #expect(!(try sandbox.expectSuccess("settings")).contains("wrong-pa55"))

        installation.useServer(server, host: "localhost", secure.merging(["CA_EMAIL_PASSWORD": "pa55-word"]) { _, new in new })
        try sandbox.expectSuccess("notify-expiring-certs")
        let mails = try server.messages()
        #expect(mails.count == 1)
        #expect(mails.first?.tls == true)
        #expect(mails.first?.auth == ["ca-user", mechanism])
        #expect(mails.first?.subject == "Certificate tls.example.com expires in 3 days")
    }

    @Test func implicitTLSAndCertificateVerification() throws {
        let installation = try MailInstallation()
        let sandbox = installation.sandbox
        try installation.signWatched("smtps.example.com", days: 1, watchers: ["Zoë Ops <ops@example.com>"])
        let server = try TestSMTPServer(sandbox, arguments: installation.tlsArguments + ["--implicit-tls"])

        // Without CA_EMAIL_TLS_CA_FILE the system trust store decides, and it does not know the test root.
        installation.useServer(server, host: "localhost", ["CA_EMAIL_USE_SSL": "true"])
        let untrusted = try sandbox.swiftCA("notify-expiring-certs")
        #expect(!untrusted.succeeded && untrusted.standardError.contains("TLS"), "\(untrusted.standardError)")
        #expect(try server.messages().isEmpty)

        installation.useServer(server, host: "localhost", ["CA_EMAIL_USE_SSL": "true", "CA_EMAIL_TLS_CA_FILE": installation.rootFile])
        try sandbox.expectSuccess("notify-expiring-certs")
        let mail = try #require(try server.messages().first)
        #expect(mail.tls)
        #expect(mail.subject == "Certificate smtps.example.com expires in 1 day")
    }

    @Test func failedDeliveriesAreNotRecordedAndRetried() throws {
        let installation = try MailInstallation()
        let sandbox = installation.sandbox
        try installation.signWatched("retry.example.com", days: 6, watchers: ["ops@example.com", "dev@example.com"])

        // Nobody listens: the run fails and names the server.
        let port = try FreePort.find()
        sandbox.extraEnvironment = ["CA_EMAIL_HOST": "127.0.0.1", "CA_EMAIL_PORT": String(port), "CA_EMAIL_FROM": "ca@example.com"]
        let down = try sandbox.swiftCA("notify-expiring-certs")
        #expect(!down.succeeded && down.standardError.contains("cannot connect to the SMTP server 127.0.0.1:\(port)"), "\(down.standardError)")
        #expect(down.standardError.split(separator: "\n").count == 1)

        // A server that never answers: the time limit ends the run.
        let mute = try TestSMTPServer(sandbox, name: "mute", arguments: ["--mute"])
        installation.useServer(mute, ["CA_EMAIL_TIMEOUT": "2"])
        let started = Date()
        let silent = try sandbox.swiftCA("notify-expiring-certs")
        #expect(!silent.succeeded && silent.standardError.contains("no answer within the time limit"), "\(silent.standardError)")
        #expect(Date().timeIntervalSince(started) < 30)
        mute.stop()

        // A server that refuses one recipient: the other watcher gets the mail, the refused one does not.
        let rejecting = try TestSMTPServer(sandbox, name: "rejecting", arguments: ["--reject", "dev@example.com"])
        installation.useServer(rejecting)
        let partial = try sandbox.swiftCA("notify-expiring-certs")
        #expect(!partial.succeeded && partial.standardError.contains("refused the recipient dev@example.com"), "\(partial.standardError)")
        #expect(try rejecting.messages().map(\.recipients) == [["ops@example.com"]])
        rejecting.stop()

        // The next run retries only what was not delivered.
        let accepting = try TestSMTPServer(sandbox, name: "accepting", port: port)
        installation.useServer(accepting)
        try sandbox.expectSuccess("notify-expiring-certs")
        #expect(try accepting.messages().map(\.recipients) == [["dev@example.com"]])
    }

    @Test func theServerRunsTheNotificationJob() throws {
        let installation = try MailInstallation()
        let sandbox = installation.sandbox
        try installation.signWatched("served.example.com", days: 2, watchers: ["ops@example.com"])
        let smtp = try TestSMTPServer(sandbox)
        installation.useServer(smtp)
        let server = try RunningServer(sandbox)
        let delivered = try eventually(within: 60) { try smtp.messages().count == 1 }
        let (status, log) = server.stop()
        #expect(delivered, "\(log)")
        #expect(status == 0)
        #expect(try smtp.messages().first?.subject == "Certificate served.example.com expires in 2 days")
        // The job ran once at start; a command run afterwards finds nothing due.
        #expect(try sandbox.expectSuccess("notify-expiring-certs").isEmpty)
    }

    /// A watcher of an OpenSSH certificate is mailed once per threshold too, with the commands for SSH
    /// certificates; a revoked one is skipped.
    @Test func watchersOfOpenSSHCertificatesAreMailed() throws {
        let installation = try MailInstallation()
        let sandbox = installation.sandbox
        try sandbox.expectSuccess("init-ca", "SSH Users", "--openssh-ca")
        let key = try SSHCertificateTests.makeKey(sandbox, "watched")
        let (_, serial) = try SSHCertificateTests.certify(
            sandbox, key, ca: "SSH Users",
            ["--type", "user", "--principal", "alice", "--key-id", "alice-laptop", "--expires", "3", "--watch", "ops@example.com"])
        let revoked = try SSHCertificateTests.makeKey(sandbox, "revoked")
        let (_, revokedSerial) = try SSHCertificateTests.certify(
            sandbox, revoked, ca: "SSH Users", ["--type", "user", "--principal", "bob", "--expires", "2", "--watch", "ops@example.com"])
        try sandbox.expectSuccess("revoke-ssh-cert", revokedSerial)
        let server = try TestSMTPServer(sandbox)
        installation.useServer(server)
        let first = try sandbox.expectSuccess("notify-expiring-certs")
        #expect(first.components(separatedBy: "sent: ").count - 1 == 1, "\(first)")
        let mails = try server.messages()
        #expect(mails.count == 1 && mails.first?.subject == "SSH certificate alice-laptop expires in 3 days", "\(mails.map(\.subject))")
        let body = mails.first?.body ?? ""
        #expect(body.contains("Serial:      \(serial)") && body.contains("OpenSSH CA:  SSH Users"), "\(body)")
        #expect(body.contains("swift-ca cert-watchers --ssh \(serial) --ca \"SSH Users\" --rm ops@example.com"), "\(body)")
        // The same threshold is not mailed twice.
        let second = try sandbox.expectSuccess("notify-expiring-certs")
        #expect(!second.contains("sent: "), "\(second)")
        #expect(try server.messages().count == 1)
    }
}
