import Foundation

/// Header text that must stay 7-bit ASCII on the wire (RFC 5322 §2.2): display names and subjects with
/// other characters become RFC 2047 encoded words, names with specials become quoted strings.
public enum MIMEHeaderText {
    /// An RFC 2047 encoded word may be at most 75 characters; `=?UTF-8?B?` and `?=` take 12 of them,
    /// which leaves 60 base64 characters, 45 bytes.
    static let encodedWordBytes = 45

    /// A display name: as written when it is only atoms and spaces, else quoted or encoded.
    public static func phrase(_ text: String) -> String {
        let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~ ".unicodeScalars)
        if text.unicodeScalars.allSatisfy({ isAlphanumericASCII($0) || atomSpecials.contains($0) }) { return text }
        guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else { return encodedWords(text) }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + escaped + "\""
    }

    /// Unstructured text such as a subject: as written when it is printable ASCII, else encoded words.
    public static func unstructured(_ text: String) -> String {
        text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) ? text : encodedWords(text)
    }

    /// Base64 encoded words, split between characters (never inside one) and folded onto new lines.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk = ""
        for character in text {
            if chunk.utf8.count + String(character).utf8.count > encodedWordBytes, !chunk.isEmpty {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    static func isAlphanumericASCII(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// Quoted-printable (RFC 2045 §6.7) for bodies with characters beyond ASCII: readable where the text is
/// ASCII, and every encoded line at most 76 characters.
public enum QuotedPrintable {
    static let lineLimit = 76

    /// Encodes text whose lines end in CRLF; the line breaks stay hard breaks.
    public static func encode(_ text: String) -> String {
        text.components(separatedBy: "\r\n").map(encodeLine).joined(separator: "\r\n")
    }

    private static func encodeLine(_ line: String) -> String {
        let bytes = Array(line.utf8)
        var output = ""
        var current = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == 0x20 || byte == 0x09) && !isLast)
            let piece = literal ? String(UnicodeScalar(byte)) : "=" + Hex.upper([byte])
            // A soft break is "=" at the end of a line, which must fit within the limit too.
            let reserve = isLast ? 0 : 1
            if current.count + piece.count + reserve > lineLimit {
                output += current + "=\r\n"
                current = ""
            }
            current += piece
        }
        return output + current
    }
}
