// RFC 8555 §6.2:
//
//    o  The JWS Protected Header MUST include the following fields:
//       *  "alg" (Algorithm)
//       *  "jwk" (JSON Web Key, for all requests not signed using an
//          existing account, e.g. newAccount)
//       *  "kid" (Key ID, for all requests signed using an existing
//          account)
//       *  "nonce" (defined in Section 6.5)
//       *  "url" (defined in Section 6.4)
//
//    The "jwk" and "kid" fields are mutually exclusive.  Servers MUST
//    reject requests that contain both.
//
// RFC 8555 §6.5, in short: a request whose nonce is unacceptable or missing is refused with badNonce;
// §6.5.2: a "nonce" that is not base64url makes the request malformed.
//
// RFC 7515 §4.1.11, in short: a JWS whose "crit" names an extension the recipient does not understand is
// invalid. RFC 8555 §6.2: "The JWS Unencoded Payload Option [RFC7797] MUST NOT be used" ("b64").

/// The protected header of an ACME request's JWS, checked against RFC 8555 §6.2.
public struct JWSProtectedHeader: Sendable {
    /// How the request names the key that signed it.
    public enum KeyReference: Sendable, Equatable {
        /// The key itself, for newAccount and for revokeCert signed with the certificate's key.
        case jwk(JSONWebKey)
        /// The account URL, for every request made by an existing account.
        case kid(String)
    }

    public let algorithm: JWSAlgorithm
    public let key: KeyReference
    /// The anti-replay nonce as sent; the caller checks it against the nonces it issued. Empty in the
    /// inner JWS of a key change, which must not have one.
    public let nonce: String
    /// The URL the client meant to send the request to; the caller checks it against the one it received
    /// the request at (RFC 8555 §6.4, unauthorized when they differ).
    public let url: String

    /// Checks a decoded protected header.
    ///
    /// Unknown header parameters are ignored (RFC 7515 §4), except `crit`, which names extensions that
    /// must be understood, and `b64`, the unencoded payload option: no extension is supported.
    ///
    /// - Throws: `JWSError(.badSignatureAlgorithm)` for an `alg` other than ``JWSAlgorithm``'s;
    ///   `JWSError(.badNonce)` without a nonce; the JWK's errors for an embedded key;
    ///   `JWSError(.malformed)` for anything else amiss.
    ///
    /// - Parameter isInnerKeyChange: the header of the inner JWS of a key change (RFC 8555 §7.3.5), which
    ///   must embed the new key and must not carry a nonce.
    public init(jsonObject header: [String: Any], isInnerKeyChange: Bool = false) throws(JWSError) {
        let what = isInnerKeyChange ? "the protected header of the inner key change JWS" : "the protected header"
        algorithm = try JWSAlgorithm(headerValue: try JWSParsing.string("alg", in: header, what: what))
        for extensionMember in ["crit", "b64"] where header[extensionMember] != nil {
            throw JWSError(.malformed, "\(what) uses \"\(extensionMember)\"; JWS extensions are not supported")
        }
        switch (header["jwk"], try JWSParsing.optionalString("kid", in: header, what: what)) {
        case (let jwk?, nil):
            key = .jwk(try JSONWebKey(jsonObject: jwk))
        case (nil, let keyID?):
            guard !keyID.isEmpty else { throw JWSError(.malformed, "the \"kid\" of \(what) is empty") }
            key = .kid(keyID)
        case (.some, .some):
            throw JWSError(.malformed, "\(what) has both \"jwk\" and \"kid\"; send exactly one")
        case (nil, nil):
            throw JWSError(.malformed, "\(what) has neither \"jwk\" nor \"kid\"; send exactly one")
        }
        let sentNonce = try JWSParsing.optionalString("nonce", in: header, what: what)
        if isInnerKeyChange {
            guard sentNonce == nil else { throw JWSError(.malformed, "\(what) must not have a \"nonce\"") }
            guard case .jwk = key else { throw JWSError(.malformed, "\(what) must carry the new key as \"jwk\"") }
        }
        guard let nonce = isInnerKeyChange ? "" : sentNonce else {
            throw JWSError(.badNonce, "\(what) has no \"nonce\"; get one from newNonce")
        }
        guard isInnerKeyChange || (!nonce.isEmpty && Base64URL.decode(nonce) != nil) else {
            throw JWSError(.malformed, "the \"nonce\" of \(what) is not base64url without padding")
        }
        self.nonce = nonce
        url = try JWSParsing.string("url", in: header, what: what)
        guard !url.isEmpty else { throw JWSError(.malformed, "the \"url\" of \(what) is empty") }
    }

    /// The embedded key, or nil when the request names an account.
    public var jwk: JSONWebKey? {
        if case .jwk(let key) = key { return key }
        return nil
    }

    /// The account URL, or nil when the request embeds its key.
    public var keyID: String? {
        if case .kid(let keyID) = key { return keyID }
        return nil
    }
}
