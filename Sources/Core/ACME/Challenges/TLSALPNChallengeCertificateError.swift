/// Why a tls-alpn-01 challenge certificate does not satisfy RFC 8737 §3.
public enum TLSALPNChallengeCertificateError: Error, Hashable, Sendable, CustomStringConvertible {
    case missingSubjectAlternativeName
    case malformedSubjectAlternativeName
    case wrongSubjectAlternativeNameCount(Int)
    case subjectAlternativeNameMismatch(found: String, expected: String)
    case missingACMEIdentifierExtension
    case acmeIdentifierExtensionNotCritical
    case malformedACMEIdentifierExtension(ACMEIdentifierExtensionError)
    case keyAuthorizationDigestMismatch

    /// A message that can be shown to the ACME client as is.
    public var message: String {
        switch self {
        case .missingSubjectAlternativeName:
            return "The challenge certificate has no subjectAltName extension."
        case .malformedSubjectAlternativeName:
            return "The challenge certificate's subjectAltName extension could not be decoded."
        case .wrongSubjectAlternativeNameCount(let count):
            return "The challenge certificate's subjectAltName must contain exactly one name, but it contains \(count)."
        case .subjectAlternativeNameMismatch(let found, let expected):
            return "The challenge certificate is for \(found), not for \(expected)."
        case .missingACMEIdentifierExtension:
            return "The challenge certificate has no acmeIdentifier extension (1.3.6.1.5.5.7.1.31)."
        case .acmeIdentifierExtensionNotCritical:
            return "The challenge certificate's acmeIdentifier extension must be marked critical."
        case .malformedACMEIdentifierExtension(let reason):
            return "The challenge certificate's acmeIdentifier extension is malformed: \(reason.message)"
        case .keyAuthorizationDigestMismatch:
            return "The challenge certificate's acmeIdentifier extension does not contain the SHA-256 digest of the expected key authorization."
        }
    }

    public var description: String { message }
}
