import SwiftASN1
import X509

/// Writes general names in the prefixed form ``GeneralNameParser`` reads.
///
/// `DNS:example.com`, `email:user@example.com`, `URI:https://example.com/`, `IP:192.0.2.1`,
/// `IP:10.0.0.0/8` (a network from name constraints), `RID:1.2.3`, `dirname:C=AT,CN=example`,
/// `otherName:1.2.3;UTF8:value`. For names ``GeneralNameParser`` produces,
/// `parse(format(name))` gives the same name (with `allowNetworks` for network forms).
/// x400Address and ediPartyName, which cannot be parsed, are shown as their DER in hex.
public enum GeneralNameFormatter {
    /// The name as prefixed text.
    public static func format(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let dnsName):
            "DNS:" + dnsName
        case .rfc822Name(let address):
            "email:" + address
        case .uniformResourceIdentifier(let uri):
            "URI:" + uri
        case .ipAddress(let octets):
            "IP:" + IPAddressText.format(Array(octets.bytes))
        case .registeredID(let identifier):
            "RID:" + identifier.description
        case .directoryName(let directoryName):
            "dirname:" + SubjectFormatter.format(directoryName)
        case .otherName(let otherName):
            "otherName:" + OtherNameText.format(otherName)
        case .x400Address(let address):
            "x400Address:" + hex(address)
        case .ediPartyName(let party):
            "ediPartyName:" + hex(party)
        }
    }

    private static func hex(_ value: ASN1Any) -> String {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(value)
        } catch {
            return ""
        }
        return NameText.colonHex(serializer.serializedBytes)
    }
}
