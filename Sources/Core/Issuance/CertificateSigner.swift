import Foundation
import SwiftASN1
import X509

/// The issuer side of a signature: the CA's name, key and key identifier. A root signs itself with
/// `selfSigned`, whose key identifier is that of the new certificate's own key.
public struct Issuer: Sendable {
    public let name: DistinguishedName
    public let key: Certificate.PrivateKey
    public let keyIdentifier: ArraySlice<UInt8>
    public let keyAlgorithm: KeyAlgorithm

    public init(certificate: Certificate, key: Certificate.PrivateKey) throws {
        guard certificate.publicKey == key.publicKey else {
            throw CAError(.keyAccess, "the private key does not belong to the CA certificate \(certificate.subject)")
        }
        guard let algorithm = KeyAlgorithm(publicKey: key.publicKey) else {
            throw CAError(.invalidInput, "the CA key type is not supported")
        }
        self.name = certificate.subject
        self.key = key
        self.keyAlgorithm = algorithm
        if let identifier = try? certificate.extensions.subjectKeyIdentifier {
            self.keyIdentifier = identifier.keyIdentifier
        } else {
            self.keyIdentifier = SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        }
    }

    public static func selfSigned(name: DistinguishedName, key: Certificate.PrivateKey) throws -> Issuer {
        guard let algorithm = KeyAlgorithm(publicKey: key.publicKey) else {
            throw CAError(.invalidInput, "the CA key type is not supported")
        }
        return Issuer(
            name: name, key: key, keyIdentifier: SubjectKeyIdentifier(hash: key.publicKey).keyIdentifier,
            keyAlgorithm: algorithm)
    }

    init(name: DistinguishedName, key: Certificate.PrivateKey, keyIdentifier: ArraySlice<UInt8>, keyAlgorithm: KeyAlgorithm) {
        self.name = name
        self.key = key
        self.keyIdentifier = keyIdentifier
        self.keyAlgorithm = keyAlgorithm
    }
}

/// Everything that goes into one certificate except what the signer derives (SKI, AKI, issuer name).
public struct CertificateSpecification: Sendable {
    public var serialNumber: Certificate.SerialNumber
    public var subject: DistinguishedName
    public var publicKey: Certificate.PublicKey
    public var notBefore: Date
    public var notAfter: Date
    public var hash: SignatureHash?
    public var extensions: ExtensionSet

    public init(
        serialNumber: Certificate.SerialNumber, subject: DistinguishedName, publicKey: Certificate.PublicKey,
        notBefore: Date, notAfter: Date, hash: SignatureHash?, extensions: ExtensionSet
    ) {
        self.serialNumber = serialNumber
        self.subject = subject
        self.publicKey = publicKey
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.hash = hash
        self.extensions = extensions
    }
}

/// Signs one certificate from a specification. Every certificate swift-ca makes is signed by
/// `CertificateBlueprint.sign`; this is its form for callers that sign one certificate at a time.
public enum CertificateSigner {
    public static func sign(_ specification: CertificateSpecification, by issuer: Issuer) throws -> Certificate {
        let blueprint = try CertificateBlueprint(
            subject: specification.subject, issuer: issuer, hash: specification.hash, extensions: specification.extensions)
        let der = try blueprint.sign(
            serialNumber: specification.serialNumber, notBefore: specification.notBefore, notAfter: specification.notAfter,
            subjectPublicKeyInfo: try CertificateBlueprint.encode(specification.publicKey)[...])
        do {
            return try Certificate(derEncoded: der)
        } catch {
            throw CAError(.invalidInput, "cannot build the certificate: \(error)")
        }
    }
}
