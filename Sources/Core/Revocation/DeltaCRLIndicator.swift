import SwiftASN1
import X509

// RFC 5280 §5.2.4:
//
// id-ce-deltaCRLIndicator OBJECT IDENTIFIER ::= { id-ce 27 }
//
// BaseCRLNumber ::= CRLNumber
//
// CRLNumber ::= INTEGER (0..MAX)
//
// The extension MUST be critical.

/// The Delta CRL Indicator extension (2.5.29.27): the CRL lists only what changed since the complete CRL numbered
/// `baseNumber`, and a relying party that cannot merge the two must not read it as complete, hence critical.
public struct DeltaCRLIndicator: Hashable, Sendable {
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 27]
    static let displayName = "Delta CRL Indicator"

    /// The CRL Number of the complete CRL this delta updates.
    public var baseNumber: Int

    public init(baseNumber: Int) {
        self.baseNumber = baseNumber
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension, is not critical, or its value is not a
    ///   non-negative INTEGER.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        guard ext.critical else { throw CAError(.invalidInput, "the \(Self.displayName) extension must be critical (RFC 5280 §5.2.4)") }
        let number = try ExtensionCoding.decode(Self.displayName) { try Int(derEncoded: ext.value) }
        guard number >= 0 else { throw CAError(.invalidInput, "the base CRL number of a delta CRL must not be negative") }
        baseNumber = number
    }
}

extension DeltaCRLIndicator: CertificateExtensionConvertible {
    /// The extension, critical as RFC 5280 §5.2.4 requires.
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try ExtensionCoding.encode(baseNumber, oid: Self.oid, critical: true, name: Self.displayName)
    }
}
