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
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
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
