/// The data of a CAA resource record (RFC 8659 §4.1): flags, a property tag and its value.
public struct CAARecord: Sendable, Hashable, CustomStringConvertible {
    /// Bit 7 of the flags octet (the leftmost bit in RFC 8659's figure).
    public static let issuerCriticalFlag: UInt8 = 0x80

    public var flags: UInt8
    /// As written in the record; compare with `normalizedTag`, because tags are case-insensitive.
    public var tag: String
    public var value: String

    public init(flags: UInt8, tag: String, value: String) {
        self.flags = flags
        self.tag = tag
        self.value = value
    }

    /// A CA that does not understand a critical property must not issue (RFC 8659 §4.1).
    public var isCritical: Bool { flags & Self.issuerCriticalFlag != 0 }

    public var normalizedTag: String { tag.lowercased() }

    /// Zone-file form, as an operator would write it: `0 issue "ca.example"`.
    public var description: String { "\(flags) \(tag) \"\(value)\"" }

    /// Reads the record data: one flags octet, a tag length, the tag, and the value filling the rest.
    init(decoding data: ArraySlice<UInt8>) throws(DNSMessageError) {
        guard data.count >= 2 else {
            throw .malformedRecord(type: "CAA", reason: "the data is shorter than its flags and tag length")
        }
        let flagsIndex = data.startIndex
        let tagLength = Int(data[flagsIndex + 1])
        let tagStart = flagsIndex + 2
        guard tagLength >= 1, tagStart + tagLength <= data.endIndex else {
            throw .malformedRecord(type: "CAA", reason: "the tag length \(tagLength) does not fit the data")
        }
        let tagBytes = data[tagStart..<tagStart + tagLength]
        // RFC 8659 §4.1.1: tags are ASCII letters and digits only.
        guard tagBytes.allSatisfy(Self.isTagByte) else {
            throw .malformedRecord(type: "CAA", reason: "the tag contains characters other than letters and digits")
        }
        flags = data[flagsIndex]
        tag = String(decoding: tagBytes, as: UTF8.self)
        value = String(decoding: data[(tagStart + tagLength)...], as: UTF8.self)
    }

    private static func isTagByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
