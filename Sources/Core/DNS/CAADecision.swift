/// The outcome of a CAA check and why, phrased for the `detail` of an ACME `caa` problem.
public struct CAADecision: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        /// No relevant CAA record, or one that authorizes this CA for this request.
        case permitted
        /// A relevant CAA record set exists and does not authorize this request.
        case forbidden
        /// A lookup failed, so CAA could not be checked; issuance is refused (fail closed).
        case lookupFailed
    }

    public let outcome: Outcome
    /// Where the relevant record set was found, or the name whose lookup failed; nil when the
    /// whole tree had no CAA records.
    public let domain: String?
    public let reason: String

    public init(outcome: Outcome, domain: String?, reason: String) {
        self.outcome = outcome
        self.domain = domain
        self.reason = reason
    }

    public var permitsIssuance: Bool { outcome == .permitted }

    public var description: String { reason }
}
