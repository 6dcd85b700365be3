/// Domain names in the RFC 1035 wire format: a sequence of length-prefixed labels ending with the
/// empty root label, optionally shortened by compression pointers (§4.1.4).
enum DNSName {
    /// RFC 1035 §2.3.4: a name, with its length bytes, fits in 255 bytes; a label in 63.
    static let maximumWireLength = 255
    static let maximumLabelLength = 63

    /// Encodes a presentation-form name ("example.com" or "example.com.") without compression.
    ///
    /// Only ASCII is accepted: internationalized names must already be in their `xn--` form, and
    /// master-file escapes are not interpreted because ACME identifiers never need them.
    static func encode(_ name: String) throws(DNSMessageError) -> [UInt8] {
        var text = Substring(name)
        if text.hasSuffix(".") { text.removeLast() }
        if text.isEmpty { return [0] }  // the root

        var wire: [UInt8] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else {
                throw .invalidName(name, reason: "it has an empty label")
            }
            guard label.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .invalidName(name, reason: "only printable ASCII is allowed (use the xn-- form of internationalized names)")
            }
            guard label.utf8.count <= maximumLabelLength else {
                throw .invalidName(name, reason: "the label \"\(label)\" is longer than 63 bytes")
            }
            wire.append(UInt8(label.utf8.count))
            wire.append(contentsOf: label.utf8)
        }
        wire.append(0)
        guard wire.count <= maximumWireLength else {
            throw .invalidName(name, reason: "it is longer than 255 bytes")
        }
        return wire
    }

    /// Reads a possibly compressed name at the reader's cursor and leaves the cursor after it.
    ///
    /// Every pointer must point before every byte of the name visited so far. Each jump then goes
    /// strictly backwards, so no loop is possible, and real encoders only ever point back to names
    /// they had finished writing before starting this one.
    static func decode(from reader: inout ByteReader) throws(DNSMessageError) -> String {
        var labels: [String] = []
        var wireLength = 1  // the terminating root label
        var position = reader.offset
        var lowestVisited = reader.offset
        // Where the caller's cursor continues: after the first pointer, or after the root label.
        var resumeOffset: Int?

        while true {
            guard position < reader.bytes.count else { throw .truncated(field: "name") }
            let lengthByte = reader.bytes[position]
            switch lengthByte & 0xC0 {
            case 0x00:
                if lengthByte == 0 {
                    reader.skip(to: resumeOffset ?? position + 1)
                    return labels.isEmpty ? "." : labels.joined(separator: ".")
                }
                let labelLength = Int(lengthByte)
                let start = position + 1
                guard start + labelLength <= reader.bytes.count else { throw .truncated(field: "name label") }
                wireLength += 1 + labelLength
                guard wireLength <= maximumWireLength else { throw .nameTooLong }
                labels.append(presentation(of: reader.bytes[start..<start + labelLength]))
                position = start + labelLength
            case 0xC0:
                guard position + 1 < reader.bytes.count else { throw .truncated(field: "compression pointer") }
                let target = Int(lengthByte & 0x3F) << 8 | Int(reader.bytes[position + 1])
                guard target < reader.bytes.count else { throw .compressionPointerOutOfBounds(offset: position) }
                guard target < lowestVisited else { throw .compressionPointerLoop(offset: position) }
                if resumeOffset == nil { resumeOffset = position + 2 }
                position = target
                lowestVisited = target
            default:
                throw .unsupportedLabelType(offset: position)
            }
        }
    }

    /// Compares names the way DNS does: ASCII case-insensitively, ignoring a trailing dot.
    static func equal(_ first: String, _ second: String) -> Bool {
        canonical(first) == canonical(second)
    }

    static func canonical(_ name: String) -> String {
        var text = Substring(name)
        if text.hasSuffix("."), text.count > 1 { text.removeLast() }
        let lowered = text.utf8.map { byte in (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// Writes a label in master-file form so that a dot or control byte inside it stays unambiguous.
    private static func presentation(of label: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in label {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "\\"):
                text.append("\\")
                text.append(Character(Unicode.Scalar(byte)))
            case 0x21...0x7E:
                text.append(Character(Unicode.Scalar(byte)))
            default:
                let digits = String(byte)
                text.append("\\" + String(repeating: "0", count: 3 - digits.count) + digits)
            }
        }
        return text
    }
}
