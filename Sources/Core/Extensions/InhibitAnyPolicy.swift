import SwiftASN1
import X509

// RFC 5280 §4.2.1.14:
//
// id-ce-inhibitAnyPolicy OBJECT IDENTIFIER ::=  { id-ce 54 }
//
// InhibitAnyPolicy ::= SkipCerts
//
// SkipCerts ::= INTEGER (0..MAX)

/// The Inhibit anyPolicy extension (2.5.29.54): after `skipCerts` further CA certificates in a
/// path, the anyPolicy OID no longer matches every policy. RFC 5280 requires it to be critical.
public struct InhibitAnyPolicy: Hashable, Sendable {
    /// 2.5.29.54
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 54]
    static let displayName = "Inhibit anyPolicy"

    /// How many further non-self-issued certificates may still treat anyPolicy as a match.
    public var skipCerts: Int

    public init(skipCerts: Int) {
        self.skipCerts = skipCerts
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self.skipCerts = try ExtensionCoding.decode(Self.displayName) {
            try ExtensionCoding.nonNegative(Int(derEncoded: ext.value), field: "skipCerts")
        }
    }
}

extension Certificate.Extension {
    /// Wraps an ``InhibitAnyPolicy`` extension.
    public init(_ value: InhibitAnyPolicy, critical: Bool) throws {
        guard value.skipCerts >= 0 else {
            throw CAError(
                .invalidInput,
                "Cannot encode the \(InhibitAnyPolicy.displayName) extension: skipCerts must not be negative, got \(value.skipCerts)."
            )
        }
        self = try ExtensionCoding.encode(
            value.skipCerts,
            oid: InhibitAnyPolicy.oid,
            critical: critical,
            name: InhibitAnyPolicy.displayName
        )
    }
}

extension InhibitAnyPolicy: CertificateExtensionConvertible {
    /// Always critical, as RFC 5280 requires.
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: true)
    }
}
