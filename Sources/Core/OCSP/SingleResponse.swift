import Foundation

// RFC 6960 §4.2.1:
//
// SingleResponse ::= SEQUENCE {
//    certID                       CertID,
//    certStatus                   CertStatus,
//    thisUpdate                   GeneralizedTime,
//    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//
// CertStatus ::= CHOICE {
//     good        [0]     IMPLICIT NULL,
//     revoked     [1]     IMPLICIT RevokedInfo,
//     unknown     [2]     IMPLICIT UnknownInfo }
//
// RevokedInfo ::= SEQUENCE {
//     revocationTime              GeneralizedTime,
//     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
//
// UnknownInfo ::= NULL
//
// CRLReason: RFC 5280 §5.3.1, see RevokedEntry.swift.
//
// "The thisUpdate and nextUpdate fields define a recommended validity interval." (§4.2.2.1) RFC 5280
// §4.1.2.5.2: GeneralizedTime values MUST be expressed in UTC and MUST NOT include fractional seconds.

/// What a responder says about one certificate.
public enum OCSPCertificateStatus: Sendable, Hashable {
    case good
    /// Revoked at a time and, if known, for a reason. `unspecified` is written like `nil`, with no reason:
    /// RFC 5280 §5.3.1 asks for the reason code to be left out rather than given as unspecified.
    case revoked(at: Date, reason: RevocationReason?)
    /// The responder does not know the certificate, for example because another CA issued it.
    case unknown
}

/// The answer for one CertID of a request.
public struct OCSPSingleResponse: Sendable, Hashable {
    /// The CertID as the request sent it; its ``OCSPCertID/derEncoded`` bytes are repeated unchanged.
    public var certID: OCSPCertID
    public var status: OCSPCertificateStatus
    /// When the status was known to be correct.
    public var thisUpdate: Date
    /// When newer information will be available; clients cache the response until then. Always written
    /// because a response without it, RFC 6960 §4.2.2.1 says, means newer information is always available,
    /// which defeats caching and is not allowed by the CA/Browser Forum's requirements.
    public var nextUpdate: Date

    public init(certID: OCSPCertID, status: OCSPCertificateStatus, thisUpdate: Date, nextUpdate: Date) {
        self.certID = certID
        self.status = status
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
    }

    /// The DER SingleResponse, appended to `buffer`.
    ///
    /// - Throws: `CAError(.invalidInput)` if `nextUpdate` is before `thisUpdate` or a date cannot be written.
    func append(to buffer: inout [UInt8]) throws {
        guard nextUpdate >= thisUpdate else {
            throw CAError(
                .invalidInput, "an OCSP response's nextUpdate \(nextUpdate) is before its thisUpdate \(thisUpdate)")
        }
        var content = certID.derEncoded
        switch status {
        case .good:
            content += [0x80, 0x00]
        case .revoked(let revocationTime, let reason):
            var revokedInfo = try DERTime.encodeGeneralized(revocationTime)
            if let reason, reason != .unspecified {
                revokedInfo += [0xA0, 0x03, 0x0A, 0x01, UInt8(truncatingIfNeeded: reason.value)]
            }
            content += DERBytes.tagged(0xA1, revokedInfo)
        case .unknown:
            content += [0x82, 0x00]
        }
        content += try DERTime.encodeGeneralized(thisUpdate)
        content += DERBytes.tagged(0xA0, try DERTime.encodeGeneralized(nextUpdate))
        buffer += DERBytes.tagged(0x30, content)
    }
}
