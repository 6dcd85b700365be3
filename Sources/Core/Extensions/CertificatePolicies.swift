import SwiftASN1
import X509

// RFC 5280 §4.2.1.4:
//
// id-ce-certificatePolicies OBJECT IDENTIFIER ::=  { id-ce 32 }
//
// anyPolicy OBJECT IDENTIFIER ::= { id-ce-certificatePolicies 0 }
//
// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
//
// PolicyInformation ::= SEQUENCE {
//      policyIdentifier   CertPolicyId,
//      policyQualifiers   SEQUENCE SIZE (1..MAX) OF
//                              PolicyQualifierInfo OPTIONAL }
//
// CertPolicyId ::= OBJECT IDENTIFIER
//
// PolicyQualifierInfo ::= SEQUENCE {
//      policyQualifierId  PolicyQualifierId,
//      qualifier          ANY DEFINED BY policyQualifierId }
//
// id-qt          OBJECT IDENTIFIER ::=  { id-pkix 2 }
// id-qt-cps      OBJECT IDENTIFIER ::=  { id-qt 1 }
// id-qt-unotice  OBJECT IDENTIFIER ::=  { id-qt 2 }
//
// PolicyQualifierId ::= OBJECT IDENTIFIER ( id-qt-cps | id-qt-unotice )
//
// CPSuri ::= IA5String
//
// UserNotice ::= SEQUENCE {
//      noticeRef        NoticeReference OPTIONAL,
//      explicitText     DisplayText OPTIONAL }
//
// NoticeReference ::= SEQUENCE {
//      organization     DisplayText,
//      noticeNumbers    SEQUENCE OF INTEGER }
//
// DisplayText ::= CHOICE {
//      ia5String        IA5String      (SIZE (1..200)),
//      visibleString    VisibleString  (SIZE (1..200)),
//      bmpString        BMPString      (SIZE (1..200)),
//      utf8String       UTF8String     (SIZE (1..200)) }

/// The Certificate Policies extension (2.5.29.32): the policies under which the certificate was
/// issued, each optionally with a CPS URI or a user notice. Not critical by default.
public struct CertificatePolicies: Hashable, Sendable {
    /// 2.5.29.32
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 32]
    static let displayName = "Certificate Policies"

    public var policies: [PolicyInformation]

    public init(_ policies: [PolicyInformation]) {
        self.policies = policies
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self.policies = try ExtensionCoding.decode(Self.displayName) {
            let root = try DER.parse(ext.value)
            let policies = try DER.sequence(of: PolicyInformation.self, identifier: .sequence, rootNode: root)
            guard !policies.isEmpty else {
                throw ASN1Error.invalidASN1Object(reason: "No policies")
            }
            return policies
        }
    }

    fileprivate func validate() throws {
        guard !policies.isEmpty else {
            throw CAError(.invalidInput, "At least one policy is required.")
        }
        var seen = Set<ASN1ObjectIdentifier>()
        for policy in policies where !seen.insert(policy.identifier).inserted {
            throw CAError(.invalidInput, "Policy \(policy.identifier) appears more than once.")
        }
    }
}

/// One policy of ``CertificatePolicies``.
public struct PolicyInformation: Hashable, Sendable {
    /// The special policy that stands for every policy: 2.5.29.32.0.
    public static let anyPolicy: ASN1ObjectIdentifier = [2, 5, 29, 32, 0]

    public var identifier: ASN1ObjectIdentifier
    /// Qualifiers in the order they are written; empty means the field is left out.
    public var qualifiers: [PolicyQualifier]

    public init(_ identifier: ASN1ObjectIdentifier, qualifiers: [PolicyQualifier] = []) {
        self.identifier = identifier
        self.qualifiers = qualifiers
    }
}

/// A qualifier that tells a relying party more about a policy.
public enum PolicyQualifier: Hashable, Sendable {
    /// A pointer to the Certification Practice Statement (id-qt-cps).
    case cpsURI(String)
    /// Text to show to a relying party (id-qt-unotice).
    case userNotice(UserNotice)
    /// A qualifier of another type, kept verbatim.
    case other(oid: ASN1ObjectIdentifier, value: ASN1Any)

    /// 1.3.6.1.5.5.7.2.1
    public static let cpsOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 2, 1]
    /// 1.3.6.1.5.5.7.2.2
    public static let userNoticeOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 2, 2]
}

/// A user notice: free text and/or a reference to numbered notices of an organisation.
public struct UserNotice: Hashable, Sendable {
    public var noticeReference: NoticeReference?
    /// At most 200 characters; written as UTF8String, as RFC 6818 recommends.
    public var explicitText: String?

    public init(noticeReference: NoticeReference? = nil, explicitText: String? = nil) {
        self.noticeReference = noticeReference
        self.explicitText = explicitText
    }
}

/// Refers to notices an organisation publishes elsewhere, by number.
public struct NoticeReference: Hashable, Sendable {
    public var organization: String
    public var noticeNumbers: [Int]

