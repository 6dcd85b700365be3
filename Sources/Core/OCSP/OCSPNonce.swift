import SwiftASN1

// RFC 6960 §4.4.1 and RFC 8954 §2.1:
//
// id-pkix-ocsp           OBJECT IDENTIFIER ::= { id-ad-ocsp }
// id-pkix-ocsp-nonce     OBJECT IDENTIFIER ::= { id-pkix-ocsp 2 }
//
// Nonce ::= OCTET STRING(SIZE(1..32))
//
// "The value of the nonce MUST be an OCTET STRING ... carried in the extnValue" (RFC 8954 §2.1), and a
// responder "MUST reject any OCSP request that has a nonce with a length of either 0 octets or greater than
// 32 octets with the malformedRequest OCSPResponseStatus".

/// The nonce extension, which ties a response to one request so that it cannot be replayed.
enum OCSPNonce {
    /// 1.3.6.1.5.5.7.48.1.2
    static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]
    /// The DER of ``oid``, written out because every response with a nonce starts its extension with it.
    static let encodedOID: [UInt8] = [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02]
    static let allowedLengths = 1...32

    /// Checks that an extnValue holds a DER OCTET STRING of 1 to 32 octets and returns it unchanged.
    ///
    /// - Throws: `CAError(.invalidInput)` otherwise.
    static func validated(extensionValue: ArraySlice<UInt8>) throws -> [UInt8] {
        let length: Int
        do {
            length = try ASN1OctetString(derEncoded: extensionValue).bytes.count
        } catch {
            throw CAError(.invalidInput, "the OCSP request is malformed: its nonce is not an OCTET STRING")
        }
        guard allowedLengths.contains(length) else {
            throw CAError(
                .invalidInput,
                "the OCSP request is malformed: its nonce is \(length) octets long; RFC 8954 allows 1 to 32")
        }
        return Array(extensionValue)
    }

    /// `[1] EXPLICIT Extensions` holding just the non-critical nonce extension with `extensionValue`.
    static func responseExtensions(extensionValue: [UInt8]) -> [UInt8] {
        // critical DEFAULT FALSE is left out, as DER requires for a default.
        let nonceExtension = DERBytes.tagged(0x30, encodedOID + DERBytes.tagged(0x04, extensionValue))
        return DERBytes.tagged(0xA1, DERBytes.tagged(0x30, nonceExtension))
    }
}
