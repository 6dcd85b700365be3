import CACore

/// Errors thrown by `DNSClient`. Outcomes the DNS itself reports (no records, SERVFAIL, timeouts)
/// are not thrown by `query`; they are values of `DNSLookupResult`.
public enum DNSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name cannot be put in a query.
    case invalidName(DNSMessageError)
    /// A convenience lookup got no trustworthy answer.
    case lookupFailed(name: String, type: DNSRecordType, failure: DNSLookupFailure)

    public var message: String {
        switch self {
        case .invalidName(let error):
            error.message
        case .lookupFailed(let name, let type, let failure):
            "The DNS lookup of the \(type) records of \(name) failed: \(failure.message)."
        }
    }

    public var description: String { message }
}
