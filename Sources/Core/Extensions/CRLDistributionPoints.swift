import SwiftASN1
import X509

// RFC 5280 §4.2.1.13 (module uses IMPLICIT TAGS):
//
// id-ce-cRLDistributionPoints OBJECT IDENTIFIER ::=  { id-ce 31 }
//
// CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
//
// DistributionPoint ::= SEQUENCE {
//      distributionPoint       [0]     DistributionPointName OPTIONAL,
//      reasons                 [1]     ReasonFlags OPTIONAL,
//      cRLIssuer               [2]     GeneralNames OPTIONAL }
//
// DistributionPointName ::= CHOICE {
//      fullName                [0]     GeneralNames,
//      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
//
// RFC 5280 §4.2.1.15:
//
// id-ce-freshestCRL OBJECT IDENTIFIER ::=  { id-ce 46 }
//
// FreshestCRL ::= CRLDistributionPoints

/// Where and how to fetch a CRL: one entry of ``CRLDistributionPoints`` or ``FreshestCRL``.
///
/// `fullName` and `relativeName` are the two arms of the DistributionPointName CHOICE, so at most
/// one of them may be set. RFC 5280 also requires a name or a `crlIssuer`: a point with only
/// `reasons` cannot be written or read.
public struct DistributionPoint: Hashable, Sendable {
    /// The full names of the CRL, usually one or more `URI:` general names.
    public var fullName: [GeneralName]?
    /// A name relative to the CRL issuer's name. Kept so that such points survive a round trip;
    /// django-ca never writes it.
    public var relativeName: RelativeDistinguishedName?
    /// The revocation reasons the CRL covers; `nil` means all reasons.
    public var reasons: ReasonFlags?
    /// The issuer of the CRL when it is not the certificate's issuer (an indirect CRL).
    public var crlIssuer: [GeneralName]?

    public init(
        fullName: [GeneralName]? = nil,
        relativeName: RelativeDistinguishedName? = nil,
        reasons: ReasonFlags? = nil,
        crlIssuer: [GeneralName]? = nil
    ) {
        self.fullName = fullName
        self.relativeName = relativeName
        self.reasons = reasons
        self.crlIssuer = crlIssuer
    }

    /// A point whose full name is the given URIs, the only kind django-ca adds by default.
    public init(uris: [String]) {
        self.init(fullName: uris.map { .uniformResourceIdentifier($0) })
    }

    fileprivate func validate() throws {
        if fullName != nil, relativeName != nil {
            throw CAError(.invalidInput, "A distribution point cannot have both a full name and a relative name.")
        }
        if fullName == nil, relativeName == nil, crlIssuer == nil {
            throw CAError(.invalidInput, "A distribution point needs a full name, a relative name or a CRL issuer.")
        }
    }
}

extension DistributionPoint: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    private static let distributionPointTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let reasonsTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
    private static let crlIssuerTag = ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)
    private static let fullNameTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let relativeNameTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            var point = DistributionPoint()
            // DistributionPointName is a CHOICE, so its [0] tag is explicit: a wrapper around one arm.
            try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { nameNode in
                switch nameNode.identifier {
                case Self.fullNameTag:
                    point.fullName = try ExtensionGeneralNames(derEncoded: nameNode, withIdentifier: Self.fullNameTag).names
                case Self.relativeNameTag:
                    point.relativeName = try RelativeDistinguishedName(
                        derEncoded: nameNode,
                        withIdentifier: Self.relativeNameTag
                    )
                default:
                    throw ASN1Error.unexpectedFieldType(nameNode.identifier)
                }
            }
            point.reasons = try DER.optionalImplicitlyTagged(&nodes, tag: Self.reasonsTag)
            let issuer: ExtensionGeneralNames? = try DER.optionalImplicitlyTagged(&nodes, tag: Self.crlIssuerTag)
            point.crlIssuer = issuer?.names
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
            } else if let relativeName {
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try relativeName.serialize(into: &coder, withIdentifier: Self.relativeNameTag)
                }
            }
            try coder.serializeOptionalImplicitlyTagged(reasons, withIdentifier: Self.reasonsTag)
            if let crlIssuer {
                try ExtensionGeneralNames(crlIssuer).serialize(into: &coder, withIdentifier: Self.crlIssuerTag)
            }
        }
    }
}

/// The wire form shared by ``CRLDistributionPoints`` and ``FreshestCRL``.
struct DistributionPointsValue: DERImplicitlyTaggable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var points: [DistributionPoint]

    init(_ points: [DistributionPoint]) {
        self.points = points
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self.points = try DER.sequence(of: DistributionPoint.self, identifier: identifier, rootNode: rootNode)
        guard !points.isEmpty else {
            throw ASN1Error.invalidASN1Object(reason: "No distribution points")
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        guard !points.isEmpty else {
            throw CAError(.invalidInput, "At least one distribution point is required.")
        }
        try coder.serializeSequenceOf(points, identifier: identifier)
    }
}

/// An extension whose value is a list of distribution points: CRL Distribution Points and Freshest CRL
/// share the syntax and differ only in their OID, so everything but those is written once here.
public protocol DistributionPointsExtension: Hashable, Sendable, CertificateExtensionConvertible {
    static var oid: ASN1ObjectIdentifier { get }
    /// The name used in error messages.
    static var displayName: String { get }
    var points: [DistributionPoint] { get set }
    init(_ points: [DistributionPoint])
}

extension DistributionPointsExtension {
    /// One distribution point whose full name lists `uris`, like django-ca's `--crl-full-name`.
    public init(uris: [String]) {
        self.init([DistributionPoint(uris: uris)])
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self.init(try ExtensionCoding.decode(Self.displayName) { try DistributionPointsValue(derEncoded: ext.value).points })
    }

    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: false)
    }
}

extension Certificate.Extension {
    /// Wraps a ``CRLDistributionPoints`` or ``FreshestCRL`` extension.
    public init(_ value: some DistributionPointsExtension, critical: Bool) throws {
        self = try ExtensionCoding.encode(
            DistributionPointsValue(value.points), oid: type(of: value).oid, critical: critical,
            name: type(of: value).displayName)
    }
}

/// The CRL Distribution Points extension (2.5.29.31): where relying parties find the CRL that
/// covers this certificate. Not critical by default.
public struct CRLDistributionPoints: DistributionPointsExtension {
    /// 2.5.29.31
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 31]
    public static let displayName = "CRL Distribution Points"

    public var points: [DistributionPoint]

    public init(_ points: [DistributionPoint]) {
        self.points = points
    }
}

/// The Freshest CRL extension (2.5.29.46): where to find delta CRLs. Same syntax as
/// ``CRLDistributionPoints``; RFC 5280 requires it to be non-critical.
public struct FreshestCRL: DistributionPointsExtension {
    /// 2.5.29.46
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 46]
    public static let displayName = "Freshest CRL"

    public var points: [DistributionPoint]

    public init(_ points: [DistributionPoint]) {
        self.points = points
    }
}
