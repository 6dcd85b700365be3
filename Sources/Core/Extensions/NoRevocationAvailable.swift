import SwiftASN1
import X509

// RFC 9608 §2:
//
// id-ce-noRevAvail OBJECT IDENTIFIER ::= { id-ce 56 }
//
// The extension value is NULL; it MUST NOT be marked critical.

/// The No Revocation Available extension (2.5.29.56): the certificate is short-lived and its issuer will publish
/// no revocation information for it, so relying parties do not look for any. It carries no data and is never
/// critical.
public struct NoRevocationAvailable: Hashable, Sendable {
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 56]
    static let displayName = "No Revocation Available"

    public init() {}

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension, is critical, or its value is not NULL.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        guard !ext.critical else { throw CAError(.invalidInput, "the \(Self.displayName) extension must not be critical (RFC 9608)") }
        _ = try ExtensionCoding.decode(Self.displayName) {
            try ASN1Null(derEncoded: ext.value)
        }
    }
}

extension NoRevocationAvailable: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try ExtensionCoding.encode(ASN1Null(), oid: Self.oid, critical: false, name: Self.displayName)
    }
}
