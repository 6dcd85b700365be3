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
