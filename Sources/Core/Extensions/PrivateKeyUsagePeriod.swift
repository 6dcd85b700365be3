import Foundation
import SwiftASN1
import X509

// RFC 3280 §4.2.1.4, and the PKIX1Implicit88 module of RFC 5280 (IMPLICIT TAGS):
//
// id-ce-privateKeyUsagePeriod OBJECT IDENTIFIER ::=  { id-ce 16 }
//
// PrivateKeyUsagePeriod ::= SEQUENCE {
//      notBefore       [0]     GeneralizedTime OPTIONAL,
//      notAfter        [1]     GeneralizedTime OPTIONAL }

/// The Private Key Usage Period extension (2.5.29.16): when the private key of the certificate may be used,
/// which can end before the certificate does (a signing key retired while its signatures stay verifiable).
/// At least one bound must be given, and RFC 3280 requires the extension to be non-critical.
public struct PrivateKeyUsagePeriod: Hashable, Sendable, Codable {
    /// 2.5.29.16
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 16]
    static let displayName = "Private Key Usage Period"

    public var notBefore: Date?
    public var notAfter: Date?

    public init(notBefore: Date? = nil, notAfter: Date? = nil) {
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self = try ExtensionCoding.decode(Self.displayName) {
            try PrivateKeyUsagePeriod(derEncoded: ext.value)
        }
    }

    /// Refuses a period without bounds, or one that ends before it begins.
    public func validate() throws {
        guard notBefore != nil || notAfter != nil else {
            throw CAError(.invalidInput, "a private key usage period needs a start, an end, or both")
        }
        if let notBefore, let notAfter, notAfter < notBefore {
            throw CAError(.invalidInput, "the private key usage period ends before it begins")
        }
    }
}

extension PrivateKeyUsagePeriod: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    private static let notBeforeTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let notAfterTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let notBefore: GeneralizedTime? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.notBeforeTag)
            let notAfter: GeneralizedTime? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.notAfterTag)
            let period = PrivateKeyUsagePeriod(notBefore: notBefore.map(ASN1Dates.date), notAfter: notAfter.map(ASN1Dates.date))
            try period.validate()
            return period
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try validate()
        let start = try notBefore.map(ASN1Dates.generalizedTime)
        let end = try notAfter.map(ASN1Dates.generalizedTime)
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serializeOptionalImplicitlyTagged(start, withIdentifier: Self.notBeforeTag)
            try coder.serializeOptionalImplicitlyTagged(end, withIdentifier: Self.notAfterTag)
        }
    }
}

extension Certificate.Extension {
    /// Wraps a ``PrivateKeyUsagePeriod`` extension.
    public init(_ value: PrivateKeyUsagePeriod, critical: Bool) throws {
        self = try ExtensionCoding.encode(value, oid: PrivateKeyUsagePeriod.oid, critical: critical, name: PrivateKeyUsagePeriod.displayName)
    }
}

extension PrivateKeyUsagePeriod: CertificateExtensionConvertible {
    /// Never critical, as RFC 3280 requires.
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: false)
    }
}
