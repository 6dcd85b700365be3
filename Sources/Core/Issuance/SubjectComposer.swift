import X509

/// Rules that connect a certificate's subject and its SAN.
public enum SubjectComposer {
    /// The explicit subject, preceded by the default attributes whose types it does not set
    /// (defaults such as C and O come first, as certificates usually order them).
    public static func merge(_ explicit: DistinguishedName, over defaults: DistinguishedName?) -> DistinguishedName {
        guard let defaults, !defaults.isEmpty else { return explicit }
        let explicitTypes = Set(explicit.flatMap { $0.map(\.type) })
        let inherited = defaults.filter { rdn in rdn.allSatisfy { !explicitTypes.contains($0.type) } }
        return DistinguishedName(Array(inherited) + Array(explicit))
    }

    public static func appendingCommonName(_ value: String, to subject: DistinguishedName) throws -> DistinguishedName {
        guard value.utf8.count <= 64 else {
            throw CAError(.invalidInput, "\"\(value)\" is longer than the 64 characters a CN may have; give --subject with a CN")
        }
        let attribute = RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: value)
        return DistinguishedName(Array(subject) + [RelativeDistinguishedName(attribute)])
    }

    /// The value a general name contributes when it becomes the CN (no type prefix), if it can.
    public static func commonNameValue(of name: GeneralName) -> String? {
        switch name {
        case .dnsName(let value), .rfc822Name(let value), .uniformResourceIdentifier(let value): return value
        case .ipAddress:
            let formatted = GeneralNameFormatter.format(name)
            return formatted.hasPrefix("IP:") ? String(formatted.dropFirst(3)) : nil
        default: return nil
        }
    }

    /// Only names a TLS or mail client compares with the CN are copied into the SAN.
    public static func isNameForAlternativeNames(_ name: GeneralName) -> Bool {
        switch name {
        case .dnsName, .ipAddress, .rfc822Name: return true
        default: return false
        }
    }
}
