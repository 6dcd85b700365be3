/// The identifier an ACME challenge validates: a DNS name (RFC 8555) or an IP address (RFC 8738).
public enum ChallengeIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// A DNS name, without a trailing dot.
    case dnsName(String)
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network order.
    case ipAddress([UInt8])

    /// Creates an IP identifier from its textual form, or nil when the text is not an IP literal.
    public init?(ipAddressLiteral text: String) {
        guard let bytes = IPAddressText.addressBytes(text) else { return nil }
        self = .ipAddress(bytes)
    }

    /// The TLS server name a validator sends for this identifier in tls-alpn-01.
    ///
    /// SNI cannot carry IP literals, so RFC 8738 §6 uses the reverse-mapping name
    /// ("4.3.2.1.in-addr.arpa" or the nibble form under "ip6.arpa").
    public var tlsServerName: String {
        switch self {
        case .dnsName(let name):
            return name
        case .ipAddress(let bytes) where bytes.count == 4:
            return bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
        case .ipAddress(let bytes):
            let nibbles = bytes.flatMap { [$0 >> 4, $0 & 0x0F] }
            return nibbles.reversed().map { String($0, radix: 16) }.joined(separator: ".") + ".ip6.arpa"
        }
    }

    public var description: String {
        switch self {
        case .dnsName(let name): return name
        case .ipAddress(let bytes): return IPAddressText.format(bytes)
        }
    }
}
