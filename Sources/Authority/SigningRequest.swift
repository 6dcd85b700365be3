import CACore
import CAStore
import Foundation
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
    public static func parse(_ bytes: [UInt8]) throws -> CertificateSigningRequest {
        let request: CertificateSigningRequest
        do {
            if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
                request = try CertificateSigningRequest(pemEncoded: text)
            } else {
                request = try CertificateSigningRequest(derEncoded: bytes)
            }
        } catch {
            throw CAError(.invalidInput, "the CSR cannot be parsed: it is not a PKCS#10 request in PEM or DER form")
        }
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw CAError(.invalidInput, "the CSR's signature does not verify: it was not signed by its own key")
        }
        return request
    }
}

/// The certificate as issued and stored, with the chain up to the root for `--bundle`.
public struct IssuedCertificate: Sendable {
    public let record: CertificateRecord
    public let certificate: Certificate
    public let chain: [Certificate]
}
