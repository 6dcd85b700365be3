import CACore
import SwiftASN1
import Testing
import X509

@Suite("SubjectParser")
struct SubjectParserTests {
    private static let commonName = ASN1ObjectIdentifier.RDNAttributeType.commonName
    private static let organization = ASN1ObjectIdentifier.RDNAttributeType.organizationName
    private static let country = ASN1ObjectIdentifier.RDNAttributeType.countryName

    private func singleValue(_ subject: String) throws -> RelativeDistinguishedName.Attribute {
        let name = try SubjectParser.parse(subject)
        try #require(name.count == 1 && name[0].count == 1)
        return name[0][0]
    }

    // MARK: Syntax

    @Test("attributes are taken in the order written, not reversed as in RFC 4514")
    func orderAsWritten() throws {
        let name = try SubjectParser.parse("C=AT,O=Example,CN=example.com")
        #expect(
            NameTestSupport.attributes(of: name).map { $0.map(\.type) } == [
                [Self.country], [Self.organization], [Self.commonName],
            ]
        )
        #expect(
            NameTestSupport.attributes(of: name).map { $0.map { String($0.value) } } == [
                ["AT"], ["Example"], ["example.com"],
            ]
        )
    }

    @Test("empty and blank subjects give an empty name", arguments: ["", "   ", "/"])
    func emptySubject(_ text: String) throws {
        #expect(try SubjectParser.parse(text).isEmpty)
    }

    @Test("the OpenSSL form gives the same name as the RFC 4514 form")
    func openSSLForm() throws {
        let openSSL = try SubjectParser.parse("/C=AT/L=Vienna/CN=example.com")
        let rfc4514 = try SubjectParser.parse("C=AT,L=Vienna,CN=example.com")
        #expect(openSSL == rfc4514)
        #expect(try SubjectParser.parse("/c=AT/l=Vienna/cn=example.com") == rfc4514)
        #expect(try SubjectParser.parse("  /C=AT / L=Vienna/ CN=example.com ") == rfc4514)
    }

    @Test(
        "OpenSSL form escapes and literals",
        arguments: [
            ("/CN=a\\/b", "a/b"),
            ("/O=Example, Inc.", "Example, Inc."),
            ("/CN=\"a/b\"", "a/b"),
            ("/CN=a\\+b", "a+b"),
            ("/CN=back\\\\slash", "back\\slash"),
            ("/CN=\\41", "41"),
        ]
    )
    func openSSLEscapes(_ text: String, _ expected: String) throws {
        #expect(String(try singleValue(text).value) == expected)
    }

    @Test("a multi-valued RDN in the OpenSSL form")
    func openSSLMultiValued() throws {
        let name = try SubjectParser.parse("/O=Example/OU=IT+CN=example.com")
        #expect(name.count == 2)
        #expect(Set(name[1].map(\.type)) == [Self.commonName, .RDNAttributeType.organizationalUnitName])
    }

    @Test(
        "RFC 4514 escapes",
        arguments: [
            ("CN=a\\,b", "a,b"),
            ("CN=a\\+b", "a+b"),
            ("CN=a\\\"b", "a\"b"),
            ("CN=a\\\\b", "a\\b"),
            ("CN=a\\;b\\<c\\>", "a;b<c>"),
            ("CN=M\\C3\\BCller", "Müller"),
            ("CN=\\4d\\c3\\bcller", "Müller"),
            ("CN=\\ padded\\ ", " padded "),
            ("CN=\\#1", "#1"),
            ("CN=a=b", "a=b"),
            ("CN=a/b", "a/b"),
        ]
    )
    func rfc4514Escapes(_ text: String, _ expected: String) throws {
        #expect(String(try singleValue(text).value) == expected)
    }

    @Test(
        "quoted values keep separators and spaces",
        arguments: [
            ("O=\"Example, Inc.\"", "Example, Inc."),
            ("O=\"a+b\"", "a+b"),
            ("O = \" spaced \" ", " spaced "),
            ("O=\"say \\\"hi\\\"\"", "say \"hi\""),
            ("O=\"\"", ""),
        ]
    )
    func quotedValues(_ text: String, _ expected: String) throws {
        #expect(String(try singleValue(text).value) == expected)
    }

    @Test("spaces around keys and values are trimmed")
    func spacesTrimmed() throws {
        let name = try SubjectParser.parse("  CN = example.com ,  O = Example Org  ")
        #expect(name == (try SubjectParser.parse("CN=example.com,O=Example Org")))
    }

    @Test("a multi-valued RDN with +")
    func multiValuedRelativeName() throws {
        let name = try SubjectParser.parse("C=AT,OU=IT+CN=example.com,O=Example")
        #expect(name.count == 3)
        #expect(name[1].count == 2)
        #expect(Set(name[1].map(\.type)) == [Self.commonName, .RDNAttributeType.organizationalUnitName])
        // A SET OF is unordered, so the order inside the RDN does not matter.
        #expect(name == (try SubjectParser.parse("C=AT,CN=example.com+OU=IT,O=Example")))
    }

    @Test("an empty value is kept for the caller to interpret")
    func emptyValue() throws {
        let attribute = try singleValue("CN=")
        #expect(String(attribute.value) == "")
        #expect(try NameTestSupport.tag(of: attribute.value) == NameTestSupport.StringTag.utf8)
    }

    @Test("#hex values carry a DER-encoded value")
    func hexValues() throws {
        let text = try singleValue("CN=#0c03616263")
        #expect(String(text.value) == "abc")
        #expect(try NameTestSupport.tag(of: text.value) == NameTestSupport.StringTag.utf8)

        let integer = try singleValue("1.2.3.4=#020105")
        #expect(String(integer.value) == nil)
        #expect(try NameTestSupport.derBytes(ASN1Any(integer.value)) == [0x02, 0x01, 0x05])
    }

    // MARK: Attribute types

    struct KeyCase: Sendable, CustomTestStringConvertible {
        let names: [String]
        let oid: String
        let tag: UInt8
        var sample = "value"

        var testDescription: String { names[0] }
    }

    static let keyCases: [KeyCase] = [
        .init(names: ["CN", "commonName"], oid: "2.5.4.3", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["C", "countryName"], oid: "2.5.4.6", tag: NameTestSupport.StringTag.printable, sample: "AT"),
        .init(names: ["L", "localityName"], oid: "2.5.4.7", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["ST", "stateOrProvinceName"], oid: "2.5.4.8", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["O", "organizationName"], oid: "2.5.4.10", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["OU", "organizationalUnitName"], oid: "2.5.4.11", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["DC", "domainComponent"], oid: "0.9.2342.19200300.100.1.25", tag: NameTestSupport.StringTag.ia5),
        .init(names: ["SN", "surname"], oid: "2.5.4.4", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["GN", "givenName"], oid: "2.5.4.42", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["title"], oid: "2.5.4.12", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["serialNumber"], oid: "2.5.4.5", tag: NameTestSupport.StringTag.printable),
        .init(
            names: ["emailAddress"],
            oid: "1.2.840.113549.1.9.1",
            tag: NameTestSupport.StringTag.ia5,
            sample: "a@example.com"
        ),
        .init(names: ["uid", "userId"], oid: "0.9.2342.19200300.100.1.1", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["street", "streetAddress"], oid: "2.5.4.9", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["postalCode"], oid: "2.5.4.17", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["dnQualifier"], oid: "2.5.4.46", tag: NameTestSupport.StringTag.printable),
        .init(names: ["initials"], oid: "2.5.4.43", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["pseudonym"], oid: "2.5.4.65", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["generationQualifier"], oid: "2.5.4.44", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["organizationIdentifier"], oid: "2.5.4.97", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["businessCategory"], oid: "2.5.4.15", tag: NameTestSupport.StringTag.utf8),
        .init(
            names: ["jurisdictionCountryName"],
            oid: "1.3.6.1.4.1.311.60.2.1.3",
            tag: NameTestSupport.StringTag.printable,
            sample: "AT"
        ),
        .init(
            names: ["jurisdictionStateOrProvinceName"],
            oid: "1.3.6.1.4.1.311.60.2.1.2",
            tag: NameTestSupport.StringTag.utf8
        ),
        .init(
            names: ["jurisdictionLocalityName"],
            oid: "1.3.6.1.4.1.311.60.2.1.1",
            tag: NameTestSupport.StringTag.utf8
        ),
        .init(names: ["x500UniqueIdentifier"], oid: "2.5.4.45", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["inn"], oid: "1.2.643.3.131.1.1", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["ogrn"], oid: "1.2.643.100.1", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["snils"], oid: "1.2.643.100.3", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["name"], oid: "2.5.4.41", tag: NameTestSupport.StringTag.utf8),
        .init(names: ["unstructuredName"], oid: "1.2.840.113549.1.9.2", tag: NameTestSupport.StringTag.utf8),
    ]

    @Test("every spelling of a key gives the same type and string encoding", arguments: keyCases)
    func everySpellingOfAKey(_ keyCase: KeyCase) throws {
        let oid = try ASN1ObjectIdentifier(dotRepresentation: keyCase.oid)
        let spellings = keyCase.names.flatMap { [$0, $0.lowercased(), $0.uppercased()] } + [keyCase.oid]
        for spelling in spellings {
            let attribute = try singleValue("\(spelling)=\(keyCase.sample)")
            #expect(attribute.type == oid, "\(spelling)")
            #expect(String(attribute.value) == keyCase.sample, "\(spelling)")
            #expect(try NameTestSupport.tag(of: attribute.value) == keyCase.tag, "\(spelling)")
            #expect(try SubjectParser.attributeType(named: spelling) == oid)
        }
    }

    @Test("an unknown dotted OID gets a UTF8String value")
    func unknownObjectIdentifier() throws {
        let attribute = try singleValue("1.3.6.1.4.1.99999.1=Müller")
        #expect(attribute.type == (try ASN1ObjectIdentifier(dotRepresentation: "1.3.6.1.4.1.99999.1")))
        #expect(try NameTestSupport.tag(of: attribute.value) == NameTestSupport.StringTag.utf8)
    }

    @Test("a known type written as a dotted OID follows that type's rules")
    func knownTypeAsObjectIdentifier() throws {
        #expect(try NameTestSupport.tag(of: singleValue("2.5.4.6=AT").value) == NameTestSupport.StringTag.printable)
        NameTestSupport.expectInvalidInput("2.5.4.6=AUT", mentioning: ["two-letter"]) {
            _ = try SubjectParser.parse("2.5.4.6=AUT")
        }
    }

    @Test("attributeType(named:) rejects unknown names")
    func attributeTypeLookupRejectsUnknown() {
        NameTestSupport.expectInvalidInput("bogus", mentioning: ["unknown attribute type"]) {
            _ = try SubjectParser.attributeType(named: "bogus")
        }
    }

    @Test("lengths up to the RFC 5280 upper bounds are accepted")
    func lengthsAtUpperBound() throws {
        for (key, bound) in [("CN", 64), ("O", 64), ("OU", 64), ("L", 128), ("ST", 128)] {
            #expect(throws: Never.self) { try SubjectParser.parse("\(key)=" + String(repeating: "ü", count: bound)) }
        }
        let email = String(repeating: "a", count: 243) + "@example.com"
        #expect(email.count == 255)
        #expect(throws: Never.self) { try SubjectParser.parse("emailAddress=" + email) }
    }

    // MARK: Errors

    @Test(
        "invalid subjects are rejected with a message that says why",
        arguments: [
            ("XX=a", "unknown attribute type \"XX\""),
            ("CN=a,Foo=b", "unknown attribute type"),
            ("CN", "has no \"=\""),
            ("CN=a,O", "\"O\" has no \"=\""),
            ("CN=a+O", "has no \"=\""),
            ("=a", "no type before"),
            ("CN=a, =b", "no type before"),
            ("CN=\"abc", "never closed"),
            ("CN=\"a\"b", "more text after the closing quote"),
            ("CN=abc\\", "escapes nothing"),
            ("/CN=abc\\", "escapes nothing"),
            ("CN=\\4", "second hex digit"),
            ("CN=\\4g", "second hex digit"),
            ("CN=\\C3", "not valid UTF-8"),
            ("CN=a,,O=b", "empty attribute"),
            ("CN=a,", "no attribute follows"),
            ("CN=a+", "no attribute follows"),
            ("/CN=a/", "no attribute follows"),
            ("C=AUT", "two-letter country code"),
            ("C=A", "two-letter country code"),
            ("C=A1", "two-letter country code"),
            ("C=Ö1", "two-letter country code"),
            ("jurisdictionCountryName=Austria", "two-letter country code"),
            ("serialNumber=a@b", "PrintableString"),
            ("dnQualifier=ü", "PrintableString"),
            ("emailAddress=ü@example.com", "IA5String"),
            ("DC=bücher", "IA5String"),
            ("CN=#zz", "hex-encoded DER"),
            ("CN=#", "hex-encoded DER"),
            ("CN=#0c05ab", "not one DER"),
            ("CN=#0c0161 x", "more text after the hex value"),
            ("3.1=x", "first arc"),
            ("1.2.x=y", "not a dotted object identifier"),
            ("1=y", "not a dotted object identifier"),
        ]
    )
    func invalidSubjects(_ text: String, _ reason: String) {
        NameTestSupport.expectInvalidInput(text, mentioning: ["Cannot parse subject", reason]) {
            _ = try SubjectParser.parse(text)
        }
    }

    @Test(
        "values longer than the RFC 5280 upper bound are rejected",
        arguments: [("CN", 64), ("O", 64), ("OU", 64), ("L", 128), ("ST", 128), ("emailAddress", 255)]
    )
    func tooLong(_ key: String, _ bound: Int) {
        let text = "\(key)=" + String(repeating: "a", count: bound + 1)
        NameTestSupport.expectInvalidInput(
            text,
            mentioning: ["\(bound + 1) characters", "more than the \(bound) allowed"]
        ) {
            _ = try SubjectParser.parse(text)
        }
    }

    @Test("control characters in the input are escaped in the message")
    func messageStaysOnOneLine() {
        do {
            _ = try SubjectParser.parse("X\nY=z")
            Issue.record("expected an error")
        } catch let error as CAError {
            #expect(error.message.contains("\"X\\nY=z\""))
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    // MARK: Formatting

    @Test(
        "format writes short names in certificate order with RFC 4514 escapes",
        arguments: [
            (
                "C=AT,ST=Vienna,L=Vienna,O=Example,OU=IT,CN=example.com",
                "C=AT,ST=Vienna,L=Vienna,O=Example,OU=IT,CN=example.com"
            ),
            ("countryName=AT,commonName=example.com", "C=AT,CN=example.com"),
            ("/c=AT/cn=example.com", "C=AT,CN=example.com"),
            ("emailAddress=a@example.com,serialNumber=123", "emailAddress=a@example.com,serialNumber=123"),
            ("domainComponent=example,DC=com", "DC=example,DC=com"),
            ("userId=x,givenName=y,surname=z", "UID=x,GN=y,SN=z"),
            ("2.5.4.3=example.com,1.2.3.4=other", "CN=example.com,1.2.3.4=other"),
            ("O=\"Example, Inc.\"", "O=Example\\, Inc."),
            ("CN=a\\+b\\\\c\\\"d\\;e\\<f\\>", "CN=a\\+b\\\\c\\\"d\\;e\\<f\\>"),
            ("CN=\\#hash", "CN=\\#hash"),
            ("CN=\\ both\\ ", "CN=\\ both\\ "),
            ("CN=Müller", "CN=Müller"),
            ("CN=tab\\09here", "CN=tab\\09here"),
            ("1.2.3.4=#020105", "1.2.3.4=#020105"),
            ("CN=", "CN="),
            ("", ""),
        ]
    )
    func format(_ text: String, _ expected: String) throws {
        #expect(SubjectFormatter.format(try SubjectParser.parse(text)) == expected)
    }

    @Test(
        "parse(format(name)) == name",
        arguments: [
            "C=AT,ST=Wien,L=Wien,O=Müller GmbH,OU=IT+CN=ca.example.com,emailAddress=admin@example.com",
            "DC=example,DC=com,UID=jdoe,serialNumber=ABC-123,dnQualifier=x",
            "CN=a\\,b+OU=c\\+d,O=\"quoted, value\"",
            "CN=\\ lead,O=trail\\ ,OU=\\#hash,L=a\\\\b",
            "CN=line\\0Abreak,O=nul\\00byte",
            "1.3.6.1.4.1.99999.1=x+2.5.4.3=y",
            "1.2.3.4=#3006020101020102",
            "jurisdictionCountryName=AT,jurisdictionStateOrProvinceName=Wien,jurisdictionLocalityName=Wien",
            "inn=1,ogrn=2,snils=3,organizationIdentifier=VATAT-U12345678,businessCategory=Private Organization",
            "/C=AT/O=slash\\/name",
            "CN=",
            "",
        ]
    )
    func roundTrip(_ text: String) throws {
        let name = try SubjectParser.parse(text)
        let formatted = SubjectFormatter.format(name)
        #expect(try SubjectParser.parse(formatted) == name, "\(formatted)")
    }

    @Test("a string of another type than the parser's is shown as text")
    func foreignStringType() throws {
        let name = DistinguishedName([
            RelativeDistinguishedName(try .init(type: Self.commonName, printableString: "example.com"))
        ])
        #expect(SubjectFormatter.format(name) == "CN=example.com")
    }

    @Test("commonName(of:) returns the first CN")
    func commonNameLookup() throws {
        #expect(SubjectFormatter.commonName(of: try SubjectParser.parse("C=AT,CN=first,CN=second")) == "first")
        #expect(SubjectFormatter.commonName(of: try SubjectParser.parse("C=AT,OU=x+CN=inner")) == "inner")
        #expect(SubjectFormatter.commonName(of: try SubjectParser.parse("C=AT,O=Example")) == nil)
        #expect(SubjectFormatter.commonName(of: DistinguishedName()) == nil)
    }

    @Test("attributeTypeName gives the short name or the dotted OID")
    func attributeTypeNames() throws {
        #expect(SubjectFormatter.attributeTypeName(Self.commonName) == "CN")
        #expect(SubjectFormatter.attributeTypeName(.RDNAttributeType.emailAddress) == "emailAddress")
        #expect(SubjectFormatter.attributeTypeName(try ASN1ObjectIdentifier(dotRepresentation: "1.2.3.4")) == "1.2.3.4")
    }
}
