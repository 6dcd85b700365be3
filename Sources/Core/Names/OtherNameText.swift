import SwiftASN1
import X509

/// Reads and writes otherName general names as `<oid>;<TYPE>:<value>`.
///
/// The types are those of OpenSSL's `ASN1_generate_nconf` that django-ca accepts: `UTF8`, `UNIV`,
/// `IA5`, `BOOL`, `UTC`, `GENTIME`, `INT`, `NULL` and `OctetString` (long forms such as `UTF8String`
/// and `INTEGER` too). swift-ca adds `DER:<hex>`, a complete DER value, so that any otherName read
/// from a certificate can be written back. The value is the inner ASN.1 value: the `[0] EXPLICIT`
/// wrapper RFC 5280 requires is added when the general name is encoded.
enum OtherNameText {
    static let syntaxHint =
        "write otherName:<OID>;<TYPE>:<value>, for example "
        + "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com"

    static func parse(_ text: String) throws(NameSyntaxError) -> GeneralName.OtherName {
        let oidAndRest = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        guard oidAndRest.count == 2 else {
            throw NameSyntaxError("there is no \";\" after the OID; \(syntaxHint)")
        }
        let typeIdentifier = try ObjectIdentifierText.parse(NameText.trimmingSpaces(oidAndRest[0]))
        let typeAndValue = oidAndRest[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard typeAndValue.count == 2 else {
            throw NameSyntaxError("there is no \":\" between value type and value; \(syntaxHint)")
        }
        let typeName = NameText.trimmingSpaces(typeAndValue[0])
        guard let valueType = ValueType(name: typeName) else {
            throw NameSyntaxError(
                "unknown value type \(NameText.quoted(typeName)); use UTF8, UNIV, IA5, BOOL, UTC, GENTIME, "
                    + "INT, NULL, OctetString or DER"
            )
        }
        let value = try valueType.encode(String(typeAndValue[1]))
        return GeneralName.OtherName(typeID: typeIdentifier, value: value)
    }

    /// `<oid>;<TYPE>:<value>`, falling back to `DER:` whenever the typed text would not parse back
    /// to the same bytes.
    static func format(_ otherName: GeneralName.OtherName) -> String {
        let prefix = otherName.typeID.description + ";"
        guard let value = otherName.value else {
            // RFC 5280 makes the value mandatory; there is no text for its absence.
            return otherName.typeID.description
        }
        let derBytes = serialize(value)
        if let typed = typedText(derBytes) {
            let candidate = prefix + typed
            if (try? parse(candidate)) == otherName {
                return candidate
            }
        }
        return prefix + ValueType.der.displayName + ":" + NameText.colonHex(derBytes)
    }

    private static func serialize(_ value: ASN1Any) -> [UInt8] {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(value)
        } catch {
            return []
        }
        return serializer.serializedBytes
    }

    /// `TYPE:value` for the types with a text form, or `nil`.
    private static func typedText(_ derBytes: [UInt8]) -> String? {
        guard let node = try? DER.parse(derBytes), case .primitive(let contentSlice) = node.content else {
            return nil
        }
        let content = Array(contentSlice)
        let valueType: ValueType
        let text: String?
        switch node.identifier {
        case .utf8String:
            (valueType, text) = (.utf8, String(validating: content, as: UTF8.self))
        case .universalString:
            (valueType, text) = (.universal, decodeUniversalString(content))
        case .ia5String:
            (valueType, text) = (.ia5, String(validating: content, as: UTF8.self))
        case .boolean:
            (valueType, text) = (.boolean, content == [0xFF] ? "TRUE" : content == [0x00] ? "FALSE" : nil)
        case .utcTime:
            (valueType, text) = (.utcTime, String(validating: content, as: UTF8.self))
        case .generalizedTime:
            (valueType, text) = (.generalizedTime, String(validating: content, as: UTF8.self))
        case .integer:
            (valueType, text) = (.integer, IntegerText.format(content))
        case .null:
            (valueType, text) = (.null, "")
        case .octetString:
            (valueType, text) = (.octetString, NameText.colonHex(content))
        default:
            return nil
        }
        return text.map { valueType.displayName + ":" + $0 }
    }

