import Foundation
import Testing
@testable import CACore

@Suite struct MailMessageTests {
    let sender = try! EmailAddress(parsing: "swift-ca <ca@example.com>")
    let watcher = try! EmailAddress(parsing: "Ops <ops@example.com>")

    func message(subject: String = "Hello", body: String) -> MailMessage {
        MailMessage(from: sender, to: [watcher], subject: subject, body: body, date: Date(timeIntervalSince1970: 0), messageID: "1.2@example.com")
    }

    @Test func asciiMessageHasEveryHeaderAndCRLFLines() {
        let rendered = message(body: "line one\nline two\r\nline three\rend\n").rendered()
        #expect(rendered == """
            From: swift-ca <ca@example.com>\r
            To: Ops <ops@example.com>\r
            Subject: Hello\r
            Date: Thu, 01 Jan 1970 00:00:00 +0000\r
            Message-ID: <1.2@example.com>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 7bit\r
            \r
            line one\r
            line two\r
            line three\r
            end\r

            """)
    }

    @Test func generatedMessageIDsAreUniqueInTheSendersDomain() {
        let first = MailMessage(from: sender, to: [watcher], subject: "s", body: "b")
        let second = MailMessage(from: sender, to: [watcher], subject: "s", body: "b")
        #expect(first.messageID.hasSuffix("@example.com"))
        #expect(first.messageID != second.messageID)
    }

    @Test func nonASCIISubjectBecomesEncodedWordsOfAtMost75Characters() throws {
        let subject = "Zertifikat für Prüfstände läuft in 7 Tagen ab — bitte erneuern, äöü ÄÖÜ ß € 🔐"
        let rendered = message(subject: subject, body: "x").rendered()
        let header = try #require(rendered.components(separatedBy: "\r\nDate:").first?.components(separatedBy: "Subject: ").last)
        let words = header.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        let decoded = try words.map { word in
            let payload = word.dropFirst(10).dropLast(2)
            return String(decoding: try #require(Data(base64Encoded: String(payload))), as: UTF8.self)
        }.joined()
        #expect(decoded == subject)
    }

    @Test func nonASCIIBodyIsQuotedPrintableWithShortLines() throws {
        let body = "Grüße aus Wien.\n" + String(repeating: "Zertifikat läuft ab = bald. ", count: 8) + "\nTrailing space \n.dot"
        let rendered = message(body: body).rendered()
        #expect(rendered.contains("Content-Transfer-Encoding: quoted-printable\r\n"))
        let encoded = try #require(rendered.components(separatedBy: "\r\n\r\n").last)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(encoded.hasPrefix("Gr=C3=BC=C3=9Fe aus Wien.\r\n"))
        #expect(encoded.contains("Trailing space=20\r\n"))
        #expect(Self.decodeQuotedPrintable(encoded) == MailMessage.normalizedLines(body).joined(separator: "\r\n") + "\r\n")
    }

    @Test func longASCIILinesAreQuotedPrintableToo() {
        let rendered = message(body: String(repeating: "a", count: 1_200)).rendered()
        #expect(rendered.contains("Content-Transfer-Encoding: quoted-printable\r\n"))
    }

    @Test func dataSectionIsDotStuffedAndTerminated() {
        let encoded = SMTPData.encode("a\n.b\r\n..c\rd\n.\n")
        #expect(String(decoding: encoded, as: UTF8.self) == "a\r\n..b\r\n...c\r\nd\r\n..\r\n.\r\n")
        #expect(String(decoding: SMTPData.encode(""), as: UTF8.self) == ".\r\n")
    }

    @Test func expiryNoticeNamesTheCertificateAndTheRenewalCommand() throws {
        let certificate = ExpiringCertificate(
            serial: "7A92AB", commonName: "example.com", authorityName: "Issuing CA", notAfter: Date(timeIntervalSince1970: 86_400 * 5))
        let mail = ExpiryNotice.message(for: certificate, daysLeft: 5, watcher: watcher, from: sender, date: Date(timeIntervalSince1970: 0))
        #expect(mail.subject == "Certificate example.com expires in 5 days")
        #expect(mail.to == [watcher])
        #expect(mail.body.contains("Serial:      7A:92:AB"))
        #expect(mail.body.contains("CA:          Issuing CA"))
        #expect(mail.body.contains("Expires:     Tue, 06 Jan 1970 00:00:00 GMT"))
        #expect(mail.body.contains("swift-ca resign-cert 7A:92:AB"))
        #expect(mail.body.contains("swift-ca cert-watchers 7A:92:AB --rm ops@example.com"))
        let lastDay = ExpiryNotice.message(for: certificate, daysLeft: 1, watcher: watcher, from: sender, date: Date())
        #expect(lastDay.subject == "Certificate example.com expires in 1 day")
    }

    /// RFC 2045 §6.7 decoding, to check the encoder against the rule rather than against itself.
    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "="), index + 2 < input.count,
                let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite struct SMTPReplyParserTests {
    @Test func multiLineRepliesMayArriveInPieces() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.consume(Array("250-mail.example.com Hello\r\n250-STARTT".utf8)).isEmpty)
        let replies = try parser.consume(Array("LS\r\n250 AUTH PLAIN LOGIN\r\n220 ready\r\n".utf8))
        #expect(replies == [
            SMTPReply(code: 250, lines: ["mail.example.com Hello", "STARTTLS", "AUTH PLAIN LOGIN"]),
            SMTPReply(code: 220, lines: ["ready"]),
        ])
    }

    @Test func aBareCodeAndLoneLineFeedsAreReplies() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.consume(Array("354\n".utf8)) == [SMTPReply(code: 354, lines: [""])])
        #expect(SMTPReply(code: 550, lines: ["5.1.1", "no such user "]).summary == "550 5.1.1 no such user")
    }

    @Test(arguments: ["hello\r\n", "25 x\r\n", "250*x\r\n", "250-a\r\n251 b\r\n", String(repeating: "2", count: 5_000)])
    func nonSMTPInputIsAProtocolError(input: String) {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPProtocolError.self) { try parser.consume(Array(input.utf8)) }
    }
}
