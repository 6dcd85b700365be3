import SwiftASN1

/// A `type=value` pair as written in a subject, before the type is looked up.
struct WrittenAttribute: Equatable {
    enum Value: Equatable {
        /// An ordinary value with escapes and quotes resolved.
        case text(String)
        /// An RFC 4514 `#hex` value: the DER encoding of the attribute value.
        case encoded([UInt8])
    }

    var key: String
    var value: Value
}

/// Splits subject text into RDNs of written attributes.
///
/// Works on UTF-8 bytes: every character with a meaning in the syntax is ASCII, and RFC 4514's
/// `\XX` escapes produce bytes that only form text once a whole value is collected.
struct DistinguishedNameScanner {
    enum Syntax {
        /// `CN=x,O=y` with RFC 4514 escapes and quoted values (RFC 2253).
        case rfc4514
        /// `/CN=x/O=y` as OpenSSL's `-subj` takes it: a backslash escapes the next character.
        case openSSL
    }

    private let bytes: [UInt8]
    private let syntax: Syntax
    private var position: Int

    private static let space = UInt8(ascii: " ")
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let equals = UInt8(ascii: "=")
    private static let plus = UInt8(ascii: "+")
    private static let sharp = UInt8(ascii: "#")

    init(_ text: String, syntax: Syntax) {
        self.bytes = Array(text.utf8)
        self.syntax = syntax
        self.position = 0
    }

    private var rdnSeparator: UInt8 {
        switch syntax {
        case .rfc4514: UInt8(ascii: ",")
        case .openSSL: UInt8(ascii: "/")
        }
    }

