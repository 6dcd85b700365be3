/// Bytes as hexadecimal digits, two per byte, leading zeros kept. Written out rather than through
/// `String(format:)`, which goes through CoreFoundation's format parser and a locale for every byte.
public enum Hex {
    private static let upperDigits = Array("0123456789ABCDEF".utf8)
    private static let lowerDigits = Array("0123456789abcdef".utf8)

    public static func upper(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: digitBytes(bytes, alphabet: upperDigits), as: UTF8.self)
    }

    public static func lower(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: digitBytes(bytes, alphabet: lowerDigits), as: UTF8.self)
    }

    /// Bytes from an even number of hex digits (either case); nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            let high = digitValue(digits[index])
            let low = digitValue(digits[index + 1])
            guard high <= 15, low <= 15 else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// 0–15 for a hex digit of either case, 0xFF for anything else: a comparison rather than an optional, for the
    /// loops that decode a million serials into a CRL.
    @inlinable @inline(__always)
    public static func digitValue(_ character: UInt8) -> UInt8 {
        switch character {
        case 0x30...0x39: return character &- 0x30
        case 0x41...0x46: return character &- 0x41 &+ 10
        case 0x61...0x66: return character &- 0x61 &+ 10
        default: return 0xFF
        }
    }

    /// The digits as bytes, for callers that trim or separate them further.
    static func digitBytes(_ bytes: some Sequence<UInt8>, alphabet: [UInt8] = upperDigits) -> [UInt8] {
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            digits.append(alphabet[Int(byte >> 4)])
            digits.append(alphabet[Int(byte & 0x0F)])
        }
        return digits
    }
}
