import SwiftASN1
import X509

/// Checks the certificate a server presented for a tls-alpn-01 challenge (RFC 8737 §3).
///
/// The check covers only the certificate. The caller must also have confirmed that the
/// handshake negotiated the "acme-tls/1" protocol, which belongs to the connection, not
/// to the certificate.
public struct TLSALPNChallengeCertificateCheck: Sendable {
    public let identifier: ChallengeIdentifier
    public let keyAuthorization: String

    public init(identifier: ChallengeIdentifier, keyAuthorization: String) {
        self.identifier = identifier
        self.keyAuthorization = keyAuthorization
    }

    /// Throws the first reason the certificate does not answer the challenge.
    public func verify(_ certificate: Certificate) throws(TLSALPNChallengeCertificateError) {
        try verifySubjectAlternativeName(of: certificate)
        try verifyACMEIdentifierExtension(of: certificate)
    }

    /// RFC 8737 §3: the subjectAltName must hold the identifier being validated "and no other entries".
    private func verifySubjectAlternativeName(of certificate: Certificate) throws(TLSALPNChallengeCertificateError) {
        let names: SubjectAlternativeNames
        do {
            guard let decoded = try certificate.extensions.subjectAlternativeNames else {
                throw TLSALPNChallengeCertificateError.missingSubjectAlternativeName
            }
            names = decoded
        } catch let error as TLSALPNChallengeCertificateError {
            throw error
        } catch {
            throw .malformedSubjectAlternativeName
        }
        guard names.count == 1, let onlyName = names.first else {
            throw .wrongSubjectAlternativeNameCount(names.count)
        }
        guard matches(onlyName) else {
            throw .subjectAlternativeNameMismatch(
                found: Self.describe(onlyName),
                expected: identifier.description
            )
        }
    }

    private func matches(_ name: GeneralName) -> Bool {
        switch (identifier, name) {
        case (.dnsName(let expected), .dnsName(let found)):
            // DNS names compare case-insensitively (RFC 4343); only ASCII case folds in them.
            return Self.asciiLowercased(expected) == Self.asciiLowercased(found)
        case (.ipAddress(let expected), .ipAddress(let found)):
            return Array(found.bytes) == expected
        default:
            return false
        }
    }

    private func verifyACMEIdentifierExtension(of certificate: Certificate) throws(TLSALPNChallengeCertificateError) {
        guard let rawExtension = certificate.extensions[oid: .acmeIdentifierExtension] else {
            throw .missingACMEIdentifierExtension
        }
        // RFC 8737 §3 requires criticality so that the certificate can never be mistaken
        // for a normal server certificate by software that does not know the extension.
        guard rawExtension.critical else {
            throw .acmeIdentifierExtensionNotCritical
        }
        let decoded: ACMEIdentifierExtension
        do {
            decoded = try ACMEIdentifierExtension(rawExtension)
        } catch {
            throw .malformedACMEIdentifierExtension(error)
        }
        guard decoded == ACMEIdentifierExtension(keyAuthorization: keyAuthorization) else {
            throw .keyAuthorizationDigestMismatch
        }
    }

    private static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }, as: UTF8.self)
    }

    private static func describe(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let dnsName): return "DNS name \"\(dnsName)\""
        case .ipAddress(let octets): return "IP address \(IPAddressText.format(Array(octets.bytes)))"
        case .rfc822Name(let email): return "email address \"\(email)\""
        case .uniformResourceIdentifier(let uri): return "URI \"\(uri)\""
        default: return "a name of an unsupported type"
        }
    }
}
