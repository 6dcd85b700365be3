import SwiftASN1
import X509

// RFC 7633 §6:
//
// id-pe-tlsfeature OBJECT IDENTIFIER ::=  { id-pe 24 }
//
// Features ::= SEQUENCE OF INTEGER
//
// Each INTEGER is a TLS extension type from the IANA "TLS ExtensionType Values" registry.

/// The TLS Feature extension (1.3.6.1.5.5.7.1.24), best known as "OCSP Must-Staple": TLS
/// extensions a server presenting this certificate must negotiate. Not critical by default.
public struct TLSFeature: Hashable, Sendable {
    /// 1.3.6.1.5.5.7.1.24
    public static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 24]
    static let displayName = "TLS Feature"

    /// `status_request` (RFC 6066), also called OCSP Must-Staple.
    public static let statusRequest = 5
    /// `status_request_v2` (RFC 6961), also called MultipleCertStatusRequest.
    public static let statusRequestV2 = 17

    /// TLS extension type numbers in the order they are written.
    public var features: [Int]

    public init(_ features: [Int]) {
        self.features = features
    }

    /// Builds the extension from names as django-ca accepts them: `status_request` (alias
    /// `OCSPMustStaple`), `status_request_v2` (alias `MultipleCertStatusRequest`), or a bare number.
    ///
    /// - Throws: `CAError(.invalidInput)` for an unknown name.
    public init(names: [String]) throws {
        self.features = try names.map(Self.feature(named:))
    }

    /// The django-ca names of ``features``; a number without a name is printed as such.
    public var names: [String] {
        features.map { Self.name(of: $0) ?? String($0) }
    }

    private static let namedFeatures: [(name: String, aliases: [String], value: Int)] = [
        ("status_request", ["OCSPMustStaple"], statusRequest),
        ("status_request_v2", ["MultipleCertStatusRequest"], statusRequestV2),
    ]

    /// The TLS extension type a name stands for (case-insensitive, `_`/`-` ignored).
    public static func feature(named name: String) throws -> Int {
        let trimmed = ExtensionText.trimmed(name)
        if let number = Int(trimmed), (0...Int(UInt16.max)).contains(number) {
            return number
        }
        let wanted = normalized(trimmed)
        for entry in namedFeatures where ([entry.name] + entry.aliases).contains(where: { normalized($0) == wanted }) {
            return entry.value
        }
        let valid = namedFeatures.flatMap { [$0.name] + $0.aliases }.joined(separator: ", ")
        throw CAError(.invalidInput, "Unknown TLS feature \"\(name)\"; valid features are \(valid).")
    }

    /// The canonical django-ca name of a TLS extension type, if it has one.
    public static func name(of feature: Int) -> String? {
        namedFeatures.first { $0.value == feature }?.name
    }

    private static func normalized(_ name: String) -> String {
        name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " }
    }

    /// Reads the extension.
    ///
    /// - Throws: `CAError(.invalidInput)` if `ext` is another extension or its value is malformed.
    public init(_ ext: Certificate.Extension) throws {
        try ExtensionCoding.requireOID(ext, is: Self.oid, name: Self.displayName)
        self.features = try ExtensionCoding.decode(Self.displayName) {
            try FeaturesValue(derEncoded: ext.value).features
        }
    }
}

/// Features ::= SEQUENCE OF INTEGER
private struct FeaturesValue: DERImplicitlyTaggable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var features: [Int]

    init(features: [Int]) {
        self.features = features
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self.features = try DER.sequence(of: Int.self, identifier: identifier, rootNode: rootNode)
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        guard !features.isEmpty else {
            throw CAError(.invalidInput, "At least one TLS feature is required.")
        }
        // TLS extension types are 16-bit numbers; anything else cannot be negotiated.
        if let invalid = features.first(where: { !(0...Int(UInt16.max)).contains($0) }) {
            throw CAError(.invalidInput, "TLS feature \(invalid) is not a TLS extension type (0 to 65535).")
        }
        try coder.serializeSequenceOf(features, identifier: identifier)
    }
}

extension Certificate.Extension {
    /// Wraps a ``TLSFeature`` extension.
    public init(_ value: TLSFeature, critical: Bool) throws {
        self = try ExtensionCoding.encode(
            FeaturesValue(features: value.features),
            oid: TLSFeature.oid,
            critical: critical,
            name: TLSFeature.displayName
        )
    }
}

extension TLSFeature: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        try Certificate.Extension(self, critical: false)
    }
}
