import CACore
import Crypto
import Foundation
import X509

/// The body of an OCSP POST, or the decoded path of a GET, as `OCSPResponder.answer` handles it: parsed by
/// `OCSPRequest`, then each CertID's serial looked up and the CertIDs and nonce echoed in a signed response.
enum OCSPRequestTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard let request = try? OCSPRequest(derEncoded: bytes) else { return }
        let now = Date()
        let singles = request.certIDs.map { certID in
            _ = SerialNumberText.hex(bytes: certID.serialNumber)
            return OCSPSingleResponse(certID: certID, status: .good, thisUpdate: now, nextUpdate: now + 3_600)
        }
        _ = try? responder?.sign(singles, producedAt: now, nonce: request.nonce)
    }

    /// A throwaway responder, made once: signing echoes the parsed CertIDs and nonce into DER.
    private static let responder: OCSPResponseSigner? = {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try? DistinguishedName { CommonName("fuzzing OCSP responder") }
        guard let name,
            let certificate = try? Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
                notValidBefore: Date(), notValidAfter: Date() + 86_400, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: key)
        else { return nil }
        return try? OCSPResponseSigner(responderCertificate: certificate, key: key)
    }()
}
