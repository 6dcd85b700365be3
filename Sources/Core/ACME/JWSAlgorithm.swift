// RFC 8555 §6.2:
//
//    o  The JWS Protected Header MUST include the following fields:
//       *  "alg" (Algorithm)
//          +  This field MUST NOT contain "none" or a Message
//             Authentication Code (MAC) algorithm (e.g.  one in which the
//             algorithm registry description mentions MAC/HMAC).
//
//    An ACME server MUST implement the "ES256" signature algorithm
//    [RFC7518] and SHOULD implement the "EdDSA" signature algorithm using
//    the "Ed25519" variant (indicated by "crv") [RFC8037].
//
// RFC 7518 §3.4: ES256 and ES384 signatures are R and S as fixed-length big-endian octet sequences,
// concatenated: 64 octets for P-256, 96 for P-384. RFC 8037 §3.1: EdDSA takes the key's curve from
// its JWK ("crv": "Ed25519").

/// The signature algorithms swift-ca accepts on an ACME request, with their JOSE names.
///
/// One algorithm per accepted key type (see ``JSONWebKey``): RS256 for RSA, which certbot uses by default,
/// ES256 and ES384 for the NIST curves, EdDSA for Ed25519. "none" and the HMAC algorithms are refused as
/// RFC 8555 requires; RS384, RS512 and PS* because common clients sign RSA keys with RS256; ES512 because
/// P-521 account keys are not accepted.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable {
    case rs256 = "RS256"
    case es256 = "ES256"
    case es384 = "ES384"
    case edDSA = "EdDSA"

    /// The algorithm an `alg` header value names.
    ///
    /// - Throws: `JWSError(.badSignatureAlgorithm)` for any other value, saying which are accepted.
    public init(headerValue: String) throws(JWSError) {
        guard let algorithm = JWSAlgorithm(rawValue: headerValue) else {
            let accepted = Self.allCases.map(\.rawValue).joined(separator: ", ")
            let reason: String
            switch headerValue {
            case "none": reason = "an unsigned JWS (alg \"none\") is not accepted"
            case "HS256", "HS384", "HS512": reason = "a MAC algorithm (\(headerValue)) cannot sign an ACME request"
            default: reason = "the algorithm \(JWSParsing.quoted(headerValue)) is not supported"
            }
            throw JWSError(.badSignatureAlgorithm, "\(reason); use one of \(accepted)")
        }
        self = algorithm
    }
}
