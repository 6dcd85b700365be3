import SwiftASN1
import X509

// RFC 5280 §4.2.1.11 (module uses IMPLICIT TAGS):
//
// id-ce-policyConstraints OBJECT IDENTIFIER ::=  { id-ce 36 }
//
// PolicyConstraints ::= SEQUENCE {
//      requireExplicitPolicy           [0] SkipCerts OPTIONAL,
//      inhibitPolicyMapping            [1] SkipCerts OPTIONAL }
//
// SkipCerts ::= INTEGER (0..MAX)

/// The Policy Constraints extension (2.5.29.36), for CA certificates: from how many certificates
/// on an explicit policy is required, and policy mapping is no longer allowed. At least one of
/// the two must be present. RFC 5280 requires it to be critical.
public struct PolicyConstraints: Hashable, Sendable {
    /// 2.5.29.36
    public static let oid: ASN1ObjectIdentifier = [2, 5, 29, 36]
    static let displayName = "Policy Constraints"

    public var requireExplicitPolicy: Int?
    public var inhibitPolicyMapping: Int?

    public init(requireExplicitPolicy: Int? = nil, inhibitPolicyMapping: Int? = nil) {
        self.requireExplicitPolicy = requireExplicitPolicy
        self.inhibitPolicyMapping = inhibitPolicyMapping
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self = try ExtensionCoding.decode(Self.displayName) {
            try PolicyConstraints(derEncoded: ext.value)
        }
    }

    fileprivate func validate() throws {
        guard requireExplicitPolicy != nil || inhibitPolicyMapping != nil else {
            throw CAError(.invalidInput, "requireExplicitPolicy or inhibitPolicyMapping must be given.")
        }
        if let requireExplicitPolicy {
            _ = try ExtensionCoding.nonNegative(requireExplicitPolicy, field: "requireExplicitPolicy")
        }
        if let inhibitPolicyMapping {
            _ = try ExtensionCoding.nonNegative(inhibitPolicyMapping, field: "inhibitPolicyMapping")
        }
    }
}

extension PolicyConstraints: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    private static let requireExplicitPolicyTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    private static let inhibitPolicyMappingTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let constraints = PolicyConstraints(
                requireExplicitPolicy: try DER.optionalImplicitlyTagged(&nodes, tag: Self.requireExplicitPolicyTag),
                inhibitPolicyMapping: try DER.optionalImplicitlyTagged(&nodes, tag: Self.inhibitPolicyMappingTag)
            )
            try constraints.validate()
            return constraints
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try validate()
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serializeOptionalImplicitlyTagged(requireExplicitPolicy, withIdentifier: Self.requireExplicitPolicyTag)
            try coder.serializeOptionalImplicitlyTagged(inhibitPolicyMapping, withIdentifier: Self.inhibitPolicyMappingTag)
        }
    }
}

extension Certificate.Extension {
    /// Wraps a ``PolicyConstraints`` extension.
    public init(_ value: PolicyConstraints, critical: Bool) throws {
        self = try ExtensionCoding.encode(value, oid: PolicyConstraints.oid, critical: critical, name: PolicyConstraints.displayName)
    }
}

extension PolicyConstraints: CertificateExtensionConvertible {
    /// Always critical, as RFC 5280 requires.
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: true)
    }
}