    private static func decodeUniversalString(_ content: [UInt8]) -> String? {
        guard content.count % 4 == 0 else { return nil }
        var text = ""
        var index = 0
        while index < content.count {
            let value = content[index..<(index + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            text.unicodeScalars.append(scalar)
            index += 4
        }
        return text
    }
}

extension OtherNameText {
    /// The value types, named as in OpenSSL's ASN1_generate_nconf.
    enum ValueType: CaseIterable {
        case utf8, universal, ia5, boolean, utcTime, generalizedTime, integer, null, octetString, der

        /// Accepted spellings, compared case-insensitively.
        var names: [String] {
            switch self {
            case .utf8: ["UTF8", "UTF8String"]
            case .universal: ["UNIV", "UniversalString"]
            case .ia5: ["IA5", "IA5String"]
            case .boolean: ["BOOL", "BOOLEAN"]
            case .utcTime: ["UTC", "UTCTime"]
            case .generalizedTime: ["GENTIME", "GeneralizedTime"]
            case .integer: ["INT", "INTEGER"]
            case .null: ["NULL"]
            case .octetString: ["OctetString"]
            case .der: ["DER"]
            }
        }

        var displayName: String { names[0] }

        init?(name: String) {
            let uppercased = name.uppercased()
            guard let match = Self.allCases.first(where: { $0.names.contains { $0.uppercased() == uppercased } })
            else { return nil }
            self = match
        }

        func encode(_ value: String) throws(NameSyntaxError) -> ASN1Any {
            switch self {
            case .utf8:
                return try primitive(.utf8String, Array(value.utf8))
            case .universal:
                // UniversalString is UCS-4: four big-endian bytes per code point.
                let content = value.unicodeScalars.flatMap { scalar in
                    (0..<4).reversed().map { UInt8(truncatingIfNeeded: scalar.value >> ($0 * 8)) }
                }
                return try primitive(.universalString, content)
            case .ia5:
                guard NameText.isASCII(value) else {
                    throw NameSyntaxError("the IA5 value \(NameText.quoted(value)) may only contain ASCII characters")
                }
                return try primitive(.ia5String, Array(value.utf8))
            case .boolean:
                switch value.uppercased() {
                case "TRUE", "YES", "Y": return try primitive(.boolean, [0xFF])
                case "FALSE", "NO", "N": return try primitive(.boolean, [0x00])
                default:
                    throw NameSyntaxError("the BOOL value \(NameText.quoted(value)) must be TRUE or FALSE")
                }
            case .utcTime:
                let encoded = try primitive(.utcTime, Array(value.utf8))
                guard (try? UTCTime(asn1Any: encoded)) != nil else {
                    throw NameSyntaxError(
                        "the UTC value \(NameText.quoted(value)) must be a time written YYMMDDHHMMSSZ"
                    )
                }
                return encoded
            case .generalizedTime:
                let encoded = try primitive(.generalizedTime, Array(value.utf8))
                guard (try? GeneralizedTime(asn1Any: encoded)) != nil else {
                    throw NameSyntaxError(
                        "the GENTIME value \(NameText.quoted(value)) must be a time written YYYYMMDDHHMMSSZ"
                    )
                }
                return encoded
            case .integer:
                guard let content = IntegerText.parse(value) else {
                    throw NameSyntaxError(
                        "the INT value \(NameText.quoted(value)) must be a decimal or 0x-prefixed hex integer"
                    )
                }
                return try primitive(.integer, content)
            case .null:
                guard value.isEmpty else {
                    throw NameSyntaxError("a NULL value must be empty, not \(NameText.quoted(value))")
                }
                return try primitive(.null, [])
            case .octetString:
                guard let content = NameText.bytes(fromHex: value.filter { $0 != ":" }) else {
                    throw NameSyntaxError(
                        "the OctetString value \(NameText.quoted(value)) must be hex digits, optionally "
                            + "separated by colons"
                    )
                }
                return try primitive(.octetString, content)
            case .der:
                guard let bytes = NameText.bytes(fromHex: value.filter { $0 != ":" }),
                    let node = try? DER.parse(bytes)
                else {
                    throw NameSyntaxError(
                        "the DER value \(NameText.quoted(value)) must be one DER-encoded ASN.1 value in hex"
                    )
                }
                return ASN1Any(derEncoded: node)
            }
        }

        private func primitive(_ identifier: ASN1Identifier, _ content: [UInt8]) throws(NameSyntaxError) -> ASN1Any {
            var serializer = DER.Serializer()
            serializer.appendPrimitiveNode(identifier: identifier) { $0.append(contentsOf: content) }
            do {
                return ASN1Any(derEncoded: try DER.parse(serializer.serializedBytes))
            } catch {
                throw NameSyntaxError("the value cannot be encoded as \(displayName)")
            }
        }
    }
}

extension OtherNameText {
    /// Arbitrary-size integers as text and as DER INTEGER content (two's complement, minimal length).
    enum IntegerText {
        /// Content octets for a decimal or `0x` hex integer with an optional sign, or `nil`.
        static func parse(_ text: String) -> [UInt8]? {
            var digits = Substring(text)
            var isNegative = false
            if let sign = digits.first, sign == "-" || sign == "+" {
                isNegative = sign == "-"
                digits = digits.dropFirst()
            }
            let magnitude: [UInt8]?
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
                let hexDigits = digits.dropFirst(2)
                magnitude =
                    hexDigits.isEmpty ? nil : NameText.bytes(fromHex: (hexDigits.count % 2 == 1 ? "0" : "") + hexDigits)
            } else {
                magnitude = decimalMagnitude(digits)
            }
            guard let magnitude else { return nil }
            return encode(magnitude: magnitude, isNegative: isNegative)
        }

        /// Big-endian bytes of a decimal number, by schoolbook multiply-and-add.
        private static func decimalMagnitude(_ digits: Substring) -> [UInt8]? {
            guard !digits.isEmpty else { return nil }
            var bytes: [UInt8] = [0]
            for digit in digits.utf8 {
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
                var carry = UInt(digit - UInt8(ascii: "0"))
                for index in bytes.indices.reversed() {
                    let product = UInt(bytes[index]) * 10 + carry
                    bytes[index] = UInt8(truncatingIfNeeded: product)
                    carry = product >> 8
                }
                while carry > 0 {
                    bytes.insert(UInt8(truncatingIfNeeded: carry), at: 0)
                    carry >>= 8
                }
            }
            return bytes
        }

        private static func encode(magnitude: [UInt8], isNegative: Bool) -> [UInt8] {
            var bytes = Array(magnitude.drop { $0 == 0 })
            if bytes.isEmpty { return [0] }
            if isNegative {
                // Two's complement one byte wider than the magnitude, then drop redundant sign bytes.
                bytes.insert(0, at: 0)
                bytes = bytes.map { ~$0 }
                for index in bytes.indices.reversed() {
                    bytes[index] &+= 1
                    if bytes[index] != 0 { break }
                }
                while bytes.count > 1, bytes[0] == 0xFF, bytes[1] & 0x80 != 0 {
                    bytes.removeFirst()
                }
            } else if bytes[0] & 0x80 != 0 {
                bytes.insert(0, at: 0)
            }
            return bytes
        }

        /// Decimal for values that fit 64 bits, `0x` hex for larger positive ones, else `nil`.
        static func format(_ content: [UInt8]) -> String? {
            guard let first = content.first else { return nil }
            if content.count <= 8 {
                var value: Int64 = first & 0x80 != 0 ? -1 : 0
                for byte in content {
                    value = value << 8 | Int64(byte)
                }
                return String(value)
            }
            guard first & 0x80 == 0 else { return nil }
            let significant = content.drop { $0 == 0 }
            return "0x" + NameText.hex(significant).uppercased()
        }
    }
}
