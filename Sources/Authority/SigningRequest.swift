import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// What a front end asks for when it wants a certificate for a CSR. Stored with the certificate (as JSON)
/// so that `resign-cert` can replay it with fresh CA-provided extensions.
public struct SigningRequest: Sendable, Codable, Equatable {
    /// RFC 4514 or OpenSSL-style subject; merged over the profile's or CA_DEFAULT_SUBJECT.
    public var subject: String?
    /// General names for the SAN, in `--alt` syntax.
    public var alternativeNames: [String] = []
    /// nil: CA_DEFAULT_PROFILE.
    public var profile: String?
    public var expiresDays: Int?
    public var hash: SignatureHash?
    public var overrides = ExtensionOverrides()
    /// Adds a CN that is a valid name to the SAN (the seed's documented behaviour; `--cn-not-in-san` turns it off).
    public var commonNameInAlternativeNames = true
    public var watchers: [String] = []

    public init() {}
}

/// A CSR as read from a file or standard input: PEM or DER, signature verified.
public enum CSRReader {
    public struct ParsedRequest: Sendable {
        public let publicKey: Certificate.PublicKey
        /// Stored so that `resign-cert` can sign it again.
        public let der: [UInt8]
        /// The SubjectPublicKeyInfo exactly as the requester encoded it, copied into the certificate.
        public let subjectPublicKeyInfo: ArraySlice<UInt8>
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
            if let bits = rsaModulusBits(bytes), bits < 2048 {
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

extension CSRReader {
    /// swift-crypto refuses RSA keys below 2048 bits, so such a CSR fails to parse; this finds the modulus
    /// size anyway so that the user learns why. CertificationRequest → certificationRequestInfo →
    /// subjectPKInfo → subjectPublicKey (BIT STRING holding RSAPublicKey) → modulus.
    static func rsaModulusBits(_ bytes: [UInt8]) -> Int? {
        var der = bytes
        if let text = String(bytes: bytes, encoding: .utf8), let document = try? PEMDocument(pemString: text) {
            der = document.derBytes
        }
        guard let request = try? DER.parse(der), case .constructed(let requestParts) = request.content,
            let information = requestParts.first(where: { _ in true }), case .constructed(let informationParts) = information.content
        else { return nil }
        let parts = Array(informationParts)
        guard parts.count >= 3, case .constructed(let keyInformation) = parts[2].content,
            let keyNode = Array(keyInformation).last, let key = try? ASN1BitString(derEncoded: keyNode),
            let rsaKey = try? DER.parse(Array(key.bytes)), case .constructed(let numbers) = rsaKey.content,
            let modulusNode = numbers.first(where: { _ in true }), case .primitive(let modulus) = modulusNode.content
        else { return nil }
        let significant = modulus.drop { $0 == 0 }
        guard let first = significant.first else { return nil }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}

/// The certificate as issued and stored, with the chain up to the root for `--bundle`.
public struct IssuedCertificate: Sendable {
    public let record: CertificateRecord
    public let certificate: Certificate
    public let chain: [Certificate]
}
