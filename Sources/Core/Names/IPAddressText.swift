#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Converts IP addresses and networks between text and the octets of an iPAddress general name.
///
/// Addresses are parsed and printed by the C library (`inet_pton`, `inet_ntop`) so that every
/// notation the system accepts (IPv4-mapped IPv6, `::` compression) is handled the standard way.
public enum IPAddressText {
    /// The 4 or 16 octets of an address, or `nil` if the text is neither an IPv4 nor an IPv6 address.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        var version4 = in_addr()
        if inet_pton(AF_INET, text, &version4) == 1 {
            return withUnsafeBytes(of: &version4) { Array($0) }
        }
        var version6 = in6_addr()
        if inet_pton(AF_INET6, text, &version6) == 1 {
            return withUnsafeBytes(of: &version6) { Array($0) }
        }
        return nil
    }

    /// The address followed by its mask (8 or 32 octets), as RFC 5280 section 4.2.1.10 encodes
    /// networks in name constraints. `text` is `address/prefixLength`.
    static func networkBytes(_ text: String) throws(NameSyntaxError) -> [UInt8] {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let address = addressBytes(String(parts[0])) else {
            throw NameSyntaxError("\(NameText.quoted(text)) is not an IPv4 or IPv6 network such as 10.0.0.0/8")
        }
        let bitCount = address.count * 8
        guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let prefixLength = Int(parts[1]), prefixLength <= bitCount
        else {
            throw NameSyntaxError(
                "the prefix length of \(NameText.quoted(text)) must be a number from 0 to \(bitCount)"
            )
        }
        let mask = self.mask(prefixLength: prefixLength, byteCount: address.count)
        let network = zip(address, mask).map { $0 & $1 }
        guard network == address else {
            // Like Python's ip_network(), which django-ca uses: host bits usually mean a typo.
            let suggestion = format(network) + "/" + String(prefixLength)
            throw NameSyntaxError("\(NameText.quoted(text)) has host bits set; did you mean \(suggestion)?")
        }
        return address + mask
    }

    private static func mask(prefixLength: Int, byteCount: Int) -> [UInt8] {
        (0..<byteCount).map { index in
            let bitsInByte = min(max(prefixLength - index * 8, 0), 8)
            return bitsInByte == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsInByte))
        }
    }

    /// The prefix length of a mask, or `nil` if its one bits are not contiguous from the left.
    static func prefixLength(ofMask mask: [UInt8]) -> Int? {
        var length = 0
        var seenZero = false
        for byte in mask {
            for bit in (0..<8).reversed() {
                let isSet = byte & (1 << bit) != 0
                if isSet {
                    if seenZero { return nil }
                    length += 1
                } else {
                    seenZero = true
                }
            }
        }
        return length
    }

    /// Text for 4 or 16 octets (an address), 8 or 32 octets (`address/prefix`), or hex otherwise.
    public static func format(_ octets: [UInt8]) -> String {
        switch octets.count {
        case 4, 16:
            return formatAddress(octets) ?? NameText.colonHex(octets)
        case 8, 32:
            let half = octets.count / 2
            let address = Array(octets[..<half])
            let mask = Array(octets[half...])
            guard let addressText = formatAddress(address), let maskText = formatAddress(mask) else {
                return NameText.colonHex(octets)
            }
            if let prefixLength = prefixLength(ofMask: mask) {
                return addressText + "/" + String(prefixLength)
            }
            return addressText + "/" + maskText
        default:
            return NameText.colonHex(octets)
        }
    }

    /// Text for exactly 4 or 16 octets; nil for any other length.
    public static func formatAddress(_ octets: [UInt8]) -> String? {
        let family: Int32
        switch octets.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let succeeded = octets.withUnsafeBytes { source in
            inet_ntop(family, source.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard succeeded else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
