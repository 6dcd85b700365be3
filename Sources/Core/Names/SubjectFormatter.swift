import SwiftASN1
import X509

/// Writes distinguished names as text that ``SubjectParser`` reads back.
///
/// The output is RFC 4514 escaping in certificate order (the first RDN first, as ``SubjectParser``
/// takes it), with short names where they exist (`CN`, `O`, `emailAddress`, ...) and dotted OIDs
/// otherwise. Values that are not strings are written as `#` and their DER encoding in hex.
///
/// For every name ``SubjectParser`` produces, `SubjectParser.parse(SubjectFormatter.format(name))`
/// gives the same name. A name read from someone else's certificate may use a different string type
/// than the parser would choose (a PrintableString common name, say); it is shown as text, and
/// parsing that text gives the parser's type. Use the DER encoding where an exact copy matters.
public enum SubjectFormatter {
    /// The name as text, for example `C=AT,O=Example,CN=example.com`.
    public static func format(_ name: DistinguishedName) -> String {
        name.map { relativeName in
            relativeName.map(format).joined(separator: "+")
        }.joined(separator: ",")
    }

    /// The value of the first common name (CN) attribute, if the name has one.
    public static func commonName(of name: DistinguishedName) -> String? {
        for relativeName in name {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value) ?? String(describing: attribute.value)
            }
        }
        return nil
    }

    /// The name used for an attribute type: its short name if it has one, else the dotted OID.
    public static func attributeTypeName(_ type: ASN1ObjectIdentifier) -> String {
        SubjectAttributeType.identified(by: type)?.preferredName ?? type.description
    }

    static func format(_ attribute: RelativeDistinguishedName.Attribute) -> String {
        let key = attributeTypeName(attribute.type)
        guard let text = String(attribute.value) else {
            return key + "=#" + NameText.hex(derBytes(of: attribute.value))
        }
        return key + "=" + escape(text)
    }

    private static func derBytes(of value: RelativeDistinguishedName.Attribute.Value) -> [UInt8] {
        var serializer = DER.Serializer()
        // Serializing an ASN1Any only copies bytes that were valid DER when it was made.
        do {
            try serializer.serialize(ASN1Any(value))
        } catch {
            return []
        }
        return serializer.serializedBytes
    }

    /// Escapes a value as RFC 4514 section 2.4 asks, and control characters as `\XX` so the
    /// result stays on one line.
    public static func escape(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var escaped = ""
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case ",", "+", "\"", "\\", "<", ">", ";":
                escaped += "\\"
                escaped.unicodeScalars.append(scalar)
            case "#" where index == 0, " " where index == 0 || index == scalars.count - 1:
                escaped += "\\"
                escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                escaped += "\\" + NameText.hex([UInt8(scalar.value)]).uppercased()
            default:
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
