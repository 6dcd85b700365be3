import Foundation
import SwiftASN1
import X509

/// A CSR as read from a file or standard input: PEM or DER, signature verified.
public enum CSRReader {
    public struct ParsedRequest: Sendable {
        public let publicKey: Certificate.PublicKey
        /// Stored so that `resign-cert` can sign it again.
        public let der: [UInt8]
        /// The SubjectPublicKeyInfo exactly as the requester encoded it, copied into the certificate.
        public let subjectPublicKeyInfo: ArraySlice<UInt8>

        /// For keys that arrive without a request: an OCSP responder's key, made by the CA itself.
        public init(publicKey: Certificate.PublicKey, der: [UInt8], subjectPublicKeyInfo: ArraySlice<UInt8>) {
            self.publicKey = publicKey
            self.der = der
            self.subjectPublicKeyInfo = subjectPublicKeyInfo
        }
    }

    public static func parse(_ bytes: [UInt8]) throws -> ParsedRequest {
        let request: CertificationRequest
        var der = bytes
        do {
            if bytes.first != 0x30, let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
                der = try PEMDocument(pemString: text).derBytes
            }
            request = try CertificationRequest(derEncoded: der)
        } catch let error as CAError {
            throw error
        } catch {
            if let bits = CertificationRequest.rsaModulusBits(ofRequest: der), bits < 2048 {
                throw CAError(.policy, "the CSR's key is an RSA key of \(bits) bits; CA_MIN_KEY_SIZE requires at least 2048")
            }
            throw CAError(.invalidInput, "the CSR cannot be parsed: it is not a PKCS#10 request in PEM or DER form")
        }
        guard request.isSignedByItsKey else {
            throw CAError(.invalidInput, "the CSR's signature does not verify: it was not signed by its own key")
        }
        return ParsedRequest(publicKey: request.publicKey, der: der, subjectPublicKeyInfo: request.subjectPublicKeyInfo)
    }
}
