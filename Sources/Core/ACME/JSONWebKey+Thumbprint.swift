// RFC 7638 §3:
//
//    The thumbprint of a JSON Web Key (JWK) is computed as follows:
//
//    1.  Construct a JSON object [RFC7159] containing only the required
//        members of a JWK representing the key and with no whitespace or
//        line breaks before or after any syntactic elements and with the
//        required members ordered lexicographically by the Unicode
//        [UNICODE] code points of the member names.  (This JSON object is
//        itself a legal JWK representation of the key.)
//
//    2.  Hash the octets of the UTF-8 representation of this JSON object
//        with a cryptographic hash function H.  For example, SHA-256 [SHS]
//        might be used as H.
//
// RFC 8555 §8.1:
//
//    keyAuthorization = token || '.' || base64url(Thumbprint(accountKey))
//
//    The "Thumbprint" step indicates the computation specified in
//    [RFC7638], using the SHA-256 digest [FIPS180-4].

import Crypto

extension JSONWebKey {
    /// The thumbprint input: the required members, sorted, without whitespace. It is also the JWK in its
    /// shortest form, fit to store.
    ///
    /// Written by hand rather than with a JSON encoder because every name and value is base64url or a
    /// fixed key type or curve name, none of which needs escaping, and the exact bytes matter.
    public var canonicalJSON: String {
        let pairs = members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// The base64url SHA-256 JWK thumbprint (RFC 7638), as ACME uses it.
    public func thumbprint() -> String {
        Base64URL.encode(SHA256.hash(data: Array(canonicalJSON.utf8)))
    }

    /// The key authorization a challenge response must carry for `token` (RFC 8555 §8.1).
    public func keyAuthorization(token: String) -> String {
        token + "." + thumbprint()
    }
}
