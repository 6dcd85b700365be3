import SwiftASN1
import X509

/// Extensions keyed by OID, in insertion order: setting an extension that is already there replaces it,
/// which is how overrides win over profile defaults and CA templates.
public struct ExtensionSet: Sendable {
    private(set) var ordered: [Certificate.Extension] = []

    public init() {}

    public mutating func set(_ extensionValue: Certificate.Extension) {
        if let index = ordered.firstIndex(where: { $0.oid == extensionValue.oid }) {
            ordered[index] = extensionValue
        } else {
            ordered.append(extensionValue)
        }
    }

    public mutating func set(_ value: some CertificateExtensionConvertible, critical: Bool) throws {
        var made = try value.makeCertificateExtension()
        made = Certificate.Extension(oid: made.oid, critical: critical, value: made.value)
        set(made)
    }

    public mutating func remove(_ oid: ASN1ObjectIdentifier) {
        ordered.removeAll { $0.oid == oid }
    }

    public func contains(_ oid: ASN1ObjectIdentifier) -> Bool {
        ordered.contains { $0.oid == oid }
    }

    public var all: [Certificate.Extension] { ordered }

    public func makeExtensions() throws -> Certificate.Extensions {
        try Certificate.Extensions(ordered)
    }
}
