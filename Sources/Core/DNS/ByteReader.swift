/// Reads big-endian fields from a DNS message with bounds checks on every access.
///
/// DNS names may point back into the whole message (RFC 1035 §4.1.4), so the reader keeps the complete
/// message and a cursor instead of slicing.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remainingCount: Int { bytes.count - offset }

    mutating func readUInt8(_ field: String) throws(DNSMessageError) -> UInt8 {
        guard remainingCount >= 1 else { throw .truncated(field: field) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(_ field: String) throws(DNSMessageError) -> UInt16 {
        guard remainingCount >= 2 else { throw .truncated(field: field) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32(_ field: String) throws(DNSMessageError) -> UInt32 {
        let high = try readUInt16(field)
        let low = try readUInt16(field)
        return UInt32(high) << 16 | UInt32(low)
    }

    mutating func readBytes(_ count: Int, _ field: String) throws(DNSMessageError) -> ArraySlice<UInt8> {
        guard count >= 0, remainingCount >= count else { throw .truncated(field: field) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func skip(to newOffset: Int) {
        offset = newOffset
    }
}

/// Appends big-endian fields to a DNS message under construction.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func writeBytes(_ values: some Sequence<UInt8>) {
        bytes.append(contentsOf: values)
    }
}
