import SwiftASN1
import X509

// RFC 6960 §4.2.2.2.1:
//
// id-pkix-ocsp-nocheck OBJECT IDENTIFIER ::= { id-pkix-ocsp 5 }
//
// The value of the extension SHALL be NULL.

/// The OCSP No Check extension (1.3.6.1.5.5.7.48.1.5): tells clients not to check the revocation
/// status of an OCSP responder certificate. It carries no data. Not critical by default.
public struct OCSPNoCheck: Hashable, Sendable {
    /// 1.3.6.1.5.5.7.48.1.5
    public static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
    static let displayName = "OCSP No Check"

    public init() {}

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is not NULL.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        _ = try ExtensionCoding.decode(Self.displayName) {
            try ASN1Null(derEncoded: ext.value)
        }
    }
}

extension Certificate.Extension {
    /// Wraps an ``OCSPNoCheck`` extension.
    public init(_ value: OCSPNoCheck, critical: Bool) throws {
        self = try ExtensionCoding.encode(ASN1Null(), oid: OCSPNoCheck.oid, critical: critical, name: OCSPNoCheck.displayName)
    }
}

extension OCSPNoCheck: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: false)
    }
}
