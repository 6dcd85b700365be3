/// RFC 4251 §5 data types as OpenSSH writes them: big-endian integers, length-prefixed strings, and mpints in
/// two's complement with the fewest bytes.
public struct SSHWireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Bytes already encoded, appended as they are.
    public mutating func raw(_ encoded: some Collection<UInt8>) { bytes += encoded }

    public mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    public mutating func uint64(_ value: UInt64) {
        uint32(UInt32(value >> 32))
        uint32(UInt32(value & 0xFFFF_FFFF))
    }

    public mutating func string(_ value: some Collection<UInt8>) {
        uint32(UInt32(value.count))
        bytes += value
    }

    public mutating func string(_ text: String) { string(Array(text.utf8)) }

    /// A non-negative integer given as unsigned big-endian bytes: leading zeros dropped, and one zero byte put
    /// back when the high bit would make it negative.
    public mutating func mpint(unsigned magnitude: some Collection<UInt8>) {
        var digits = Array(magnitude.drop(while: { $0 == 0 }))
        if let first = digits.first, first & 0x80 != 0 { digits.insert(0, at: 0) }
        string(digits)
    }
}
