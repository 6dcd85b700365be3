/// Helpers shared by the name parsers and formatters.
///
/// Error messages must stay on one line and show the user exactly what they typed, so input is
/// quoted with control characters made visible rather than printed raw.
enum NameText {
    /// The text in double quotes, with quotes, backslashes and control characters escaped.
    static func quoted(_ text: some StringProtocol) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// The text without leading and trailing spaces and tabs.
    static func trimmingSpaces(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    /// Whether every character is 7-bit ASCII, as IA5String requires.
    static func isASCII(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Lower-case hex digits of the bytes, without separators.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        Hex.lower(bytes)
    }

    /// Upper-case hex digits of the bytes separated by colons, the way OpenSSL shows octet strings.
    static func colonHex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    /// The value of one hex digit, or `nil` if the byte is not one.
    static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decodes hex digits (an even number, no separators) or returns `nil`.
    static func bytes(fromHex text: some StringProtocol) -> [UInt8]? {
        Hex.decode(String(text))
    }
}

/// Why a piece of name syntax was rejected, without the surrounding input.
///
/// The public parsers wrap this into one `CAError` that quotes the full input, so nested parsers
/// (a subject inside `dirname:`) can report their reason in the outer message.
struct NameSyntaxError: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
