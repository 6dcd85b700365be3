/// Reads RFC 4251 §5 data types from a byte buffer; every read checks the length first, so a truncated or
/// oversized field is an error, never a trap.
public struct SSHWireReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0
    /// What the data is, for error messages ("the public key", "the certificate").
    private let what: String

    public init(_ bytes: some Collection<UInt8>, what: String) {
        self.bytes = Array(bytes)
        self.what = what
    }

    public var isAtEnd: Bool { offset == bytes.count }

    private func truncated() -> CAError { CAError(.invalidInput, "\(what) is truncated or malformed") }

    public mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw truncated() }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func uint32() throws -> UInt32 {
        guard bytes.count - offset >= 4 else { throw truncated() }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func uint64() throws -> UInt64 {
        UInt64(try uint32()) << 32 | UInt64(try uint32())
    }

    public mutating func string() throws -> [UInt8] {
        let length = Int(try uint32())
        guard length <= bytes.count - offset else { throw truncated() }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    public mutating func text() throws -> String {
        let raw = try string()
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw CAError(.invalidInput, "\(what) holds a name that is not UTF-8")
        }
        return text
    }

    /// An mpint that must not be negative, as unsigned big-endian bytes without leading zeros.
    public mutating func unsignedMPInt() throws -> [UInt8] {
        let raw = try string()
        if let first = raw.first, first & 0x80 != 0 { throw CAError(.invalidInput, "\(what) holds a negative integer") }
        return Array(raw.drop(while: { $0 == 0 }))
    }

    /// Fails unless every byte was read.
    public func finish() throws {
        guard isAtEnd else { throw CAError(.invalidInput, "\(what) has \(bytes.count - offset) bytes after its end") }
    }
}
