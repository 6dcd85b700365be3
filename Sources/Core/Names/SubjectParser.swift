import SwiftASN1
import X509

/// Parses subjects (distinguished names) as given on the command line.
///
/// Two syntaxes are accepted:
///
/// - RFC 4514, `C=AT,O=Example,CN=example.com`, with `\,`, `\+`, `\"`, `\\` and `\XX` (hex) escapes,
///   values in double quotes (`O="Example, Inc."`), multi-valued RDNs joined by `+`, and `#hex`
///   values holding the DER encoding of a value. Unlike RFC 4514, and like django-ca, attributes are
///   taken **in the order written**: the first one written is the first RDN in the certificate.
/// - OpenSSL's `-subj` form, `/C=AT/O=Example/CN=example.com`, recognised by its leading `/`, where a
///   backslash escapes the next character (`\/` for a slash).
///
/// Attribute types are short names (`CN`, `C`, `L`, `ST`, `O`, `OU`, `DC`, `SN`, `GN`, `UID`), long
/// names (`commonName`, `emailAddress`, `serialNumber`, `jurisdictionCountryName`, ...) or dotted
/// OIDs (`2.5.4.3`), all case-insensitive. Values are encoded as RFC 5280 asks: country codes,
/// `serialNumber` and `dnQualifier` as PrintableString, `emailAddress` and `DC` as IA5String,
/// everything else as UTF8String.
///
/// Empty input gives an empty name, and an attribute may have an empty value (`CN=`): whether
/// either is acceptable is up to the caller (django-ca uses an empty value to remove a field).
public enum SubjectParser {
    /// Parses a subject in RFC 4514 or OpenSSL syntax.
    ///
    /// - Parameter text: The subject as the user wrote it.
    /// - Returns: The distinguished name, RDNs in the order written.
    /// - Throws: `CAError(.invalidInput)` naming the input and what is wrong with it.
    public static func parse(_ text: String) throws -> DistinguishedName {
        do {
            return try parseName(text)
        } catch {
            throw CAError(.invalidInput, "Cannot parse subject \(NameText.quoted(text)): \(error.reason).")
        }
    }

    /// The object identifier for an attribute type name (`CN`, `commonName`, `2.5.4.3`, any case).
    ///
    /// - Throws: `CAError(.invalidInput)` if the name is neither known nor a dotted OID.
    public static func attributeType(named name: String) throws -> ASN1ObjectIdentifier {
        do {
            return try lookUpAttributeType(NameText.trimmingSpaces(name)).objectIdentifier
        } catch {
            throw CAError(.invalidInput, "Cannot use attribute type \(NameText.quoted(name)): \(error.reason).")
        }
    }

    /// Parses a subject, reporting problems without the surrounding input so that callers such
    /// as the general name parser can embed them in their own messages.
    static func parseName(_ text: String) throws(NameSyntaxError) -> DistinguishedName {
        let syntax: DistinguishedNameScanner.Syntax =
            NameText.trimmingSpaces(text).hasPrefix("/") ? .openSSL : .rfc4514
        var scanner = DistinguishedNameScanner(text, syntax: syntax)
        let writtenNames = try scanner.scan()
        var relativeNames: [RelativeDistinguishedName] = []
        for writtenRelativeName in writtenNames {
            var attributes: [RelativeDistinguishedName.Attribute] = []
            for written in writtenRelativeName {
                attributes.append(try makeAttribute(written))
            }
            relativeNames.append(RelativeDistinguishedName(attributes))
        }
        return DistinguishedName(relativeNames)
    }

    private struct KnownOrDottedType {
        let objectIdentifier: ASN1ObjectIdentifier
        /// `nil` for an OID without rules of its own; its values are UTF8String without a bound.
        let rules: SubjectAttributeType?
    }

    private static func lookUpAttributeType(_ key: String) throws(NameSyntaxError) -> KnownOrDottedType {
        if let known = SubjectAttributeType.named(key) {
            return KnownOrDottedType(objectIdentifier: known.objectIdentifier, rules: known)
        }
        guard ObjectIdentifierText.looksLikeObjectIdentifier(key) else {
            throw NameSyntaxError(
                "unknown attribute type \(NameText.quoted(key)); use a name such as CN, O, OU, L, ST, C, "
                    + "emailAddress or serialNumber, or a dotted OID"
            )
        }
        let objectIdentifier = try ObjectIdentifierText.parse(key)
        return KnownOrDottedType(
            objectIdentifier: objectIdentifier,
            rules: SubjectAttributeType.identified(by: objectIdentifier)
        )
    }

    private static func makeAttribute(
        _ written: WrittenAttribute
    ) throws(NameSyntaxError) -> RelativeDistinguishedName.Attribute {
        let type = try lookUpAttributeType(written.key)
        switch written.value {
        case .encoded(let derBytes):
            do {
                return .init(type: type.objectIdentifier, value: try ASN1Any(derEncoded: derBytes))
            } catch {
                throw NameSyntaxError("the hex value of \(NameText.quoted(written.key)) is not valid DER")
            }
        case .text(let value):
            guard let rules = type.rules else {
                return .init(type: type.objectIdentifier, utf8String: value)
            }
            return try makeAttribute(value, key: written.key, rules: rules)
        }
    }

    private static func makeAttribute(
        _ value: String,
        key: String,
        rules: SubjectAttributeType
    ) throws(NameSyntaxError) -> RelativeDistinguishedName.Attribute {
        let characterCount = value.unicodeScalars.count
        if rules.isCountryCode, !value.isEmpty {
            let isTwoLetters =
                characterCount == 2 && value.unicodeScalars.allSatisfy { $0.isASCII && $0.properties.isAlphabetic }
            guard isTwoLetters else {
                throw NameSyntaxError(
                    "\(NameText.quoted(key)) must be a two-letter country code such as \"AT\", "
                        + "not \(NameText.quoted(value))"
                )
            }
        }
        if let maximumLength = rules.maximumLength, characterCount > maximumLength {
            throw NameSyntaxError(
                "the value of \(NameText.quoted(key)) has \(characterCount) characters, "
                    + "more than the \(maximumLength) allowed"
            )
        }
        switch rules.encoding {
        case .utf8:
            return .init(type: rules.objectIdentifier, utf8String: value)
        case .printable:
            do {
                return try .init(type: rules.objectIdentifier, printableString: value)
            } catch {
                throw NameSyntaxError(
                    "the value \(NameText.quoted(value)) of \(NameText.quoted(key)) may only contain letters, "
                        + "digits, spaces and the characters '()+,-./:=? (PrintableString)"
                )
            }
        case .ia5:
            do {
                return try .init(type: rules.objectIdentifier, ia5String: value)
            } catch {
                throw NameSyntaxError(
                    "the value \(NameText.quoted(value)) of \(NameText.quoted(key)) may only contain "
                        + "ASCII characters (IA5String)"
                )
            }
        }
    }
}
