import CACore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP conversation on one connection, used by one task. The time limit covers the whole exchange:
/// when it passes, the connection is closed and whatever is awaited fails with `SMTPSessionTimedOut`.
struct SMTPSession {
    let channel: any Channel
    let replies: NIOLoopBound<SMTPReplyHandler>
    let host: String
    let deadline: Scheduled<Void>

    static func open(
        host: String, port: Int, implicitTLS: NIOSSLContext?, timeout: TimeAmount, eventLoopGroup: any EventLoopGroup
    ) async throws -> SMTPSession {
        let serverName = Self.serverName(host)
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
            .connect(host: host, port: port).get()
        let eventLoop = channel.eventLoop
        let (replies, deadline) = try await eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self)
            let bound = NIOLoopBound(handler, eventLoop: eventLoop)
            let deadline = eventLoop.scheduleTask(in: timeout) {
                bound.value.fail(SMTPSessionTimedOut())
                channel.close(promise: nil)
            }
            return (bound, deadline)
        }.get()
        return SMTPSession(channel: channel, replies: replies, host: host, deadline: deadline)
    }

    /// SNI and certificate names are DNS names; for an IP address NIOSSL checks the address instead.
    static func serverName(_ host: String) -> String? {
        let isAddress = host.contains(":") || host.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber }
        return isAddress ? nil : host
    }

    /// Greeting, EHLO, STARTTLS and AUTH as configured, then one message for all its recipients.
    func deliver(_ message: MailMessage, settings: EmailSettings, startTLS: NIOSSLContext?) async throws {
        try expect(await nextReply(), 220, "refused the session", scope: .server)
        var capabilities = try await hello()
        if let startTLS {
            guard capabilities["STARTTLS"] != nil else {
                throw MailDeliveryError(.server, "does not offer STARTTLS (CA_EMAIL_USE_TLS is set)")
            }
            try expect(await command("STARTTLS"), 220, "refused STARTTLS", scope: .server)
            let serverName = Self.serverName(host)
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: startTLS, serverHostname: serverName), position: .first)
            }.get()
            // RFC 3207 §4.2: what the server said before TLS no longer counts.
            capabilities = try await hello()
        }
        if let user = settings.user {
            try await authenticate(user: user, password: settings.password?.value ?? "", capabilities: capabilities)
        }
        try expect(await command("MAIL FROM:<\(message.from.address)>"), 250, "refused the sender \(message.from.address)", scope: .server)
        for recipient in message.to {
            let reply = try await command("RCPT TO:<\(recipient.address)>")
            try expect(reply, [250, 251], "refused the recipient \(recipient.address)", scope: .message)
        }
        try expect(await command("DATA"), 354, "refused DATA", scope: .message)
        try await write(SMTPData.encode(message.rendered()))
        try expect(await nextReply(), 250, "refused the message", scope: .message)
    }

    /// EHLO's keywords (upper case) with their parameters: `AUTH` → `PLAIN LOGIN`.
    private func hello() async throws -> [String: String] {
        let reply = try await command("EHLO \(Self.localName())")
        try expect(reply, 250, "refused EHLO", scope: .server)
        var capabilities: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            // `AUTH=PLAIN LOGIN` is how some older servers announce mechanisms.
            let words = line.uppercased().replacingOccurrences(of: "AUTH=", with: "AUTH ").split(separator: " ")
            guard let keyword = words.first else { continue }
            capabilities[String(keyword)] = words.dropFirst().joined(separator: " ")
        }
        return capabilities
    }

    /// PLAIN (RFC 4616) when offered, else LOGIN; the password only ever goes to the server, base64 encoded.
    private func authenticate(user: String, password: String, capabilities: [String: String]) async throws {
        let mechanisms = Set((capabilities["AUTH"] ?? "").split(separator: " ").map(String.init))
        let plain = Data(("\0" + user + "\0" + password).utf8).base64EncodedString()
        let encodedPassword = Data(password.utf8).base64EncodedString()
        // A server may quote a refused line in its reply; the reply goes into logs, the credentials must not.
        func login(_ line: String, _ code: Int) async throws {
            let reply = try await command(line)
            guard reply.code == code else {
                let said = [plain, encodedPassword].filter { !$0.isEmpty }.reduce(reply.summary) { $0.replacingOccurrences(of: $1, with: "(credentials)") }
                throw MailDeliveryError(.server, "refused the login of \(user): \(said)")
            }
        }
        if mechanisms.contains("PLAIN") {
            try await login("AUTH PLAIN " + plain, 235)
        } else if mechanisms.contains("LOGIN") {
            try await login("AUTH LOGIN", 334)
            try await login(Data(user.utf8).base64EncodedString(), 334)
            try await login(encodedPassword, 235)
        } else {
            throw MailDeliveryError(
                .server, "offers no login swift-ca supports (PLAIN, LOGIN) but CA_EMAIL_USER is set (it offers: \(mechanisms.sorted().joined(separator: " ")))")
        }
    }

    /// Says goodbye; a server that does not answer QUIT has the message already.
    func quit() async {
        _ = try? await command("QUIT")
        await close()
    }

    func close() async {
        deadline.cancel()
        try? await channel.close()
    }

    private func command(_ line: String) async throws -> SMTPReply {
        try await write(Array((line + "\r\n").utf8))
        return try await nextReply()
    }

    private func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    private func nextReply() async throws -> SMTPReply {
        let replies = self.replies
        let eventLoop = channel.eventLoop
        return try await eventLoop.flatSubmit { replies.value.nextReply(on: eventLoop) }.get()
    }

    private func expect(_ reply: SMTPReply, _ code: Int, _ refusal: String, scope: MailDeliveryError.Scope) throws {
        try expect(reply, [code], refusal, scope: scope)
    }

    private func expect(_ reply: SMTPReply, _ codes: Set<Int>, _ refusal: String, scope: MailDeliveryError.Scope) throws {
        guard codes.contains(reply.code) else { throw MailDeliveryError(scope, "\(refusal): \(reply.summary)") }
    }

    /// The name EHLO gives: this host's name when it is a plausible domain, else an address literal.
    static func localName() -> String {
        let name = ProcessInfo.processInfo.hostName
        let plausible = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return plausible ? name : "[127.0.0.1]"
    }
}
