import SwiftASN1
import X509

// A minimal text form of general names for ExtensionDescriber, in django-ca's `TYPE:value` style
// (`DNS:example.com`, `URI:http://…`, `email:…`, `IP:…`, `dirname:…`, `RID:…`, `otherName:…`).
//
// The Names/ folder has the full formatter used for input and output elsewhere; this copy exists
// so that the extension code does not depend on it, and it never throws, because the describer
// must render whatever a certificate contains.
public enum GeneralNameDescription {
    /// One general name as `TYPE:value`.
    ///
    /// - Parameter inNameConstraint: Name Constraints write IP subtrees as address plus mask,
    ///   which is then shown in CIDR form.
    public static func describe(_ name: GeneralName, inNameConstraint: Bool = false) -> String {
        switch name {
        case .dnsName(let value):
            return "DNS:\(value)"
        case .rfc822Name(let value):
            return "email:\(value)"
        case .uniformResourceIdentifier(let value):
            return "URI:\(value)"
        case .ipAddress(let octets):
            let bytes = Array(octets.bytes)
            return "IP:" + (inNameConstraint ? ipNetwork(bytes) : ipAddress(bytes))
        case .directoryName(let distinguishedName):
            return "dirname:\(distinguishedName)"
        case .registeredID(let oid):
            return "RID:\(oid)"
        case .otherName(let otherName):
            return "otherName:\(otherName.typeID);" + otherNameValue(otherName.value)
        case .x400Address(let value):
            return "x400Address:" + derHex(value)
        case .ediPartyName(let value):
            return "ediPartyName:" + derHex(value)
        }
    }

    static func describe(_ names: [GeneralName], inNameConstraint: Bool = false) -> String {
        names.map { describe($0, inNameConstraint: inNameConstraint) }.joined(separator: ", ")
    }

    /// A UTF8String value is shown as text (the usual case: UPNs), anything else as DER hex.
    private static func otherNameValue(_ value: ASN1Any?) -> String {
        guard let value else {
            return ""
        }
        if let text = try? ASN1UTF8String(asn1Any: value) {
            return "UTF8:" + String(text)
        }
        return derHex(value)
    }

    static func derHex(_ value: ASN1Any) -> String {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(value)) != nil else {
            return "(unprintable)"
        }
        return ExtensionText.colonHex(serializer.serializedBytes)
    }

    /// An address of 4 or 16 bytes in its usual text form; other lengths as hex.
    static func ipAddress(_ bytes: [UInt8]) -> String {
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".")
        case 16:
            return ipv6(bytes)
        default:
            return ExtensionText.colonHex(bytes)
        }
    }

    /// An address followed by its mask (8 or 32 bytes) as `address/prefix`, or `address/mask` when
    /// the mask is not a prefix.
    static func ipNetwork(_ bytes: [UInt8]) -> String {
        guard bytes.count == 8 || bytes.count == 32 else {
            return ipAddress(bytes)
        }
        let half = bytes.count / 2
        let address = Array(bytes[..<half])
        let mask = Array(bytes[half...])
        if let prefix = prefixLength(mask) {
            return "\(ipAddress(address))/\(prefix)"
        }
        return "\(ipAddress(address))/\(ipAddress(mask))"
    }

    /// The number of leading one bits if `mask` is ones followed only by zeros.
    private static func prefixLength(_ mask: [UInt8]) -> Int? {
        var length = 0
        var seenZero = false
        for byte in mask {
            for bit in 0..<8 {
                let isOne = byte & (0x80 >> bit) != 0
                if isOne {
                    if seenZero {
                        return nil
                    }
                    length += 1
                } else {
                    seenZero = true
                }
            }
        }
        return length
    }

    /// RFC 5952 text: lower-case hex groups, the first longest run of two or more zero groups
    /// written as `::`.
    private static func ipv6(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < groups.count, groups[index] == 0 {
                index += 1
            }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else {
            return hex.joined(separator: ":")
        }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
