import SwiftASN1
import X509

// RFC 5280 §4.2.1.7:
//
// id-ce-issuerAltName OBJECT IDENTIFIER ::=  { id-ce 18 }
//
// IssuerAltName ::= GeneralNames
//
// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName

/// The Issuer Alternative Name extension (2.5.29.18): further names of the certificate's issuer,
/// for example the CA's web site. Not critical by default.
public struct IssuerAlternativeNames: Hashable, Sendable {
    /// 2.5.29.18
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 18]
    static let displayName = "Issuer Alternative Name"

    public var names: [GeneralName]

    public init(_ names: [GeneralName]) {
        self.names = names
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self.names = try ExtensionCoding.decode(Self.displayName) {
            try ExtensionGeneralNames(derEncoded: ext.value).names
        }
    }
}

extension Certificate.Extension {
    /// Wraps an ``IssuerAlternativeNames`` extension.
    public init(_ value: IssuerAlternativeNames, critical: Bool) throws {
        self = try ExtensionCoding.encode(
            ExtensionGeneralNames(value.names),
            oid: IssuerAlternativeNames.oid,
            critical: critical,
            name: IssuerAlternativeNames.displayName
        )
    }
}

extension IssuerAlternativeNames: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: false)
    }
}
