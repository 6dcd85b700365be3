/// Why fetching an http-01 challenge response failed.
public enum HTTP01FetchError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidAddress(String)
    case invalidPath(String)
    case connectionRefused(endpoint: String)
    case connectionFailed(endpoint: String, reason: String)
    case timedOut(endpoint: String, timeout: Duration)
    case bodyTooLarge(limit: Int)
    case malformedResponse(String)
    case connectionClosedBeforeResponse(endpoint: String)

    /// A message that can be shown to the ACME client as is.
    public var message: String {
        switch self {
        case .invalidAddress(let address):
            return "\"\(address)\" is not an IPv4 or IPv6 address."
        case .invalidPath(let path):
            return "\"\(path)\" is not a valid request path."
        case .connectionRefused(let endpoint):
            return "The connection to \(endpoint) was refused."
        case .connectionFailed(let endpoint, let reason):
            return "Could not connect to \(endpoint): \(reason)"
        case .timedOut(let endpoint, let timeout):
            return "The server at \(endpoint) did not send a complete response within \(timeout)."
        case .bodyTooLarge(let limit):
            return "The response body is larger than the \(limit)-byte limit for a key authorization."
        case .malformedResponse(let reason):
            return "The server sent a malformed HTTP response: \(reason)"
        case .connectionClosedBeforeResponse(let endpoint):
            return "The server at \(endpoint) closed the connection before sending a complete response."
        }
    }

    public var description: String { message }
}
