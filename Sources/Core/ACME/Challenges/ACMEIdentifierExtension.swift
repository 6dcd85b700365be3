import Crypto
import SwiftASN1
import X509

/// The id-pe-acmeIdentifier certificate extension defined in RFC 8737 §3.
///
/// A tls-alpn-01 challenge certificate proves control of an identifier by carrying
/// the SHA-256 digest of the key authorization in this extension:
///
///     id-pe-acmeIdentifier OBJECT IDENTIFIER ::= { id-pe 31 }
///     Authorization ::= OCTET STRING (SIZE (32))
///
/// The extension's extnValue is the DER encoding of `Authorization`.
public struct ACMEIdentifierExtension: Hashable, Sendable {
    /// Length of a SHA-256 digest, which RFC 8737 fixes as the size of `Authorization`.
    public static let digestLength = 32

    /// The SHA-256 digest of the key authorization.
    public let keyAuthorizationDigest: [UInt8]

    /// Creates the extension from an already computed digest.
    ///
    /// Throws when the digest is not exactly 32 bytes, because RFC 8737 constrains the size.
    public init(keyAuthorizationDigest: [UInt8]) throws(ACMEIdentifierExtensionError) {
        guard keyAuthorizationDigest.count == Self.digestLength else {
            throw .wrongDigestLength(keyAuthorizationDigest.count)
        }
        self.keyAuthorizationDigest = keyAuthorizationDigest
    }

    /// Creates the extension a client would serve for the given key authorization.
    public init(keyAuthorization: String) {
        self.keyAuthorizationDigest = Self.digest(ofKeyAuthorization: keyAuthorization)
    }

    /// Decodes the extension from a certificate extension.
    ///
    /// The criticality flag is not checked here: the challenge check reports it separately
    /// so that the client gets a precise message.
    public init(_ certificateExtension: Certificate.Extension) throws(ACMEIdentifierExtensionError) {
        guard certificateExtension.oid == .acmeIdentifierExtension else {
            throw .wrongObjectIdentifier(String(describing: certificateExtension.oid))
        }
        let octets: ASN1OctetString
        do {
            octets = try ASN1OctetString(derEncoded: certificateExtension.value)
        } catch {
            throw .notAnOctetString
        }
        try self.init(keyAuthorizationDigest: Array(octets.bytes))
    }

    /// The SHA-256 digest of a key authorization string, as RFC 8737 §3 requires.
    public static func digest(ofKeyAuthorization keyAuthorization: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(keyAuthorization.utf8)))
    }
}

extension ACMEIdentifierExtension: CertificateExtensionConvertible {
    /// Encodes the extension. RFC 8737 requires it to be critical, so wrap the value in
    /// X509's `Critical` when building a certificate.
    public func makeCertificateExtension() throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.serialize(ASN1OctetString(contentBytes: keyAuthorizationDigest[...]))
        return Certificate.Extension(
            oid: .acmeIdentifierExtension,
            critical: false,
            value: serializer.serializedBytes[...]
        )
    }
}

extension ASN1ObjectIdentifier {
    /// id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31 (RFC 8737 §6.1).
    public static let acmeIdentifierExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 31]
}

/// Why an acmeIdentifier extension could not be decoded or built.
public enum ACMEIdentifierExtensionError: Error, Hashable, Sendable, CustomStringConvertible {
    case wrongObjectIdentifier(String)
    case notAnOctetString
    case wrongDigestLength(Int)

    /// A message that can be shown to the ACME client as is.
    public var message: String {
        switch self {
        case .wrongObjectIdentifier(let oid):
            return "The extension \(oid) is not the acmeIdentifier extension (1.3.6.1.5.5.7.1.31)."
        case .notAnOctetString:
            return "The acmeIdentifier extension value is not a DER-encoded OCTET STRING."
        case .wrongDigestLength(let length):
            return "The acmeIdentifier extension must hold a 32-byte SHA-256 digest, but it holds \(length) bytes."
        }
    }

    public var description: String { message }
}
