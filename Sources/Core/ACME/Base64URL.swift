// RFC 7515 §2:
//
// Base64url Encoding
//    Base64 encoding using the URL- and filename-safe character set
//    defined in Section 5 of RFC 4648 [RFC4648], with all trailing '='
//    characters omitted (as permitted by Section 3.2) and without the
//    inclusion of any line breaks, whitespace, or other additional
//    characters.

/// The base64url encoding JOSE uses: RFC 4648 §5's alphabet, no padding, nothing else.
///
/// Decoding is strict on purpose. A JWS signs the encoded text, not the bytes, so accepting padding,
/// whitespace, the standard alphabet's `+` and `/`, or non-zero leftover bits would let several texts
/// stand for one value; ACME nonces and key thumbprints are compared as text, where that matters.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of each ASCII byte in the alphabet, or `invalid`.
    private static let values: [UInt8] = {
        var values = [UInt8](repeating: invalid, count: 256)
        for (index, character) in alphabet.enumerated() {
            values[Int(character)] = UInt8(index)
        }
        return values
    }()
    private static let invalid: UInt8 = 0xFF

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        var buffer: UInt32 = 0
        var bufferedBits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bufferedBits += 8
            while bufferedBits >= 6 {
                bufferedBits -= 6
                text.append(alphabet[Int((buffer >> UInt32(bufferedBits)) & 0x3F)])
            }
            buffer &= (1 << UInt32(bufferedBits)) - 1
        }
        if bufferedBits > 0 {
            text.append(alphabet[Int((buffer << UInt32(6 - bufferedBits)) & 0x3F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes `text` encodes, or nil unless it is canonical base64url: alphabet characters only (no
    /// `=`, whitespace, `+` or `/`), a length that is not 1 more than a multiple of 4, and zero bits
    /// left over in the last character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = text.utf8
        guard characters.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * 3 / 4)
        var buffer: UInt32 = 0
        var bufferedBits = 0
        for character in characters {
            let value = values[Int(character)]
            guard value != invalid else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bufferedBits += 6
            if bufferedBits >= 8 {
                bufferedBits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bufferedBits)))
                buffer &= (1 << UInt32(bufferedBits)) - 1
            }
        }
        // 2 or 4 bits are left after a partial group; an encoder sets them to zero.
        guard buffer == 0 else { return nil }
        return bytes
    }
}
