import Foundation

/// A plain-text e-mail (RFC 5322 with MIME, RFC 2045), rendered with CRLF line ends as SMTP's DATA
/// carries it. Header values are 7-bit; the body is sent as written when it is ASCII with lines SMTP
/// accepts, and quoted-printable otherwise, so that no server needs 8BITMIME.
public struct MailMessage: Sendable, Equatable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var subject: String
    public var body: String
    public var date: Date
    /// Without angle brackets: `<random>@<domain of From>`.
    public var messageID: String

    public init(from: EmailAddress, to: [EmailAddress], subject: String, body: String, date: Date = Date(), messageID: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        self.messageID = messageID ?? "\(Self.randomHex())@\(domain)"
    }

    /// RFC 5321 §4.5.3.1.6: a line may hold at most 998 characters before its CRLF.
    static let longestLine = 998

    public var transferEncoding: String {
        let lines = Self.normalizedLines(body)
        let plain = body.unicodeScalars.allSatisfy { $0.isASCII } && lines.allSatisfy { $0.utf8.count <= Self.longestLine }
        return plain ? "7bit" : "quoted-printable"
    }

    /// Headers, an empty line and the body, every line ending in CRLF.
    public func rendered() -> String {
        let encoding = transferEncoding
        let text = Self.normalizedLines(body).joined(separator: "\r\n")
        let headers = [
            "From: " + from.headerValue,
            "To: " + to.map(\.headerValue).joined(separator: ",\r\n "),
            "Subject: " + MIMEHeaderText.unstructured(subject),
            "Date: " + Self.headerDate(date),
            "Message-ID: <" + messageID + ">",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: " + encoding,
        ]
        let encodedBody = encoding == "7bit" ? text : QuotedPrintable.encode(text)
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encodedBody + "\r\n"
    }

    /// The body's lines whatever ends them (CRLF, LF or a lone CR), without a trailing empty line.
    static func normalizedLines(_ text: String) -> [String] {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = unified.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// RFC 5322 §3.3 date-time, in UTC: HTTP's IMF-fixdate with the numeric zone RFC 5322 asks for.
    static func headerDate(_ date: Date) -> String {
        String(HTTPDate.format(date).dropLast(3)) + "+0000"
    }

    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: ".")
    }
}
