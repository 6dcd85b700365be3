// RFC 8555 §6.2:
//
//    JWS objects sent in ACME requests MUST meet the following additional
//    criteria:
//
//    o  The JWS MUST be in the Flattened JSON Serialization [RFC7515]
//    o  The JWS MUST NOT have multiple signatures
//    o  The JWS Unencoded Payload Option [RFC7797] MUST NOT be used
//    o  The JWS Unprotected Header [RFC7515] MUST NOT be used
//    o  The JWS Payload MUST NOT be detached
//
// RFC 8555 §6.3 (POST-as-GET), in short: the JWS payload is the empty octet string, so its "payload"
// member is present and "".
//
// RFC 7515 §5.2 (validation), in short: decode the protected header and check it, decode the payload
// and the signature, and validate the signature over ASCII(protected || '.' || payload) as sent.

/// An ACME request body: a flattened JWS whose protected header satisfies RFC 8555 §6.2.
///
/// Parsing checks the form; ``verify(with:)`` checks the signature. A request is to be trusted only
/// after both, and after the caller has checked ``JWSProtectedHeader/nonce`` and ``JWSProtectedHeader/url``.
public struct FlattenedJWS: Sendable {
    /// The largest body accepted, in bytes. The largest legitimate requests are finalize (a CSR) and
    /// revokeCert (a certificate), both base64url-encoded twice: a CSR with a hundred 253-character DNS
    /// names stays under 60 KiB that way. Checked before parsing, so an oversized body costs nothing.
    public static let maximumSize = 128 * 1024

    public let header: JWSProtectedHeader
    /// The decoded payload; empty for POST-as-GET.
    public let payload: [UInt8]
    /// The decoded signature.
    public let signature: [UInt8]
    /// ASCII(protected || '.' || payload) as sent.
    let signingInput: [UInt8]

    /// Parses a request body.
    ///
    /// - Throws: `JWSError`: `.malformed` for a body over ``maximumSize``, that is not JSON, not a flattened
    ///   JWS, or whose header breaks RFC 8555 §6.2; `.badSignatureAlgorithm` for an `alg` that is not
    ///   accepted; `.badNonce` without a nonce; `.badPublicKey` for an embedded key that is not accepted.
    public init(json body: some Collection<UInt8>) throws(JWSError) {
        let size = body.count
        guard size <= Self.maximumSize else {
            throw JWSError(.malformed, "the request body has \(size) bytes; at most \(Self.maximumSize) are accepted")
        }
        try self.init(jsonObject: try JWSParsing.object(json: body, what: "the request body"))
    }

    /// Parses a flattened JWS already read as JSON: a request body, or with `isInnerKeyChange` the payload
    /// of a key change (RFC 8555 §7.3.5), which embeds the new key and has no nonce.
    public init(jsonObject: Any, isInnerKeyChange: Bool = false) throws(JWSError) {
        let members = try FlattenedJWSMembers(
            jsonObject: jsonObject, what: isInnerKeyChange ? "the inner key change JWS" : "the request body")
        header = try JWSProtectedHeader(jsonObject: members.header, isInnerKeyChange: isInnerKeyChange)
        payload = members.payload
        signature = members.signature
        signingInput = members.signingInput
    }

    /// Whether this is a POST-as-GET request (RFC 8555 §6.3): its payload is empty.
    public var isPostAsGet: Bool { payload.isEmpty }

    /// The payload as a JSON object, as every ACME request other than POST-as-GET carries.
    ///
    /// - Throws: `JWSError(.malformed)` for an empty payload, or one that is not a JSON object.
    public func payloadJSONObject() throws(JWSError) -> [String: Any] {
        guard !payload.isEmpty else {
            throw JWSError(.malformed, "the request's payload is empty (POST-as-GET) where a JSON object is expected")
        }
        return try JWSParsing.object(json: payload, what: "the request's payload")
    }

    /// Checks the signature with `key`: the account's key for a request with `kid`, or ``JWSProtectedHeader/jwk``.
    ///
    /// - Throws: `JWSError(.badSignatureAlgorithm)` when `alg` does not fit the key;
    ///   `JWSError(.badSignature)` when the signature does not verify.
    public func verify(with key: JSONWebKey) throws(JWSError) {
        try key.verify(signature: signature, over: signingInput, algorithm: header.algorithm)
    }

    /// Checks the signature with the embedded `jwk` and returns that key, for requests that must carry
    /// one (newAccount, revokeCert by certificate key).
    ///
    /// - Throws: `JWSError(.malformed)` when the request has a `kid` instead; ``verify(with:)``'s errors.
    public func verifiedEmbeddedKey() throws(JWSError) -> JSONWebKey {
        guard let key = header.jwk else {
            throw JWSError(.malformed, "this request must carry its key as \"jwk\", not an account \"kid\"")
        }
        try verify(with: key)
        return key
    }
}
