/// Which addresses the ACME validator refuses to connect to by default: loopback, private, link-local,
/// shared, multicast and unspecified ranges (RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291), where a
/// request would reach the CA's own network instead of the internet.
public enum AddressPolicy {
    public static func isPrivate(_ text: String) -> Bool {
        guard let bytes = IPAddressText.addressBytes(text) else { return true }
        if bytes.count == 4 { return isPrivateVersion4(bytes) }
        // IPv4-mapped (::ffff:a.b.c.d) addresses are judged as the IPv4 address they carry.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isPrivateVersion4(Array(bytes[12...]))
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xFF { return true }  // multicast
        return false
    }

    private static func isPrivateVersion4(_ bytes: [UInt8]) -> Bool {
        switch (bytes[0], bytes[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true
        case (169, 254): return true
        case (172, 16...31): return true
        case (192, 168): return true
        case (224...255, _): return true
        default: return false
        }
    }
}
