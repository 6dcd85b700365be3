import Foundation

/// What one client may make the server hold: bytes per request, connections, time to send a request, and ACME
/// orders. A request over a limit is refused (413, 400, 429) or its connection closed, and changes nothing.
public struct RequestLimits: Sendable, Equatable {
    /// CA_MAX_OCSP_REQUEST_BYTES: an OCSP request for 100 certificates is under 10 KB.
    public var ocspRequestBytes = 32 * 1024
    /// CA_MAX_ACME_REQUEST_BYTES: a JWS with a CSR for a 16k RSA key and 100 names stays far below.
    public var acmeRequestBytes = 128 * 1024
    /// CA_MAX_API_REQUEST_BYTES: REST API bodies (a CSR and its options).
    public var apiRequestBytes = 64 * 1024
    /// CA_MAX_WEB_REQUEST_BYTES: web interface forms (a CSR and a few fields).
    public var webRequestBytes = 1024 * 1024
    /// CA_MAX_HEADER_BYTES: a request's header lines together, and any one of them (400 above, and the connection closes).
    public var headerBytes = 16 * 1024
    /// CA_MAX_CONNECTIONS: open connections per listener; further ones wait in the kernel's queue until one closes.
    public var connections = 1024
    /// CA_REQUEST_TIMEOUT: seconds a client has to send a whole request (headers and body), and that a connection
    /// may stay idle between requests; a client that trickles its bytes is disconnected when they run out.
    public var requestSeconds: TimeInterval = 30
    /// CA_ACME_MAX_NEW_ORDERS_PER_HOUR: new orders per ACME account in any hour (429 rateLimited above).
    public var acmeNewOrdersPerHour = 300

    public init() {}
}
