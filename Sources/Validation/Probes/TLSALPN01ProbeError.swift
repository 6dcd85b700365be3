/// Why fetching a tls-alpn-01 challenge certificate failed.
public enum TLSALPN01ProbeError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidAddress(String)
    case invalidServerName(String)
    case connectionRefused(endpoint: String)
    case connectionFailed(endpoint: String, reason: String)
    case timedOut(endpoint: String, timeout: Duration)
    case handshakeFailed(endpoint: String, reason: String)
    case connectionClosedDuringHandshake(endpoint: String)
    case applicationProtocolNotNegotiated(negotiated: String?)
    case missingPeerCertificate
    case unparseablePeerCertificate(String)

    /// A message that can be shown to the ACME client as is.
    public var message: String {
        switch self {
        case .invalidAddress(let address):
            return "\"\(address)\" is not an IPv4 or IPv6 address."
        case .invalidServerName(let name):
            return "\"\(name)\" cannot be sent as a TLS server name; IP identifiers use their in-addr.arpa or ip6.arpa name."
        case .connectionRefused(let endpoint):
            return "The connection to \(endpoint) was refused."
        case .connectionFailed(let endpoint, let reason):
            return "Could not connect to \(endpoint): \(reason)"
        case .timedOut(let endpoint, let timeout):
            return "The TLS handshake with \(endpoint) did not complete within \(timeout)."
        case .handshakeFailed(let endpoint, let reason):
            return "The TLS handshake with \(endpoint) failed: \(reason)"
        case .connectionClosedDuringHandshake(let endpoint):
            return "The server at \(endpoint) closed the connection during the TLS handshake."
        case .applicationProtocolNotNegotiated(let negotiated):
            let found = negotiated.map { "\"\($0)\"" } ?? "no protocol"
            return "The server did not negotiate the \"acme-tls/1\" ALPN protocol (it chose \(found))."
        case .missingPeerCertificate:
            return "The server did not present a certificate."
        case .unparseablePeerCertificate(let reason):
            return "The server's certificate could not be parsed: \(reason)"
        }
    }

    public var description: String { message }
}
