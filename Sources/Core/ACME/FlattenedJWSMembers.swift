// RFC 7515 §7.2.2:
//
//    The flattened JWS JSON Serialization syntax is based upon the general
//    syntax but flattens it, optimizing it for the single digital
//    signature/MAC case.  It flattens it by removing the "signatures"
//    member and instead placing those members defined for use in the
//    "signatures" array (the "protected", "header", and "signature"
//    members) in the top-level JSON object (at the same level as the
//    "payload" member).
//
//    The "signatures" member MUST NOT be present when using this syntax.
//
// RFC 8555 §6.2's rules for the serialization: see FlattenedJWS.swift.

/// The members of a flattened JWS, decoded but not yet checked beyond their syntax: what an ACME request
/// and an external account binding have in common.
struct FlattenedJWSMembers {
    /// The protected header as JSON, for the caller's own rules.
    let header: [String: Any]
    let payload: [UInt8]
    let signature: [UInt8]
    /// ASCII(protected || '.' || payload), exactly as sent: what the signature covers.
    let signingInput: [UInt8]

    /// Decodes a flattened JWS; `what` names it in error messages ("the request body").
    ///
    /// Members other than the four RFC 7515 defines are ignored, as §7.2.1 requires.
    init(jsonObject: Any, what: String) throws(JWSError) {
        guard let object = jsonObject as? [String: Any] else {
            throw JWSError(.malformed, "\(what) is not a JSON object")
        }
        guard object["signatures"] == nil else {
            throw JWSError(.malformed, "\(what) is a JWS in the general serialization; ACME requires the flattened one")
        }
        guard object["header"] == nil else {
            throw JWSError(.malformed, "\(what) has an unprotected JWS header, which ACME forbids")
        }
        let protectedText = try JWSParsing.string("protected", in: object, what: what)
        let payloadText = try JWSParsing.string("payload", in: object, what: what)
        guard !protectedText.isEmpty else {
            throw JWSError(.malformed, "the \"protected\" member of \(what) is empty")
        }
        let protectedBytes = try JWSParsing.base64URL("protected", in: object, what: what)
        payload = try JWSParsing.base64URL("payload", in: object, what: what)
        signature = try JWSParsing.base64URL("signature", in: object, what: what)
        header = try JWSParsing.object(json: protectedBytes, what: "the protected header of \(what)")
        // Base64URL.decode accepted both texts, so they are ASCII and their UTF-8 is the ASCII the RFC asks for.
        signingInput = Array(protectedText.utf8) + [UInt8(ascii: ".")] + Array(payloadText.utf8)
    }
}
