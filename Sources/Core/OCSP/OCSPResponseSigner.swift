import Crypto
import Foundation
import SwiftASN1
import X509

// RFC 6960 §4.2.1:
//
// BasicOCSPResponse       ::= SEQUENCE {
//    tbsResponseData      ResponseData,
//    signatureAlgorithm   AlgorithmIdentifier,
//    signature            BIT STRING,
//    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//
// ResponseData ::= SEQUENCE {
//    version              [0] EXPLICIT Version DEFAULT v1,
//    responderID              ResponderID,
//    producedAt               GeneralizedTime,
//    responses                SEQUENCE OF SingleResponse,
//    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//
// ResponderID ::= CHOICE {
//    byName               [1] Name,
//    byKey                [2] KeyHash }
//
// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
//                          (excluding the tag and length fields)
//
// "The value for signature SHALL be computed on the hash of the DER encoding of ResponseData." (§4.2.1)
// SingleResponse: see SingleResponse.swift; the nonce extension: see OCSPNonce.swift.

/// Signs OCSP responses with one responder certificate and key: a CA's delegated responder (a certificate
/// the CA issued with the OCSPSigning extended key usage, RFC 6960 §4.2.2.2) or the CA itself.
///
/// Everything that is the same in every response (responder ID, signature algorithm, the certificate that
/// goes with the response) is encoded once here; `sign` only concatenates the per-response parts and signs,
/// so signing dominates its cost.
///
/// ```swift
/// let signer = try OCSPResponseSigner(responderCertificate: responder, key: responderKey)
/// let request = try OCSPRequest(derEncoded: body)
/// let answers = request.certIDs.map {
///     OCSPSingleResponse(certID: $0, status: lookUp($0), thisUpdate: now, nextUpdate: later)
/// }
/// let der = try signer.sign(answers, producedAt: now, nonce: request.nonce)
/// ```
public struct OCSPResponseSigner: Sendable {
    private let key: Certificate.PrivateKey
    private let signatureAlgorithm: Certificate.SignatureAlgorithm
    private let algorithmIdentifier: [UInt8]
    /// `[2] EXPLICIT KeyHash`. byKey rather than byName: shorter, and what RFC 5019 §2.2.3 recommends.
    private let responderID: [UInt8]
    /// `[0] EXPLICIT SEQUENCE OF Certificate` with the responder certificate, which a client needs to check
    /// a delegated responder's signature (RFC 6960 §4.2.2.2).
    private let certificates: [UInt8]

    /// Prepares to sign as `responderCertificate`.
    ///
    /// The certificate's extended key usage is not checked, because the CA may answer for itself.
    ///
    /// - Parameter hash: The signature's hash; by default the one matching the key (SHA-256 for P-256 and
    ///   RSA, SHA-384 for P-384). Ed25519 keys take none.
    /// - Throws: `CAError(.keyAccess)` if `key` does not belong to the certificate, `CAError(.invalidInput)`
    ///   for a key type or hash that cannot sign.
    public init(responderCertificate: Certificate, key: Certificate.PrivateKey, hash: SignatureHash? = nil) throws {
        guard responderCertificate.publicKey == key.publicKey else {
            throw CAError(
                .keyAccess,
                "the private key does not belong to the OCSP responder certificate \(responderCertificate.subject)")
        }
        guard let keyAlgorithm = KeyAlgorithm(publicKey: key.publicKey) else {
            throw CAError(.invalidInput, "the OCSP responder key type is not supported")
        }
        self.key = key
        signatureAlgorithm = try SignatureHash.signatureAlgorithm(for: keyAlgorithm, hash: hash)
        algorithmIdentifier = try CertificateBlueprint.encodeAlgorithmIdentifier(signatureAlgorithm)
        let keyHash = Insecure.SHA1.hash(data: try HashedCertificateFields(responderCertificate).subjectPublicKey)
        responderID = DERBytes.tagged(0xA2, DERBytes.tagged(0x04, Array(keyHash)))
        certificates = DERBytes.tagged(
            0xA0, DERBytes.tagged(0x30, try CertificateBlueprint.encode(responderCertificate)))
    }

    /// Signs a response about the certificates in `responses`.
    ///
    /// - Parameters:
    ///   - responses: One answer per CertID of the request, usually in the request's order.
    ///   - producedAt: When the response is signed.
    ///   - nonce: The request's ``OCSPRequest/nonce``, repeated in a non-critical nonce extension; `nil`
    ///     leaves the response without extensions, so that it can be cached and served to anyone.
    /// - Returns: The DER OCSPResponse with status successful.
    /// - Throws: `CAError(.invalidInput)` for no responses, a nonce that is not a 1 to 32 octet OCTET STRING,
    ///   or an unwritable date; `CAError(.keyAccess)` if the key cannot sign.
    public func sign(_ responses: [OCSPSingleResponse], producedAt: Date, nonce: [UInt8]?) throws -> [UInt8] {
        guard !responses.isEmpty else {
            throw CAError(.invalidInput, "an OCSP response must answer for at least one certificate")
        }
        var singleResponses: [UInt8] = []
        singleResponses.reserveCapacity(responses.count * 128)
        for response in responses {
            try response.append(to: &singleResponses)
        }
        // version is left out: v1 is the DEFAULT, which DER does not write.
        var responseData = responderID
        responseData += try DERTime.encodeGeneralized(producedAt)
        responseData += DERBytes.tagged(0x30, singleResponses)
        if let nonce {
            let extensionValue = try OCSPNonce.validated(extensionValue: nonce[...])
            responseData += OCSPNonce.responseExtensions(extensionValue: extensionValue)
        }
        let tbsResponseData = DERBytes.tagged(0x30, responseData)

        let signature: Certificate.Signature
        do {
            signature = try key.sign(bytes: tbsResponseData, signatureAlgorithm: signatureAlgorithm)
        } catch {
            throw CAError(.keyAccess, "the OCSP responder key could not sign: \(error)")
        }
        // BIT STRING with no unused bits.
        let signatureValue = DERBytes.tagged(0x03, [0x00] + signature.rawRepresentation)
        let basicResponse = DERBytes.tagged(0x30, tbsResponseData + algorithmIdentifier + signatureValue + certificates)
        return OCSPResponse.successful(basicResponse: basicResponse)
    }
}
