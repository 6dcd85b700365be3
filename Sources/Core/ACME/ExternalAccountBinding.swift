// RFC 8555 §7.3.4:
//
//    The payload of this JWS is the ACME account key being registered, in
//    JWK form.  The protected header of the JWS MUST meet the following
//    criteria:
//
//    o  The "alg" field MUST indicate a MAC-based algorithm
//    o  The "kid" field MUST contain the key identifier provided by the CA
//    o  The "nonce" field MUST NOT be present
//    o  The "url" field MUST be set to the same value as the outer JWS
//
//    The "signature" field of the JWS will contain the MAC value computed
//    with the MAC key provided by the CA.
//
//    To verify the account binding, the CA MUST take the following steps:
//
//    1.  Verify that the value of the field is a well-formed JWS
//    2.  Verify that the JWS protected header meets the above criteria
//    3.  Retrieve the MAC key corresponding to the key identifier in the
//        "kid" field
//    4.  Verify that the MAC on the JWS verifies using that MAC key
//    5.  Verify that the payload of the JWS represents the same key as was
//        used to verify the outer JWS (i.e., the "jwk" field of the outer
//        JWS)
//
// RFC 7518 §3.2: HS256, HS384 and HS512 are HMAC with SHA-256, SHA-384 and SHA-512.

import Crypto

/// The `externalAccountBinding` of a newAccount request: a flattened JWS, MAC'd with a key the CA handed
/// out, over the new account's key.
///
/// Parsing covers steps 1 and 2 above and yields ``keyID`` for step 3; ``verify(expectedKeyID:macKey:outerURL:accountKey:)``
/// does steps 4 and 5. Structural faults are `malformed`; a binding that is well formed but not made with
/// the expected key, for the request's URL and the request's key is `unauthorized`.
public struct ExternalAccountBinding: Sendable {
    public enum MACAlgorithm: String, Sendable, Hashable, CaseIterable {
        case hs256 = "HS256"
        case hs384 = "HS384"
        case hs512 = "HS512"
    }

    public let algorithm: MACAlgorithm
    /// The key identifier the CA gave with the MAC key.
    public let keyID: String
    public let url: String
    private let payload: [UInt8]
    private let signature: [UInt8]
    private let signingInput: [UInt8]

    /// Reads the binding from the `externalAccountBinding` member of the newAccount payload.
    ///
    /// - Throws: `JWSError(.malformed)` for anything but a flattened JWS with an HS256, HS384 or HS512
    ///   `alg`, a non-empty `kid` and `url`, and no `nonce`.
    public init(jsonObject: Any) throws(JWSError) {
        let what = "the external account binding"
        let members = try FlattenedJWSMembers(jsonObject: jsonObject, what: what)
        let header = members.header
        let algorithmName = try JWSParsing.string("alg", in: header, what: "the protected header of \(what)")
        guard let algorithm = MACAlgorithm(rawValue: algorithmName) else {
            throw JWSError(
                .malformed, "\(what) has alg \(JWSParsing.quoted(algorithmName)); it must be HS256, HS384 or HS512")
        }
        for forbidden in ["nonce", "crit", "b64"] where header[forbidden] != nil {
            throw JWSError(.malformed, "the protected header of \(what) must not have \"\(forbidden)\"")
        }
        keyID = try JWSParsing.string("kid", in: header, what: "the protected header of \(what)")
        url = try JWSParsing.string("url", in: header, what: "the protected header of \(what)")
        guard !keyID.isEmpty, !url.isEmpty else {
            throw JWSError(.malformed, "the protected header of \(what) has an empty \"kid\" or \"url\"")
        }
        self.algorithm = algorithm
        payload = members.payload
        signature = members.signature
        signingInput = members.signingInput
    }

    /// Checks the binding against the CA's record of it and the outer request.
    ///
    /// - Parameters:
    ///   - expectedKeyID: the key identifier the CA's record is for; normally the one looked up by ``keyID``.
    ///   - macKey: the MAC key, decoded (CAs hand it out base64url-encoded).
    ///   - outerURL: the outer JWS's `url`.
    ///   - accountKey: the outer JWS's `jwk`.
    /// - Throws: `JWSError(.unauthorized)` for another key identifier or URL, a MAC that does not verify,
    ///   or a payload that is another key; `JWSError(.malformed)` for a payload that is not a public JWK.
    public func verify(expectedKeyID: String, macKey: [UInt8], outerURL: String, accountKey: JSONWebKey) throws(JWSError) {
        guard keyID == expectedKeyID else {
            throw JWSError(.unauthorized, "the external account binding is for key identifier \(JWSParsing.quoted(keyID)), not the expected one")
        }
        guard url == outerURL else {
            throw JWSError(.unauthorized, "the external account binding's \"url\" differs from the request's")
        }
        // An empty key would let anyone compute the MAC; it can only come from a broken record.
        guard !macKey.isEmpty, isValidMAC(key: SymmetricKey(data: macKey)) else {
            throw JWSError(.unauthorized, "the external account binding's MAC does not verify with the key for its key identifier")
        }
        // Parsed only once the MAC shows the CA's customer wrote it.
        let boundKey = try JSONWebKey(json: payload)
        guard boundKey == accountKey else {
            throw JWSError(.unauthorized, "the external account binding is for another account key than the request's")
        }
    }

    /// Reads and checks a binding in one step, for callers that already know which key identifier to expect.
    public static func verify(
        _ jsonObject: Any, expectedKeyID: String, macKey: [UInt8], outerURL: String, accountKey: JSONWebKey
    ) throws(JWSError) {
        try ExternalAccountBinding(jsonObject: jsonObject).verify(
            expectedKeyID: expectedKeyID, macKey: macKey, outerURL: outerURL, accountKey: accountKey)
    }

    /// Constant-time comparison, through swift-crypto's `isValidAuthenticationCode`.
    private func isValidMAC(key: SymmetricKey) -> Bool {
        switch algorithm {
        case .hs256: return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
        case .hs384: return HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
        case .hs512: return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
        }
    }
}
