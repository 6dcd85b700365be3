import X509

/// Serial numbers as users see and type them.
///
/// Stored form: upper-case hex, no colons, no leading zeros (django-ca's form), so that any spelling a
/// user types (`7a:92:..`, `7A92..`, `007A92..`) normalises to one key.
public enum SerialNumberText {
    /// 20 octets from the system CSPRNG. The top bit is cleared so the INTEGER stays positive and within
    /// RFC 5280's 20-octet limit, and the next bit is set so every serial has the same length.
    public static func random() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = (bytes[0] & 0x3F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }

    public static func hex(_ serial: Certificate.SerialNumber) -> String {
        hex(bytes: Array(serial.bytes))
    }

    public static func hex(bytes: [UInt8]) -> String {
        let digits = bytes.map { byte -> String in
            let text = String(byte, radix: 16, uppercase: true)
            return text.count == 1 ? "0" + text : text
        }.joined()
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// `7A:92:0B`: the form openssl and django-ca print.
    public static func colonSeparated(_ hex: String) -> String {
        let padded = hex.count % 2 == 1 ? "0" + hex : hex
        var pairs: [Substring] = []
        var index = padded.startIndex
        while index < padded.endIndex {
            let next = padded.index(index, offsetBy: 2)
            pairs.append(padded[index..<next])
            index = next
        }
        return pairs.joined(separator: ":")
    }

    /// The stored form of what a user typed, or nil if it is not a hexadecimal serial.
    public static func normalize(_ input: String) -> String? {
        let compact = input.replacingOccurrences(of: ":", with: "").uppercased()
        guard !compact.isEmpty, compact.allSatisfy({ $0.isHexDigit }) else { return nil }
        let trimmed = compact.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