    public init(organization: String, noticeNumbers: [Int]) {
        self.organization = organization
        self.noticeNumbers = noticeNumbers
    }
}

// MARK: - Wire form

extension PolicyInformation: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let policyIdentifier = try ASN1ObjectIdentifier(derEncoded: &nodes)
            var qualifiers: [PolicyQualifier] = []
            if let qualifierNode = nodes.next() {
                qualifiers = try DER.sequence(of: PolicyQualifier.self, identifier: .sequence, rootNode: qualifierNode)
            }
            return PolicyInformation(policyIdentifier, qualifiers: qualifiers)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(self.identifier)
            if !qualifiers.isEmpty {
                try coder.serializeSequenceOf(qualifiers)
            }
        }
    }
}

extension PolicyQualifier: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let qualifierID = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard let qualifierNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "Policy qualifier \(qualifierID) has no value")
            }
            switch qualifierID {
            case Self.cpsOID:
                return .cpsURI(String(try ASN1IA5String(derEncoded: qualifierNode)))
            case Self.userNoticeOID:
                return .userNotice(try UserNotice(derEncoded: qualifierNode))
            default:
                return .other(oid: qualifierID, value: ASN1Any(derEncoded: qualifierNode))
            }
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            switch self {
            case .cpsURI(let uri):
                try coder.serialize(Self.cpsOID)
                guard let ia5 = try? ASN1IA5String(uri) else {
                    throw CAError(.invalidInput, "The CPS URI \"\(uri)\" must be ASCII.")
                }
                try coder.serialize(ia5)
            case .userNotice(let notice):
                try coder.serialize(Self.userNoticeOID)
                try coder.serialize(notice)
            case .other(let oid, let value):
                try coder.serialize(oid)
                try coder.serialize(value)
            }
        }
    }
}

extension UserNotice: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            // Both fields are optional and differ in type: a NoticeReference is a SEQUENCE, DisplayText
            // is one of four string types.
            let reference: NoticeReference? = try DER.optionalImplicitlyTagged(&nodes)
            let text = try nodes.next().map(PolicyDisplayText.read)
            return UserNotice(noticeReference: reference, explicitText: text)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serializeOptionalImplicitlyTagged(noticeReference)
            if let explicitText {
                try PolicyDisplayText.write(explicitText, field: "The user notice text", into: &coder)
            }
        }
    }
}

extension NoticeReference: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            guard let organizationNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "Notice reference without organization")
            }
            let organization = try PolicyDisplayText.read(organizationNode)
            let numbers = try DER.sequence(of: Int.self, identifier: .sequence, nodes: &nodes)
            return NoticeReference(organization: organization, noticeNumbers: numbers)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try PolicyDisplayText.write(organization, field: "The notice reference organization", into: &coder)
            try coder.serializeSequenceOf(noticeNumbers)
        }
    }
}

/// DisplayText: read in any of its four string types, written as UTF8String.
enum PolicyDisplayText {
    static let maximumLength = 200

    static func read(_ node: ASN1Node) throws -> String {
        switch node.identifier {
        case .utf8String:
            return String(try ASN1UTF8String(derEncoded: node))
        case .ia5String:
            return String(try ASN1IA5String(derEncoded: node))
        case .visibleString:
            return String(try ASN1VisibleString(derEncoded: node))
        case .bmpString:
            let bytes = try ASN1BMPString(derEncoded: node).bytes
            guard bytes.count.isMultiple(of: 2) else {
                throw ASN1Error.invalidASN1Object(reason: "BMPString with an odd number of bytes")
            }
            let units = stride(from: bytes.startIndex, to: bytes.endIndex, by: 2).map { index in
                UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            }
            return String(decoding: units, as: UTF16.self)
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    static func write(_ text: String, field: String, into coder: inout DER.Serializer) throws {
        let length = text.unicodeScalars.count
        guard (1...maximumLength).contains(length) else {
            throw CAError(
                .invalidInput,
                "\(field) must be 1 to \(maximumLength) characters long, got \(length)."
            )
        }
        try coder.serialize(ASN1UTF8String(text))
    }
}

extension Certificate.Extension {
    /// Wraps a ``CertificatePolicies`` extension.
    public init(_ value: CertificatePolicies, critical: Bool) throws {
        do {
            try value.validate()
        } catch let error as CAError {
            throw CAError(error.kind, "Cannot encode the \(CertificatePolicies.displayName) extension: \(error.message)")
        }
        self = try ExtensionCoding.encode(
            PoliciesValue(policies: value.policies),
            oid: CertificatePolicies.oid,
            critical: critical,
            name: CertificatePolicies.displayName
        )
    }
}

/// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
private struct PoliciesValue: DERSerializable {
    var policies: [PolicyInformation]

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.serializeSequenceOf(policies)
    }
}

extension CertificatePolicies: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: false)
    }
}
