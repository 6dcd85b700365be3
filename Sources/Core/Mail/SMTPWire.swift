import Foundation

/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines, several for a multi-line reply.
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }

    /// The reply as one line for an error message: `550 5.1.1 no such user`.
    public var summary: String { "\(code) " + lines.joined(separator: " ").trimmingCharacters(in: .whitespaces) }
}

/// Turns the bytes a server sends into complete replies. Lines end in CRLF; `250-` continues a reply,
/// `250 ` (or a bare `250`) ends it. Bytes of an incomplete reply are kept for the next call.
public struct SMTPReplyParser: Sendable {
    /// Longer than any reply line RFC 5321 allows (512); a server that sends more is not speaking SMTP.
    static let longestLine = 4_096
    private var pending: [UInt8] = []
    private var lines: [String] = []
    private var code: Int?

    public init() {}

    public mutating func consume(_ bytes: some Sequence<UInt8>) throws(SMTPProtocolError) -> [SMTPReply] {
        pending.append(contentsOf: bytes)
        var replies: [SMTPReply] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let reply = try take(line) { replies.append(reply) }
        }
        guard pending.count <= Self.longestLine else { throw SMTPProtocolError("a reply line is too long") }
        return replies
    }

    private mutating func take(_ line: [UInt8]) throws(SMTPProtocolError) -> SMTPReply? {
        let text = String(decoding: line, as: UTF8.self)
        guard line.count >= 3, line[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let lineCode = Int(String(text.prefix(3)))
        else { throw SMTPProtocolError("the server sent \"\(text.prefix(80))\", which is not an SMTP reply") }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPProtocolError("the server sent \"\(text.prefix(80))\", which is not an SMTP reply")
        }
        if let code, code != lineCode { throw SMTPProtocolError("a multi-line reply changed its code from \(code) to \(lineCode)") }
        code = lineCode
        lines.append(line.count > 4 ? String(text.dropFirst(4)) : "")
        guard separator == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        lines = []
        code = nil
        return reply
    }
}

/// The server broke the protocol (as opposed to refusing a command with a reply).
public struct SMTPProtocolError: Error, Sendable, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// The DATA section of a message (RFC 5321 §4.5.2): every line ends in CRLF, a line that starts with "."
/// gets another one, and "." alone on a line ends it.
public enum SMTPData {
    public static func encode(_ message: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.utf8.count + 64)
        for line in MailMessage.normalizedLines(message) {
            if line.hasPrefix(".") { output.append(UInt8(ascii: ".")) }
            output.append(contentsOf: line.utf8)
            output.append(contentsOf: [0x0D, 0x0A])
        }
        output.append(contentsOf: Array(".\r\n".utf8))
        return output
    }
}
