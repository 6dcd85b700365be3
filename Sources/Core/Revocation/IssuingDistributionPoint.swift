import SwiftASN1
import X509

// RFC 5280 §5.2.5 (module uses IMPLICIT TAGS):
//
// id-ce-issuingDistributionPoint OBJECT IDENTIFIER ::= { id-ce 28 }
//
// IssuingDistributionPoint ::= SEQUENCE {
//      distributionPoint          [0] DistributionPointName OPTIONAL,
//      onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,
//      onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,
//      onlySomeReasons            [3] ReasonFlags OPTIONAL,
//      indirectCRL                [4] BOOLEAN DEFAULT FALSE,
//      onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
//
//      -- at most one of onlyContainsUserCerts, onlyContainsCACerts,
//      -- and onlyContainsAttributeCerts may be set to TRUE.
//
// DistributionPointName ::= CHOICE {
//      fullName                [0]     GeneralNames,
//      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }

/// The Issuing Distribution Point CRL extension: which certificates and reasons a CRL covers and where it
/// is published. RFC 5280 requires it to be critical, so that a relying party that does not understand it
/// does not take a partial CRL for a complete one.
///
/// Only the full-name arm of DistributionPointName is supported; swift-ca never writes a relative name.
public struct IssuingDistributionPoint: Hashable, Sendable {
    /// 2.5.29.28
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 28]

    /// Where the CRL is published, usually one `URI:` name.
    public var fullName: [GeneralName]?
    /// The CRL lists only end-entity certificates.
    public var onlyContainsUserCertificates: Bool
    /// The CRL lists only CA certificates (an ARL).
    public var onlyContainsCACertificates: Bool
    /// The reasons the CRL covers; `nil` means all of them.
    public var onlySomeReasons: ReasonFlags?
    /// The CRL may list certificates of other issuers. swift-ca never sets it but reads it.
    public var indirectCRL: Bool
    /// The CRL lists only attribute certificates.
    public var onlyContainsAttributeCertificates: Bool

    /// A point with every flag false unless given; at most one of the `onlyContains` flags may be set.
    public init(
        fullName: [GeneralName]? = nil, onlyContainsUserCertificates: Bool = false,
        onlyContainsCACertificates: Bool = false, onlySomeReasons: ReasonFlags? = nil, indirectCRL: Bool = false,
        onlyContainsAttributeCertificates: Bool = false
    ) {
        self.fullName = fullName
        self.onlyContainsUserCertificates = onlyContainsUserCertificates
        self.onlyContainsCACertificates = onlyContainsCACertificates
        self.onlySomeReasons = onlySomeReasons
        self.indirectCRL = indirectCRL
        self.onlyContainsAttributeCertificates = onlyContainsAttributeCertificates
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self = try ExtensionCoding.decode(Self.displayName) { try IssuingDistributionPoint(derEncoded: ext.value) }
    }

    static let displayName = "Issuing Distribution Point"

    fileprivate func validate() throws {
        let restrictions = [
            onlyContainsUserCertificates, onlyContainsCACertificates, onlyContainsAttributeCertificates,
        ]
        guard restrictions.filter({ $0 }).count <= 1 else {
            throw CAError(
                .invalidInput,
                "An issuing distribution point can be limited to user, CA or attribute certificates, "
                    + "but only one of them.")
        }
    }
}

extension IssuingDistributionPoint: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    private static let fullNameTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let userCertificatesTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let caCertificatesTag = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)
    private static let reasonsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
    private static let indirectTag = ASN1Identifier(tagWithNumber: 4, tagClass: .contextSpecific)
    private static let attributeCertificatesTag = ASN1Identifier(tagWithNumber: 5, tagClass: .contextSpecific)

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            var point = IssuingDistributionPoint()
            // DistributionPointName is a CHOICE, so its [0] tag is explicit: a wrapper around one arm.
            try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { nameNode in
                guard nameNode.identifier == Self.fullNameTag else {
                    throw ASN1Error.unexpectedFieldType(nameNode.identifier)
                }
                point.fullName = try ExtensionGeneralNames(derEncoded: nameNode, withIdentifier: Self.fullNameTag).names
            }
            point.onlyContainsUserCertificates = try Self.readFlag(&nodes, tag: Self.userCertificatesTag)
            point.onlyContainsCACertificates = try Self.readFlag(&nodes, tag: Self.caCertificatesTag)
            point.onlySomeReasons = try DER.optionalImplicitlyTagged(&nodes, tag: Self.reasonsTag)
            point.indirectCRL = try Self.readFlag(&nodes, tag: Self.indirectTag)
            point.onlyContainsAttributeCertificates = try Self.readFlag(&nodes, tag: Self.attributeCertificatesTag)
            try point.validate()
            return point
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try validate()
        try coder.appendConstructedNode(identifier: identifier) { coder in
            if let fullName {
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try ExtensionGeneralNames(fullName).serialize(into: &coder, withIdentifier: Self.fullNameTag)
                }
            }
            try Self.writeFlag(onlyContainsUserCertificates, tag: Self.userCertificatesTag, into: &coder)
            try Self.writeFlag(onlyContainsCACertificates, tag: Self.caCertificatesTag, into: &coder)
            try coder.serializeOptionalImplicitlyTagged(onlySomeReasons, withIdentifier: Self.reasonsTag)
            try Self.writeFlag(indirectCRL, tag: Self.indirectTag, into: &coder)
            try Self.writeFlag(onlyContainsAttributeCertificates, tag: Self.attributeCertificatesTag, into: &coder)
        }
    }

    /// DER forbids encoding a value equal to its DEFAULT, so a false flag is left out.
    private static func writeFlag(_ value: Bool, tag: ASN1Identifier, into coder: inout DER.Serializer) throws {
        if value {
            try value.serialize(into: &coder, withIdentifier: tag)
        }
    }

    /// A flag that is absent is FALSE; one that is present must be TRUE, since DER never writes a default.
    private static func readFlag(_ nodes: inout ASN1NodeCollection.Iterator, tag: ASN1Identifier) throws -> Bool {
        guard let value: Bool = try DER.optionalImplicitlyTagged(&nodes, tag: tag) else { return false }
        guard value else {
            throw ASN1Error.invalidASN1Object(reason: "A DEFAULT FALSE flag is encoded as FALSE")
        }
        return true
    }
}

extension Certificate.Extension {
    /// Wraps an ``IssuingDistributionPoint`` extension.
    public init(_ value: IssuingDistributionPoint, critical: Bool) throws {
        self = try ExtensionCoding.encode(
            value, oid: IssuingDistributionPoint.oid, critical: critical, name: IssuingDistributionPoint.displayName)
    }
}

extension IssuingDistributionPoint: CertificateExtensionConvertible {
    /// The extension, critical as RFC 5280 §5.2.5 requires.
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: true)
    }
}
