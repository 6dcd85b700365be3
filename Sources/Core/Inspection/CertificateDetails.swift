import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate described for people and for JSON consumers (`view-cert`, `view-ca`, later the REST API).
public struct CertificateDetails: Sendable, Codable {
    public struct ExtensionEntry: Sendable, Codable {
        public let key: String
        public let name: String
        public let oid: String
        public let critical: Bool
        public let value: [String]
    }

    public let serial: String
    public let subject: String
    public let issuer: String
    public let notValidBefore: Date
    public let notValidAfter: Date
    public let publicKey: String
    public let signatureAlgorithm: String
    public let extensions: [ExtensionEntry]
    /// Hash name (SHA-256, ...) to the colon-separated digest of the DER certificate.
    public let fingerprints: [String: String]
    public let pem: String

    public init(_ certificate: Certificate) throws {
        let der = try certificate.derBytes()
        serial = SerialNumberText.hex(certificate.serialNumber)
        subject = SubjectFormatter.format(certificate.subject)
        issuer = SubjectFormatter.format(certificate.issuer)
        notValidBefore = certificate.notValidBefore
        notValidAfter = certificate.notValidAfter
        publicKey = KeyAlgorithm(publicKey: certificate.publicKey)?.description ?? "unsupported key type"
        signatureAlgorithm = Self.name(of: certificate.signatureAlgorithm)
        extensions = certificate.extensions.map { item in
            let described = ExtensionDescriber.describe(item)
            return ExtensionEntry(
                key: described.key, name: described.name, oid: described.oid, critical: described.critical,
                value: described.values)
        }
        fingerprints = [
            "SHA-1": Self.hex(Insecure.SHA1.hash(data: der)),
            "SHA-256": Self.hex(SHA256.hash(data: der)),
            "SHA-384": Self.hex(SHA384.hash(data: der)),
            "SHA-512": Self.hex(SHA512.hash(data: der)),
        ]
        pem = try certificate.pemString()
    }

    /// The algorithm as openssl names it.
    static func name(of algorithm: Certificate.SignatureAlgorithm) -> String {
        switch algorithm {
        case .ecdsaWithSHA256: return "ecdsa-with-SHA256"
        case .ecdsaWithSHA384: return "ecdsa-with-SHA384"
        case .ecdsaWithSHA512: return "ecdsa-with-SHA512"
        case .sha1WithRSAEncryption: return "sha1WithRSAEncryption"
        case .sha256WithRSAEncryption: return "sha256WithRSAEncryption"
        case .sha384WithRSAEncryption: return "sha384WithRSAEncryption"
        case .sha512WithRSAEncryption: return "sha512WithRSAEncryption"
        case .ed25519: return "ED25519"
        default: return "\(algorithm)"
        }
    }

    static func hex(_ digest: some Digest) -> String {
        SerialNumberText.colonSeparated(Hex.upper(digest))
    }
}

extension Certificate {
    public func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }

    public func pemString() throws -> String {
        PEMText.encode(type: "CERTIFICATE", der: try derBytes())
    }
}
