import CACore
import CAStore

/// What the ACME service asks of the network: does the client control the identifier, and may this CA
/// issue for it (CAA)? Implemented over NIO in the Validation module, so that this module stays free of
/// sockets and tests can substitute their own.
public protocol ChallengeValidator: Sendable {
    /// nil when the challenge is fulfilled and CAA allows issuance; otherwise the problem to record.
    func validate(_ attempt: ChallengeAttempt) async -> ACMEProblem?
}

/// One validation to perform.
public struct ChallengeAttempt: Sendable {
    /// `http-01`, `dns-01` or `tls-alpn-01`.
    public let type: String
    /// The identifier without any wildcard label; `isWildcard` tells.
    public let identifier: ACMEIdentifier
    public let isWildcard: Bool
    public let token: String
    /// token "." base64url(JWK thumbprint), RFC 8555 §8.1.
    public let keyAuthorization: String
    /// The account URL, for CAA `accounturi` (RFC 8657).
    public let accountURL: String
    /// The CA's CAA issuer domain names (`--caa`); empty when none is configured.
    public let caaIdentities: [String]

    public init(
        type: String, identifier: ACMEIdentifier, isWildcard: Bool, token: String, keyAuthorization: String, accountURL: String,
        caaIdentities: [String]
    ) {
        self.type = type
        self.identifier = identifier
        self.isWildcard = isWildcard
        self.token = token
        self.keyAuthorization = keyAuthorization
        self.accountURL = accountURL
        self.caaIdentities = caaIdentities
    }
}
