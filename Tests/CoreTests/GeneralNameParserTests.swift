import CACore
import SwiftASN1
import Testing
import X509

@Suite("GeneralNameParser")
struct GeneralNameParserTests {
    private func ipAddress(_ bytes: [UInt8]) -> GeneralName {
        .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
    }

    private func oid(_ text: String) throws -> ASN1ObjectIdentifier {
        try ASN1ObjectIdentifier(dotRepresentation: text)
    }

    /// The DER of an otherName's inner value (without the [0] EXPLICIT wrapper).
    private func otherNameValue(_ text: String) throws -> [UInt8] {
        guard case .otherName(let otherName) = try GeneralNameParser.parse(text) else {
            Issue.record("\(text) is not an otherName")
            return []
        }
        let value = try #require(otherName.value)
        return try NameTestSupport.derBytes(value)
    }

    // MARK: Prefixes

    @Test("explicit prefixes, case-insensitive")
    func prefixes() throws {
        #expect(try GeneralNameParser.parse("DNS:example.com") == .dnsName("example.com"))
        #expect(try GeneralNameParser.parse("dns:Example.COM") == .dnsName("example.com"))
        #expect(try GeneralNameParser.parse("email:user@Example.com") == .rfc822Name("user@example.com"))
        #expect(try GeneralNameParser.parse("EMAIL:User@example.com") == .rfc822Name("User@example.com"))
        #expect(
            try GeneralNameParser.parse("URI:https://example.com/path?q=1")
                == .uniformResourceIdentifier("https://example.com/path?q=1")
        )
        #expect(
            try GeneralNameParser.parse("uri:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
                == .uniformResourceIdentifier("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
        )
        #expect(try GeneralNameParser.parse("IP:192.0.2.1") == ipAddress([192, 0, 2, 1]))
        #expect(
            try GeneralNameParser.parse("ip:2001:db8::1")
                == ipAddress([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        )
        #expect(try GeneralNameParser.parse("RID:1.2.3.4") == .registeredID(try oid("1.2.3.4")))
        #expect(
            try GeneralNameParser.parse("dirname:C=AT,CN=example.com")
                == .directoryName(try SubjectParser.parse("C=AT,CN=example.com"))
        )
        #expect(
            try GeneralNameParser.parse("dirName:/C=AT/CN=example.com")
                == .directoryName(try SubjectParser.parse("C=AT,CN=example.com"))
        )
        #expect(
            try GeneralNameParser.parse("otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com")
                == .otherName(
                    .init(
                        typeID: try oid("1.3.6.1.4.1.311.20.2.3"),
                        value: try ASN1Any(erasing: ASN1UTF8String("user@example.com"))
                    )
                )
        )
        #expect(try GeneralNameParser.parse("  DNS: example.com  ") == .dnsName("example.com"))
    }

    // MARK: Guessing

    @Test(
        "without a prefix the type is guessed",
        arguments: [
            ("192.0.2.1", "IP:192.0.2.1"),
            ("::1", "IP:::1"),
            ("2001:db8::1", "IP:2001:db8::1"),
            ("https://example.com/", "URI:https://example.com/"),
            ("ldap://ldap.example.com/cn=x", "URI:ldap://ldap.example.com/cn=x"),
            ("user@example.com", "email:user@example.com"),
            ("example.com", "DNS:example.com"),
            ("*.Example.com", "DNS:*.example.com"),
            ("localhost", "DNS:localhost"),
            ("_acme-challenge.example.com", "DNS:_acme-challenge.example.com"),
            ("xn--mnchen-3ya.de", "DNS:xn--mnchen-3ya.de"),
        ]
    )
    func guessing(_ text: String, _ expected: String) throws {
        #expect(GeneralNameFormatter.format(try GeneralNameParser.parse(text)) == expected)
    }

    // MARK: Name constraints

    @Test("networks become address and mask when allowed")
    func networks() throws {
        #expect(
            try GeneralNameParser.parse("IP:10.0.0.0/8", allowNetworks: true)
                == ipAddress([10, 0, 0, 0, 255, 0, 0, 0])
        )
        #expect(
            try GeneralNameParser.parse("192.168.0.0/22", allowNetworks: true)
                == ipAddress([192, 168, 0, 0, 255, 255, 252, 0])
        )
        let version6 = try GeneralNameParser.parse("IP:2001:db8::/32", allowNetworks: true)
        #expect(
            version6
                == ipAddress(
                    [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 12)
                        + [0xFF, 0xFF, 0xFF, 0xFF] + Array(repeating: 0, count: 12)
                )
        )
        #expect(
            try GeneralNameParser.parse("IP:0.0.0.0/0", allowNetworks: true) == ipAddress(Array(repeating: 0, count: 8))
        )
        #expect(
            try GeneralNameParser.parse("IP:192.0.2.1/32", allowNetworks: true)
                == ipAddress([192, 0, 2, 1, 255, 255, 255, 255])
        )
        // A single address is still an address in name constraints.
        #expect(try GeneralNameParser.parse("IP:192.0.2.1", allowNetworks: true) == ipAddress([192, 0, 2, 1]))
    }

    @Test("name constraint forms for DNS, email and URI")
    func constraintForms() throws {
        #expect(try GeneralNameParser.parse("DNS:.example.com", allowNetworks: true) == .dnsName(".example.com"))
        #expect(try GeneralNameParser.parse(".Example.com", allowNetworks: true) == .dnsName(".example.com"))
        #expect(try GeneralNameParser.parse("email:example.com", allowNetworks: true) == .rfc822Name("example.com"))
        #expect(try GeneralNameParser.parse("email:.example.com", allowNetworks: true) == .rfc822Name(".example.com"))
        #expect(try GeneralNameParser.parse("email:a@example.com", allowNetworks: true) == .rfc822Name("a@example.com"))
        #expect(
            try GeneralNameParser.parse("URI:.example.com", allowNetworks: true)
                == .uniformResourceIdentifier(".example.com")
        )
    }

    // MARK: otherName

    @Test(
        "otherName values are encoded like OpenSSL's ASN1_generate_nconf",
        arguments: [
            ("UTF8:abc", [0x0C, 0x03, 0x61, 0x62, 0x63]),
            ("UTF8String:ü", [0x0C, 0x02, 0xC3, 0xBC]),
            ("UTF8:", [0x0C, 0x00]),
            ("UNIV:a", [0x1C, 0x04, 0x00, 0x00, 0x00, 0x61]),
            ("UNIVERSALSTRING:€", [0x1C, 0x04, 0x00, 0x00, 0x20, 0xAC]),
            ("IA5:abc", [0x16, 0x03, 0x61, 0x62, 0x63]),
            ("ia5string:a", [0x16, 0x01, 0x61]),
            ("BOOL:TRUE", [0x01, 0x01, 0xFF]),
            ("BOOLEAN:false", [0x01, 0x01, 0x00]),
            ("UTC:200101120000Z", [0x17, 0x0D] + Array("200101120000Z".utf8)),
            ("UTCTIME:491231235959Z", [0x17, 0x0D] + Array("491231235959Z".utf8)),
            ("GENTIME:20200101120000Z", [0x18, 0x0F] + Array("20200101120000Z".utf8)),
            ("GENERALIZEDTIME:20200101120000.5Z", [0x18, 0x11] + Array("20200101120000.5Z".utf8)),
            ("INT:0", [0x02, 0x01, 0x00]),
            ("INT:127", [0x02, 0x01, 0x7F]),
            ("INT:128", [0x02, 0x02, 0x00, 0x80]),
            ("INTEGER:255", [0x02, 0x02, 0x00, 0xFF]),
            ("INT:0x100", [0x02, 0x02, 0x01, 0x00]),
            ("INT:0xabc", [0x02, 0x02, 0x0A, 0xBC]),
            ("INT:-1", [0x02, 0x01, 0xFF]),
            ("INT:-128", [0x02, 0x01, 0x80]),
            ("INT:-129", [0x02, 0x02, 0xFF, 0x7F]),
            ("INT:-256", [0x02, 0x02, 0xFF, 0x00]),
            ("INT:18446744073709551616", [0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("NULL:", [0x05, 0x00]),
            ("OctetString:01:02:ab", [0x04, 0x03, 0x01, 0x02, 0xAB]),
            ("OCTETSTRING:0102AB", [0x04, 0x03, 0x01, 0x02, 0xAB]),
            ("DER:30:03:02:01:05", [0x30, 0x03, 0x02, 0x01, 0x05]),
        ] as [(String, [UInt8])]
    )
    func otherNameEncoding(_ typeAndValue: String, _ expected: [UInt8]) throws {
        #expect(try otherNameValue("otherName:1.2.3.4;" + typeAndValue) == expected)
    }

    @Test("the otherName value is wrapped in [0] EXPLICIT")
    func otherNameExplicitTag() throws {
        let name = try GeneralNameParser.parse("otherName:1.2.3.4;UTF8:a")
        // [0] otherName { OID 1.2.3.4, [0] { UTF8String "a" } }
        #expect(
            try NameTestSupport.derBytes(name) == [
                0xA0, 0x0A, 0x06, 0x03, 0x2A, 0x03, 0x04, 0xA0, 0x03, 0x0C, 0x01, 0x61,
            ]
        )
    }

    // MARK: Errors

    @Test(
        "invalid names are rejected with a message that says why",
        arguments: [
            ("DNS:", "the DNS name is empty"),
            ("DNS:exa mple.com", "only letters, digits"),
            ("exa mple.com", "only letters, digits"),
            ("DNS:ex..com", "empty label"),
            ("DNS:example.com.", "empty label"),
            ("DNS:-example.com", "starts or ends with"),
            ("DNS:example-.com", "starts or ends with"),
            ("DNS:exa!mple.com", "only letters, digits"),
            ("DNS:münchen.de", "A-label"),
            ("DNS:foo.*.example.com", "wildcard is only allowed as the whole leftmost label"),
            ("DNS:*example.com", "wildcard"),
            ("DNS:*.*.example.com", "wildcard"),
            ("DNS:*.", "empty label"),
            ("DNS:.example.com", "only allowed in name constraints"),
            ("DNS:" + String(repeating: "a", count: 64) + ".com", "longer than 63"),
            (
                "DNS:" + Array(repeating: String(repeating: "a", count: 50), count: 5).joined(separator: "."),
                "longer than 253"
            ),
            ("email:@example.com", "nothing before"),
            ("email:a@b@example.com", "exactly one"),
            ("email:user", "exactly one"),
            ("email:user@", "the DNS name is empty"),
            ("email:user@*.example.com", "wildcard is not allowed"),
            ("email:üser@example.com", "printable ASCII"),
            ("email:us er@example.com", "printable ASCII"),
            ("email:user@.example.com", "only allowed in name constraints"),
            ("URI:example.com", "no scheme"),
            ("URI:/relative/path", "no scheme"),
            ("URI:https://exa mple.com/", "not a valid URI"),
            ("URI:https://münchen.de/", "non-ASCII"),
            ("IP:10.0.0.0/8", "only allowed in name constraints"),
            ("10.0.0.0/8", "only allowed in name constraints"),
            ("IP:1.2.3", "not an IPv4 or IPv6 address"),
            ("IP:256.1.1.1", "not an IPv4 or IPv6 address"),
            ("IP:::g", "not an IPv4 or IPv6 address"),
            ("IP:example.com", "not an IPv4 or IPv6 address"),
            ("IP:", "not an IPv4 or IPv6 address"),
            ("RID:1.x", "not a dotted object identifier"),
            ("RID:3.1", "first arc"),
            ("RID:1", "not a dotted object identifier"),
            ("dirname:XX=1", "not a valid subject: unknown attribute type"),
            ("dirname:CN=\"x", "never closed"),
            ("dirname:", "directory name is empty"),
            ("otherName:1.2.3", "no \";\""),
            ("otherName:1.2.3;UTF8", "no \":\""),
            ("otherName:x;UTF8:a", "not a dotted object identifier"),
            ("otherName:1.2.3;FOO:a", "unknown value type"),
            ("otherName:1.2.3;BOOL:maybe", "TRUE or FALSE"),
            ("otherName:1.2.3;UTC:2020", "YYMMDDHHMMSSZ"),
            ("otherName:1.2.3;UTC:201301120000Z", "YYMMDDHHMMSSZ"),
            ("otherName:1.2.3;GENTIME:2020-01-01", "YYYYMMDDHHMMSSZ"),
            ("otherName:1.2.3;INT:abc", "decimal or 0x-prefixed hex"),
            ("otherName:1.2.3;INT:", "decimal or 0x-prefixed hex"),
            ("otherName:1.2.3;INT:0x", "decimal or 0x-prefixed hex"),
            ("otherName:1.2.3;INT:1.5", "decimal or 0x-prefixed hex"),
            ("otherName:1.2.3;NULL:x", "must be empty"),
            ("otherName:1.2.3;OctetString:zz", "hex digits"),
            ("otherName:1.2.3;OctetString:abc", "hex digits"),
            ("otherName:1.2.3;IA5:ü", "ASCII"),
            ("otherName:1.2.3;DER:0c", "one DER-encoded"),
            ("otherName:1.2.3;DER:0c0161ff", "one DER-encoded"),
        ]
    )
    func invalidNames(_ text: String, _ reason: String) {
        NameTestSupport.expectInvalidInput(text, mentioning: ["Cannot parse general name", reason]) {
            _ = try GeneralNameParser.parse(text)
        }
    }

    @Test(
        "invalid name constraints are rejected",
        arguments: [
            ("IP:10.0.0.1/8", "host bits set; did you mean 10.0.0.0/8?"),
            ("IP:2001:db8::1/32", "did you mean 2001:db8::/32?"),
            ("IP:10.0.0.0/33", "from 0 to 32"),
            ("IP:2001:db8::/129", "from 0 to 128"),
            ("IP:10.0.0.0/", "from 0 to 32"),
            ("IP:10.0.0.0/-1", "from 0 to 32"),
            ("IP:10.0.0.0/8/8", "from 0 to 32"),
            ("IP:10.0.0/8", "not an IPv4 or IPv6 network"),
            ("DNS:..example.com", "empty label"),
            ("email:.", "empty label"),
        ]
    )
    func invalidConstraints(_ text: String, _ reason: String) {
        NameTestSupport.expectInvalidInput(text, mentioning: [reason]) {
            _ = try GeneralNameParser.parse(text, allowNetworks: true)
        }
    }

    // MARK: Formatting

    @Test(
        "format gives the canonical prefixed form",
        arguments: [
            ("DNS:Example.com", "DNS:example.com"),
            ("email:user@example.com", "email:user@example.com"),
            ("URI:https://example.com/", "URI:https://example.com/"),
            ("IP:192.0.2.1", "IP:192.0.2.1"),
            ("IP:2001:0db8:0000::0001", "IP:2001:db8::1"),
            ("IP:::ffff:192.0.2.1", "IP:::ffff:192.0.2.1"),
            ("RID:1.2.3.4", "RID:1.2.3.4"),
            ("dirname:/c=AT/cn=example.com", "dirname:C=AT,CN=example.com"),
            ("otherName:1.2.3.4;UTF8String:ü", "otherName:1.2.3.4;UTF8:ü"),
            ("otherName:1.2.3.4;UNIV:a€", "otherName:1.2.3.4;UNIV:a€"),
            ("otherName:1.2.3.4;IA5:abc", "otherName:1.2.3.4;IA5:abc"),
            ("otherName:1.2.3.4;BOOL:yes", "otherName:1.2.3.4;BOOL:TRUE"),
            ("otherName:1.2.3.4;BOOL:false", "otherName:1.2.3.4;BOOL:FALSE"),
            ("otherName:1.2.3.4;UTC:200101120000Z", "otherName:1.2.3.4;UTC:200101120000Z"),
            ("otherName:1.2.3.4;GENTIME:20200101120000Z", "otherName:1.2.3.4;GENTIME:20200101120000Z"),
            ("otherName:1.2.3.4;INT:0x10", "otherName:1.2.3.4;INT:16"),
            ("otherName:1.2.3.4;INT:-129", "otherName:1.2.3.4;INT:-129"),
            ("otherName:1.2.3.4;INT:18446744073709551616", "otherName:1.2.3.4;INT:0x010000000000000000"),
            ("otherName:1.2.3.4;NULL:", "otherName:1.2.3.4;NULL:"),
            ("otherName:1.2.3.4;OctetString:0102ab", "otherName:1.2.3.4;OctetString:01:02:AB"),
            ("otherName:1.2.3.4;DER:3003020105", "otherName:1.2.3.4;DER:30:03:02:01:05"),
        ]
    )
    func format(_ text: String, _ expected: String) throws {
        #expect(GeneralNameFormatter.format(try GeneralNameParser.parse(text)) == expected)
    }

    @Test(
        "networks are formatted with their prefix length",
        arguments: [
            ("IP:10.0.0.0/8", "IP:10.0.0.0/8"),
            ("IP:2001:db8::/32", "IP:2001:db8::/32"),
            ("IP:0.0.0.0/0", "IP:0.0.0.0/0"),
            ("IP:192.0.2.1/32", "IP:192.0.2.1/32"),
            ("IP:::/0", "IP:::/0"),
        ]
    )
    func formatNetwork(_ text: String, _ expected: String) throws {
        #expect(GeneralNameFormatter.format(try GeneralNameParser.parse(text, allowNetworks: true)) == expected)
    }

    @Test("IP octets that are no address or network are shown in hex")
    func formatUnusualOctets() {
        #expect(GeneralNameFormatter.format(ipAddress([1, 2, 3])) == "IP:01:02:03")
        #expect(GeneralNameFormatter.format(ipAddress([10, 0, 0, 0, 255, 0, 255, 0])) == "IP:10.0.0.0/255.0.255.0")
    }

    @Test(
        "parse(format(name)) == name",
        arguments: [
            "DNS:example.com", "DNS:*.example.com", "email:user@example.com", "URI:https://example.com/a?b=c#d",
            "IP:192.0.2.1", "IP:2001:db8::1", "RID:1.3.6.1.4.1.99999", "dirname:C=AT,O=Müller GmbH+OU=IT,CN=x\\,y",
            "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com", "otherName:1.2.3;UNIV:Grüße",
            "otherName:1.2.3;IA5:x", "otherName:1.2.3;BOOL:TRUE", "otherName:1.2.3;UTC:491231235959Z",
            "otherName:1.2.3;GENTIME:20200101120000.25Z", "otherName:1.2.3;INT:-9223372036854775808",
            "otherName:1.2.3;INT:123456789012345678901234567890", "otherName:1.2.3;NULL:",
            "otherName:1.2.3;OctetString:", "otherName:1.2.3;OctetString:00:FF",
            "otherName:1.2.3;DER:30:06:02:01:01:02:01:02", "otherName:1.2.3;UTF8: padded ",
        ]
    )
    func roundTrip(_ text: String) throws {
        let name = try GeneralNameParser.parse(text)
        let formatted = GeneralNameFormatter.format(name)
        #expect(try GeneralNameParser.parse(formatted) == name, "\(formatted)")
    }

    @Test(
        "network round trip",
        arguments: ["IP:10.0.0.0/8", "IP:2001:db8::/32", "DNS:.example.com", "email:.example.com"]
    )
    func networkRoundTrip(_ text: String) throws {
        let name = try GeneralNameParser.parse(text, allowNetworks: true)
        #expect(try GeneralNameParser.parse(GeneralNameFormatter.format(name), allowNetworks: true) == name)
    }

    @Test("otherName values without a text form fall back to DER and still round-trip")
    func otherNameFallback() throws {
        // A BMPString has no OpenSSL type name here, and a non-minimal INTEGER would be re-encoded.
        let values: [[UInt8]] = [[0x1E, 0x02, 0x00, 0x61], [0x02, 0x02, 0x00, 0x01], [0x01, 0x01, 0x01]]
        for bytes in values {
            let name = GeneralName.otherName(.init(typeID: try oid("1.2.3"), value: try ASN1Any(derEncoded: bytes)))
            let formatted = GeneralNameFormatter.format(name)
            #expect(formatted.hasPrefix("otherName:1.2.3;DER:"), "\(formatted)")
            #expect(try GeneralNameParser.parse(formatted) == name)
        }
    }
}
