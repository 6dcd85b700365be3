import X509

/// Serial numbers as users see and type them.
///
/// Stored form: upper-case hex, no colons, no leading zeros (django-ca's form), so that any spelling a
/// user types (`7a:92:..`, `7A92..`, `007A92..`) normalises to one key.
public enum SerialNumberText {
    /// 20 octets from the system CSPRNG. The top bit is cleared so the INTEGER stays positive and within
    /// RFC 5280's 20-octet limit, and the next bit is set so every serial has the same length.
    public static func random() -> Certificate.SerialNumber {
        // Three 8-byte draws rather than 20 one-byte draws: each draw is a getrandom system call.
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        for _ in 0..<3 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(4)
        bytes[0] = (bytes[0] & 0x3F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }

    public static func hex(_ serial: Certificate.SerialNumber) -> String {
        hex(bytes: Array(serial.bytes))
    }

    public static func hex(bytes: [UInt8]) -> String {
        let digits = Hex.digitBytes(bytes)
        let trimmed = digits.drop { $0 == UInt8(ascii: "0") }
        return trimmed.isEmpty ? "0" : String(decoding: trimmed, as: UTF8.self)
    }


    /// The serial as a decimal number (`--serial-format int`): serials have up to 20 bytes, more than any
    /// fixed-width integer holds, so the digits come from repeated division of the bytes by ten.
    public static func decimal(_ hex: String) -> String {
        var bytes = NameText.bytes(fromHex: (hex.count % 2 == 1 ? "0" : "") + hex) ?? []
        var digits: [UInt8] = []
        while bytes.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in bytes.indices {
                let value = remainder << 8 | Int(bytes[index])
                bytes[index] = UInt8(value / 10)
                remainder = value % 10
            }
            digits.append(UInt8(ascii: "0") + UInt8(remainder))
        }
        return digits.isEmpty ? "0" : String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// `7A:92:0B`: the form openssl and django-ca print. Works on bytes because list-certs calls it per row.
    public static func colonSeparated(_ hex: String) -> String {
        var digits = Array(hex.utf8)
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count * 3 / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            if index > 0 { result.append(UInt8(ascii: ":")) }
            result.append(digits[index])
            result.append(digits[index + 1])
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The stored form of what a user typed, or nil if it is not a hexadecimal serial.
    public static func normalize(_ input: String) -> String? {
        // Already in stored form (upper-case hex, no colons, no leading zero): the common case in URLs, which
        // the OCSP responder sees on every request.
        let utf8 = input.utf8
        if let first = utf8.first, first != UInt8(ascii: "0"),
            utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) })
        {
            return input
        }
        let compact = input.replacingOccurrences(of: ":", with: "").uppercased()
        guard !compact.isEmpty, compact.allSatisfy({ $0.isHexDigit }) else { return nil }
        let trimmed = compact.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
