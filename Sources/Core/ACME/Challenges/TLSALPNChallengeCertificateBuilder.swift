import Crypto
import Foundation
import SwiftASN1
import X509

/// Builds self-signed P-256 certificates shaped like the ones an ACME client serves for
/// tls-alpn-01 (RFC 8737 §3). Meant for tests and for exercising the validator.
public struct TLSALPNChallengeCertificateBuilder: Sendable {
    public var validity: Duration

    public init(validity: Duration = .seconds(3600)) {
        self.validity = validity
    }

    /// A correct challenge certificate for the identifier and key authorization.
    public func makeCertificate(
        for identifier: ChallengeIdentifier,
        keyAuthorization: String
    ) throws -> TLSALPNChallengeCertificate {
        let acmeIdentifier = try ACMEIdentifierExtension(keyAuthorization: keyAuthorization).makeCertificateExtension()
        return try makeCertificate(
            subjectAlternativeNames: [Self.generalName(for: identifier)],
            acmeIdentifierExtension: Certificate.Extension(
                oid: acmeIdentifier.oid,
                critical: true,
                value: acmeIdentifier.value
            )
        )
    }

    /// A certificate with exactly the given names and acmeIdentifier extension, which may be
    /// wrong on purpose. An empty name list omits the subjectAltName extension; a nil
    /// extension omits the acmeIdentifier extension.
    public func makeCertificate(
        subjectAlternativeNames: [GeneralName],
        acmeIdentifierExtension: Certificate.Extension?
    ) throws -> TLSALPNChallengeCertificate {
        let privateKey = P256.Signing.PrivateKey()
        let certificateKey = Certificate.PrivateKey(privateKey)
        let now = Date()
        var extensions = Certificate.Extensions()
        if !subjectAlternativeNames.isEmpty {
            try extensions.append(SubjectAlternativeNames(subjectAlternativeNames).makeCertificateExtension())
        }
        if let acmeIdentifierExtension {
            try extensions.append(acmeIdentifierExtension)
        }
        let name = try DistinguishedName { CommonName("ACME tls-alpn-01 challenge") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: certificateKey.publicKey,
            // Backdated a little so that clocks slightly behind still accept it.
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(Self.seconds(in: validity)),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: certificateKey
        )
        return TLSALPNChallengeCertificate(certificate: certificate, privateKey: privateKey)
    }

    /// The subjectAltName entry that names an identifier.
    public static func generalName(for identifier: ChallengeIdentifier) -> GeneralName {
        switch identifier {
        case .dnsName(let name): return .dnsName(name)
        case .ipAddress(let bytes): return .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
        }
    }

    private static func seconds(in duration: Duration) -> TimeInterval {
        let components = duration.components
        return TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}

/// A challenge certificate together with its private key.
public struct TLSALPNChallengeCertificate: Sendable {
    public let certificate: Certificate
    public let privateKey: P256.Signing.PrivateKey

    /// The certificate as PEM, for servers such as `openssl s_server`.
    public func certificatePEM() throws -> String {
        try certificate.pemString()
    }

    /// The private key as PKCS#8 PEM.
    public var privateKeyPEM: String {
        privateKey.pemRepresentation
    }
}
