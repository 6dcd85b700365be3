/// The decoded data of an answer record of one of the types in `DNSRecordType`.
public enum DNSRecordData: Sendable, Hashable {
    /// Dotted-quad text, such as "192.0.2.1".
    case a(String)
    /// RFC 5952 text, such as "2001:db8::1".
    case aaaa(String)
    /// The canonical name the owner is an alias of, without a trailing dot.
    case cname(String)
    /// All character-strings of one record joined without separators, as RFC 8555 §8.4 compares them.
    case txt(String)
    case caa(CAARecord)

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .txt: .txt
        case .caa: .caa
        }
    }

    /// The value as text: the address, the name, the joined strings, or the zone-file form of CAA.
    public var text: String {
        switch self {
        case .a(let value), .aaaa(let value), .cname(let value), .txt(let value): value
        case .caa(let record): record.description
        }
    }

    public var caaRecord: CAARecord? {
        if case .caa(let record) = self { return record }
        return nil
    }

    /// Decodes the data of one record; `reader` is positioned at the data, which spans `length` bytes.
    static func decode(
        type: DNSRecordType,
        from reader: inout ByteReader,
        length: Int
    ) throws(DNSMessageError) -> DNSRecordData {
        let start = reader.offset
        let data = try reader.readBytes(length, "\(type) record data")
        switch type {
        case .a:
            guard data.count == 4 else {
                throw .malformedRecord(type: "A", reason: "the address has \(data.count) bytes instead of 4")
            }
            return .a(data.map(String.init).joined(separator: "."))
        case .aaaa:
            guard data.count == 16 else {
                throw .malformedRecord(type: "AAAA", reason: "the address has \(data.count) bytes instead of 16")
            }
            return .aaaa(IPAddressText.formatAddress(Array(data)) ?? "")
        case .cname:
            // The target may be compressed, so it is read from the whole message.
            var nameReader = ByteReader(reader.bytes, offset: start)
            let name = try DNSName.decode(from: &nameReader)
            guard nameReader.offset == start + length else {
                throw .malformedRecord(type: "CNAME", reason: "the name does not fill the record data")
            }
            return .cname(name)
        case .txt:
            return .txt(try joinedCharacterStrings(data))
        case .caa:
            return .caa(try CAARecord(decoding: data))
        }
    }

    /// TXT data is one or more <length><bytes> character-strings (RFC 1035 §3.3.14).
    private static func joinedCharacterStrings(_ data: ArraySlice<UInt8>) throws(DNSMessageError) -> String {
        var joined: [UInt8] = []
        var index = data.startIndex
        while index < data.endIndex {
            let length = Int(data[index])
            let start = index + 1
            guard start + length <= data.endIndex else {
                throw .malformedRecord(type: "TXT", reason: "a character-string runs past the record data")
            }
            joined.append(contentsOf: data[start..<start + length])
            index = start + length
        }
        return String(decoding: joined, as: UTF8.self)
    }
}
