// RFC 8555 §6.7 (excerpt): error types a JWS failure maps to.
//
//    | malformed               | The request message was malformed         |
//    | badSignatureAlgorithm   | The JWS was signed with an algorithm the  |
//    |                         | server does not support                   |
//    | badPublicKey            | The JWS was signed by a public key the    |
//    |                         | server does not support                   |
//    | badNonce                | The client sent an unacceptable anti-     |
//    |                         | replay nonce                              |
//    | unauthorized            | The client lacks sufficient authorization |
//
// RFC 8555 §6.2: "If the client sends a JWS signed with an algorithm that the server does not support,
// then the server MUST return an error with status code 400 (Bad Request) and type
// "urn:ietf:params:acme:error:badSignatureAlgorithm".  The problem document returned with the error MUST
// include an "algorithms" field with an array of supported "alg" values."

/// Why a JWS, a JWK or an external account binding was refused, in the terms an ACME server answers with.
public enum JWSFailure: String, Sendable, Hashable, CaseIterable {
    /// Not a well-formed flattened JWS, header or JWK as ACME requires it.
    case malformed
    /// `alg` names an algorithm ACME does not accept, or one that does not fit the key.
    case badSignatureAlgorithm
    /// The key is of a type, curve or size swift-ca does not accept, or not a valid key.
    case badPublicKey
    /// The signature does not verify. RFC 8555 has no error type of its own for this; ACME servers
    /// (Boulder, Pebble) answer `malformed`, and so does ``problemType``.
    case badSignature
    /// The protected header has no `nonce`. Whether a present nonce is acceptable is for the caller's nonce
    /// store to say, with the same failure.
    case badNonce
    /// Well formed and verified, but not by the party it must come from: an external account binding
    /// with the wrong MAC, key identifier, URL or account key.
    case unauthorized

    /// The ACME problem type (RFC 8555 §6.7) to answer with.
    public var problemType: String {
        let name = self == .badSignature ? "malformed" : rawValue
        return "urn:ietf:params:acme:error:" + name
    }
}

/// A refused JWS: the ``JWSFailure`` an ACME server turns into a problem document, and a single-line
/// message for its `detail` that says what is wrong without echoing more than a short part of the input.
public struct JWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let failure: JWSFailure
    public let message: String

    public init(_ failure: JWSFailure, _ message: String) {
        self.failure = failure
        self.message = message
    }

    public var description: String { message }

    /// The problem type, as ``JWSFailure/problemType``.
    public var problemType: String { failure.problemType }

    /// The `algorithms` member a badSignatureAlgorithm problem document must carry (RFC 8555 §6.2); nil
    /// for the other failures.
    public var supportedAlgorithms: [String]? {
        failure == .badSignatureAlgorithm ? JWSAlgorithm.allCases.map(\.rawValue) : nil
    }

    /// The same failure for callers outside ACME, which report every error as a `CAError`.
    public var caError: CAError { CAError(.invalidInput, message) }
}