    private var isAtEnd: Bool { position >= bytes.count }

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == rdnSeparator || byte == Self.plus
    }

    private mutating func skipSpaces() {
        while !isAtEnd, bytes[position] == Self.space {
            position += 1
        }
    }

    /// All RDNs in the order written; empty if the text holds nothing but spaces.
    mutating func scan() throws(NameSyntaxError) -> [[WrittenAttribute]] {
        skipSpaces()
        if syntax == .openSSL, !isAtEnd, bytes[position] == rdnSeparator {
            position += 1
            skipSpaces()
        }
        if isAtEnd { return [] }

        var distinguishedName: [[WrittenAttribute]] = []
        var relativeName: [WrittenAttribute] = []
        while true {
            relativeName.append(try scanAttribute())
            if isAtEnd {
                distinguishedName.append(relativeName)
                return distinguishedName
            }
            let separator = bytes[position]
            position += 1
            if separator != Self.plus {
                distinguishedName.append(relativeName)
                relativeName = []
            }
            skipSpaces()
            if isAtEnd {
                throw NameSyntaxError(
                    "it ends with \(NameText.quoted(String(decoding: [separator], as: UTF8.self))) "
                        + "but no attribute follows"
                )
            }
        }
    }

    private mutating func scanAttribute() throws(NameSyntaxError) -> WrittenAttribute {
        skipSpaces()
        let keyStart = position
        while !isAtEnd, bytes[position] != Self.equals, !isSeparator(bytes[position]) {
            position += 1
        }
        let key = NameText.trimmingSpaces(String(decoding: bytes[keyStart..<position], as: UTF8.self))
        guard !isAtEnd, bytes[position] == Self.equals else {
            if key.isEmpty {
                throw NameSyntaxError("it contains an empty attribute (two separators in a row)")
            }
            throw NameSyntaxError("\(NameText.quoted(key)) has no \"=\" between attribute type and value")
        }
        guard !key.isEmpty else {
            throw NameSyntaxError("an attribute has no type before \"=\"")
        }
        position += 1
        return WrittenAttribute(key: key, value: try scanValue(of: key))
    }

    private mutating func scanValue(of key: String) throws(NameSyntaxError) -> WrittenAttribute.Value {
        skipSpaces()
        guard !isAtEnd else { return .text("") }
        if bytes[position] == Self.quote {
            return .text(try scanQuotedValue(of: key))
        }
        if syntax == .rfc4514, bytes[position] == Self.sharp {
            return .encoded(try scanEncodedValue(of: key))
        }
        return .text(try scanPlainValue(of: key))
    }

    /// A value up to the next unescaped separator, without unescaped leading and trailing spaces.
    private mutating func scanPlainValue(of key: String) throws(NameSyntaxError) -> String {
        var value: [UInt8] = []
        // Escaped spaces are part of the value, so trailing spaces are trimmed only up to the last
        // byte that was escaped or was not a space.
        var keptLength = 0
        while !isAtEnd, !isSeparator(bytes[position]) {
            let byte = bytes[position]
            if byte == Self.backslash {
                value.append(try scanEscape(in: key))
                keptLength = value.count
            } else {
                value.append(byte)
                position += 1
                if byte != Self.space { keptLength = value.count }
            }
        }
        return try decodeText(value.prefix(keptLength), of: key)
    }

    /// A value in double quotes, in which separators need no escaping.
    private mutating func scanQuotedValue(of key: String) throws(NameSyntaxError) -> String {
        position += 1
        var value: [UInt8] = []
        while true {
            guard !isAtEnd else {
                throw NameSyntaxError("the value of \(NameText.quoted(key)) has a quote (\") that is never closed")
            }
            let byte = bytes[position]
            if byte == Self.quote {
                position += 1
                break
            }
            if byte == Self.backslash {
                value.append(try scanEscape(in: key))
            } else {
                value.append(byte)
                position += 1
            }
        }
        try expectEndOfValue(of: key, after: "the closing quote")
        return try decodeText(value[...], of: key)
    }

    /// An RFC 4514 hexstring: `#` and the DER encoding of the value in hex.
    private mutating func scanEncodedValue(of key: String) throws(NameSyntaxError) -> [UInt8] {
        let start = position
        position += 1
        while !isAtEnd, !isSeparator(bytes[position]), bytes[position] != Self.space {
            position += 1
        }
        let hexDigits = bytes[(start + 1)..<position]
        let written = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let encoded = NameText.bytes(fromHex: String(decoding: hexDigits, as: UTF8.self)), !encoded.isEmpty
        else {
            throw NameSyntaxError(
                "the value \(NameText.quoted(written)) of \(NameText.quoted(key)) starts with \"#\", which "
                    + "introduces a hex-encoded DER value; write \"\\#\" for a literal \"#\""
            )
        }
        do {
            _ = try DER.parse(encoded)
        } catch {
            throw NameSyntaxError(
                "the value \(NameText.quoted(written)) of \(NameText.quoted(key)) is not one DER-encoded ASN.1 value"
            )
        }
        try expectEndOfValue(of: key, after: "the hex value")
        return encoded
    }

    private mutating func expectEndOfValue(of key: String, after what: String) throws(NameSyntaxError) {
        skipSpaces()
        if !isAtEnd, !isSeparator(bytes[position]) {
            throw NameSyntaxError("the value of \(NameText.quoted(key)) has more text after \(what)")
        }
    }

    /// Resolves the escape at `position` (a backslash) and returns the byte it stands for.
    private mutating func scanEscape(in key: String) throws(NameSyntaxError) -> UInt8 {
        position += 1
        guard !isAtEnd else {
            throw NameSyntaxError("the value of \(NameText.quoted(key)) ends with a backslash that escapes nothing")
        }
        let escaped = bytes[position]
        position += 1
        // OpenSSL's -subj syntax has no hex escapes: a backslash takes the next character literally.
        guard syntax == .rfc4514, let high = NameText.hexDigitValue(escaped) else {
            return escaped
        }
        guard !isAtEnd, let low = NameText.hexDigitValue(bytes[position]) else {
            throw NameSyntaxError(
                "the value of \(NameText.quoted(key)) has the escape \"\\\(Character(Unicode.Scalar(escaped)))\" "
                    + "that is not followed by a second hex digit (write \"\\\\\" for a backslash)"
            )
        }
        position += 1
        return high << 4 | low
    }

    private func decodeText(_ value: ArraySlice<UInt8>, of key: String) throws(NameSyntaxError) -> String {
        guard let text = String(validating: value, as: UTF8.self) else {
            throw NameSyntaxError("the escaped bytes in the value of \(NameText.quoted(key)) are not valid UTF-8")
        }
        return text
    }
}
