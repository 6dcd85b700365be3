import SwiftASN1

// RFC 6960 §4.2.1:
//
// OCSPResponse ::= SEQUENCE {
//    responseStatus         OCSPResponseStatus,
//    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//
// OCSPResponseStatus ::= ENUMERATED {
//     successful            (0),  -- Response has valid confirmations
//     malformedRequest      (1),  -- Illegal confirmation request
//     internalError         (2),  -- Internal error in issuer
//     tryLater              (3),  -- Try again later
//                                 -- (4) is not used
//     sigRequired           (5),  -- Must sign the request
//     unauthorized          (6)   -- Request unauthorized
// }
//
// ResponseBytes ::=       SEQUENCE {
//     responseType   OBJECT IDENTIFIER,
//     response       OCTET STRING }
//
// id-pkix-ocsp-basic     OBJECT IDENTIFIER ::= { id-pkix-ocsp 1 }
//
// "For a basic OCSP responder, responseType will be id-pkix-ocsp-basic." (§4.2.1)

/// Whether a responder could answer at all. Anything but ``successful`` goes out unsigned, without
/// responseBytes, so it costs nothing to send.
public enum OCSPResponseStatus: UInt8, Sendable, CaseIterable {
    case successful = 0
    case malformedRequest = 1
    case internalError = 2
    case tryLater = 3
    case sigRequired = 5
    case unauthorized = 6
}

/// The outermost OCSP response structure.
public enum OCSPResponse {
    /// 1.3.6.1.5.5.7.48.1.1, written out because every signed response carries it.
    static let basicResponseTypeOID: [UInt8] = [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]

    /// The DER of an OCSPResponse that carries only `status`, for refusing a request.
    ///
    /// Pass an error status: `successful` without responseBytes is not a response clients accept; signed
    /// answers come from ``OCSPResponseSigner/sign(_:producedAt:nonce:)``.
    public static func error(_ status: OCSPResponseStatus) -> [UInt8] {
        [0x30, 0x03, 0x0A, 0x01, status.rawValue]
    }

    /// The DER of a successful OCSPResponse around the DER of a BasicOCSPResponse.
    static func successful(basicResponse: [UInt8]) -> [UInt8] {
        let responseBytes = DERBytes.tagged(0x30, basicResponseTypeOID + DERBytes.tagged(0x04, basicResponse))
        let status: [UInt8] = [0x0A, 0x01, OCSPResponseStatus.successful.rawValue]
        return DERBytes.tagged(0x30, status + DERBytes.tagged(0xA0, responseBytes))
    }
}
