import Crypto
import SwiftASN1
import Testing
import X509

@testable import CACore

@Suite("Extension descriptions")
struct ExtensionDescriberTests {
    private func describe(_ value: some CertificateExtensionConvertible) throws -> ExtensionDescription {
        ExtensionDescriber.describe(try value.makeCertificateExtension())
    }

    @Test func basicConstraints() throws {
        let ca = try describe(BasicConstraints.isCertificateAuthority(maxPathLength: 1))
        #expect(ca.name == "Basic Constraints")
        #expect(ca.key == "basic_constraints")
        #expect(ca.oid == "2.5.29.19")
        #expect(ca.values == ["CA:TRUE, pathlen:1"])
        #expect(try describe(BasicConstraints.isCertificateAuthority(maxPathLength: nil)).values == ["CA:TRUE"])
        #expect(try describe(BasicConstraints.notCertificateAuthority).values == ["CA:FALSE"])
        let critical = ExtensionDescriber.describe(try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        #expect(critical.critical)
    }

    @Test func keyUsageAndExtendedKeyUsage() throws {
        let keyUsage = try describe(KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(keyUsage.key == "key_usage")
        #expect(keyUsage.name == "Key Usage")
        #expect(keyUsage.values == ["keyCertSign", "cRLSign"])
        let eku = try describe(ExtendedKeyUsage([.serverAuth, ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 5, 5, 7, 3, 35]), .init(oid: [1, 2, 3])]))
        #expect(eku.key == "extended_key_usage")
        #expect(eku.values == ["serverAuth", "bundleSecurity", "1.2.3"])
    }

    @Test func alternativeNames() throws {
        let directory = try DistinguishedName {
            CountryName("AT")
            CommonName("example.com")
        }
        let san = try describe(SubjectAlternativeNames([
            .dnsName("example.com"),
            .rfc822Name("user@example.com"),
            .uniformResourceIdentifier("https://example.com/"),
            .ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 1])),
            .ipAddress(ASN1OctetString(contentBytes: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            .directoryName(directory),
            .registeredID([1, 2, 3, 4]),
            .otherName(.init(typeID: [1, 3, 6, 1, 4, 1, 311, 20, 2, 3], value: try ASN1Any(erasing: ASN1UTF8String("user@corp")))),
        ]))
        #expect(san.key == "subject_alternative_name")
        #expect(san.values == [
            "DNS:example.com",
            "email:user@example.com",
            "URI:https://example.com/",
            "IP:192.0.2.1",
            "IP:2001:db8::1",
            "dirname:CN=example.com,C=AT",
            "RID:1.2.3.4",
            "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@corp",
        ])
        let ian = try describe(IssuerAlternativeNames([.uniformResourceIdentifier("http://ca.example")]))
        #expect(ian.name == "Issuer Alternative Name")
        #expect(ian.key == "issuer_alternative_name")
        #expect(ian.values == ["URI:http://ca.example"])
    }

    @Test func keyIdentifiers() throws {
        let ski = try describe(SubjectKeyIdentifier(keyIdentifier: [0xDE, 0x09, 0xFC, 0x0C]))
        #expect(ski.key == "subject_key_identifier")
        #expect(ski.values == ["DE:09:FC:0C"])
        let aki = try describe(AuthorityKeyIdentifier(
            keyIdentifier: [0x01, 0xAB],
            authorityCertIssuer: [.dnsName("issuer.example")],
            authorityCertSerialNumber: Certificate.SerialNumber(bytes: [0x0F, 0x10])
        ))
        #expect(aki.key == "authority_key_identifier")
        #expect(aki.values == ["keyid:01:AB", "issuer:DNS:issuer.example", "serial:0F:10"])
    }

    @Test func authorityInformationAccess() throws {
        let aia = try describe(AuthorityInformationAccess([
            .init(method: .ocspServer, location: .uniformResourceIdentifier("http://ocsp.example.com")),
            .init(method: .issuingCA, location: .uniformResourceIdentifier("http://ca.example.com/ca.der")),
        ]))
        #expect(aia.key == "authority_information_access")
        #expect(aia.values == ["OCSP - URI:http://ocsp.example.com", "CA Issuers - URI:http://ca.example.com/ca.der"])
    }

    @Test func subjectInformationAccessUsesTheAIAParser() throws {
        let aia = try AuthorityInformationAccess([
            .init(method: .issuingCA, location: .uniformResourceIdentifier("http://x.example"))
        ]).makeCertificateExtension()
        let sia = Certificate.Extension(oid: [1, 3, 6, 1, 5, 5, 7, 1, 11], critical: false, value: aia.value)
        let description = ExtensionDescriber.describe(sia)
        #expect(description.key == "subject_information_access")
        #expect(description.values == ["CA Issuers - URI:http://x.example"])
    }

    @Test func crlDistributionPoints() throws {
        let description = try describe(CRLDistributionPoints([
            DistributionPoint(uris: ["http://crl.example.com/a.crl", "http://crl.example.com/b.crl"]),
            DistributionPoint(
                fullName: [.uniformResourceIdentifier("http://crl2.example.com")],
                reasons: [.keyCompromise, .cACompromise],
                crlIssuer: [.dnsName("issuer.example")]
            ),
        ]))
        #expect(description.key == "crl_distribution_points")
        #expect(description.name == "CRL Distribution Points")
        #expect(description.values == [
            "Full Name: URI:http://crl.example.com/a.crl, URI:http://crl.example.com/b.crl",
            "Full Name: URI:http://crl2.example.com",
            "  Reasons: keyCompromise, cACompromise",
            "  CRL Issuer: DNS:issuer.example",
        ])
        let freshest = try describe(FreshestCRL(uris: ["http://delta.example"]))
        #expect(freshest.key == "freshest_crl")
        #expect(freshest.name == "Freshest CRL")
        #expect(freshest.values == ["Full Name: URI:http://delta.example"])
    }

    @Test func certificatePolicies() throws {
        let description = try describe(CertificatePolicies([
            PolicyInformation([2, 23, 140, 1, 2, 1]),
            PolicyInformation(
                PolicyInformation.anyPolicy,
                qualifiers: [
                    .cpsURI("http://cps.example.com"),
                    .userNotice(UserNotice(
                        noticeReference: NoticeReference(organization: "Org", noticeNumbers: [1, 2]),
                        explicitText: "Hello"
                    )),
                ]
            ),
        ]))
        #expect(description.key == "certificate_policies")
        #expect(description.values == [
            "Policy: 2.23.140.1.2.1",
            "Policy: anyPolicy",
            "  CPS: http://cps.example.com",
            "  User Notice:",
            "    Organization: Org",
            "    Numbers: 1, 2",
            "    Explicit Text: Hello",
        ])
    }

    @Test func nameConstraints() throws {
        let constraints = NameConstraints(
            permittedSubtrees: [.dnsName("example.com"), .ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 0, 255, 0, 0, 0]))],
            excludedSubtrees: [
                .rfc822Name("bad.example.com"),
                .ipAddress(ASN1OctetString(contentBytes: [192, 168, 0, 0, 255, 0, 255, 0])),
            ]
        )
        let description = ExtensionDescriber.describe(try Certificate.Extension(constraints, critical: true))
        #expect(description.key == "name_constraints")
        #expect(description.critical)
        #expect(description.values == [
            "Permitted: DNS:example.com",
            "Permitted: IP:10.0.0.0/8",
            "Excluded: email:bad.example.com",
            "Excluded: IP:192.168.0.0/255.0.255.0",
        ])
    }

    @Test func smallExtensions() throws {
        let tls = try describe(TLSFeature([5, 17]))
        #expect(tls.key == "tls_feature")
        #expect(tls.name == "TLS Feature")
        #expect(tls.values == ["status_request", "status_request_v2"])

        let noCheck = try describe(OCSPNoCheck())
        #expect(noCheck.key == "ocsp_no_check")
        #expect(noCheck.name == "OCSP No Check")
        #expect(noCheck.values == [])

        let inhibit = try describe(InhibitAnyPolicy(skipCerts: 0))
        #expect(inhibit.key == "inhibit_any_policy")
        #expect(inhibit.critical)
        #expect(inhibit.values == ["0"])

        let constraints = try describe(PolicyConstraints(requireExplicitPolicy: 1, inhibitPolicyMapping: 2))
        #expect(constraints.key == "policy_constraints")
        #expect(constraints.values == ["Require Explicit Policy: 1", "Inhibit Policy Mapping: 2"])

        let poison = ExtensionDescriber.describe(
            Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 11129, 2, 4, 3], critical: true, value: [0x05, 0x00])
        )
        #expect(poison.key == "precert_poison")
        #expect(poison.values == [])
    }

    @Test func unknownAndMalformedExtensions() {
        let unknown = ExtensionDescriber.describe(
            Certificate.Extension(oid: [1, 2, 3, 4, 5], critical: false, value: [0x04, 0x02, 0xAB, 0x01])
        )
        #expect(unknown.name == "Unknown extension")
        #expect(unknown.key == "1.2.3.4.5")
        #expect(unknown.oid == "1.2.3.4.5")
        #expect(unknown.values == ["04:02:AB:01"])

        let malformed = ExtensionDescriber.describe(
            Certificate.Extension(oid: .X509ExtensionID.keyUsage, critical: true, value: [0x30, 0x01])
        )
        #expect(malformed.name == "Key Usage")
        #expect(malformed.critical)
        #expect(malformed.values == ["(malformed) 30:01"])
    }

    @Test func describesAllExtensionsOfACertificate() throws {
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            TLSFeature([5])
        }
        let descriptions = ExtensionDescriber.describe(extensions)
        #expect(descriptions.map(\.key) == ["basic_constraints", "tls_feature"])
        #expect(descriptions.map(\.critical) == [true, false])
    }

    /// Every OID the describer knows, plus one it does not.
    private static let fuzzedOIDs: [ASN1ObjectIdentifier] = [
        [2, 5, 29, 19], [2, 5, 29, 15], [2, 5, 29, 37], [2, 5, 29, 17], [2, 5, 29, 18], [2, 5, 29, 14],
        [2, 5, 29, 35], [1, 3, 6, 1, 5, 5, 7, 1, 1], [1, 3, 6, 1, 5, 5, 7, 1, 11], [2, 5, 29, 31], [2, 5, 29, 46],
        [2, 5, 29, 32], [2, 5, 29, 30], [1, 3, 6, 1, 5, 5, 7, 1, 24], [1, 3, 6, 1, 5, 5, 7, 48, 1, 5],
        [2, 5, 29, 54], [2, 5, 29, 36], [1, 3, 6, 1, 4, 1, 11129, 2, 4, 3], [1, 2, 3, 4],
    ]

    @Test func neverCrashesOnRandomBytes() {
        var generator = ExtensionTestSupport.SeededGenerator(seed: 0x5EED_CA)
        for round in 0..<1000 {
            let length = Int.random(in: 0...48, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half the inputs start with a plausible outer tag so the parsers get past the first byte.
            if round.isMultiple(of: 2), !bytes.isEmpty {
                bytes[0] = [0x30, 0x03, 0x02, 0x04, 0x05][round % 5]
                if bytes.count > 1 {
                    bytes[1] = UInt8(bytes.count - 2)
                }
            }
            let oid = Self.fuzzedOIDs[round % Self.fuzzedOIDs.count]
            let description = ExtensionDescriber.describe(Certificate.Extension(oid: oid, critical: false, value: bytes[...]))
            #expect(description.oid == oid.description)
        }
    }

    @Test func neverCrashesOnMutatedValidValues() throws {
        let valid: [Certificate.Extension] = try [
            CRLDistributionPoints([
                DistributionPoint(fullName: [.uniformResourceIdentifier("http://a")], reasons: [.keyCompromise], crlIssuer: [.dnsName("b")])
            ]).makeCertificateExtension(),
            FreshestCRL(uris: ["http://delta"]).makeCertificateExtension(),
            CertificatePolicies([
                PolicyInformation([1, 2, 3], qualifiers: [
                    .cpsURI("http://cps"),
                    .userNotice(UserNotice(noticeReference: NoticeReference(organization: "O", noticeNumbers: [1]), explicitText: "T")),
                ])
            ]).makeCertificateExtension(),
            TLSFeature([5, 17]).makeCertificateExtension(),
            OCSPNoCheck().makeCertificateExtension(),
            IssuerAlternativeNames([.uniformResourceIdentifier("http://ian")]).makeCertificateExtension(),
            InhibitAnyPolicy(skipCerts: 1).makeCertificateExtension(),
            PolicyConstraints(requireExplicitPolicy: 1, inhibitPolicyMapping: 2).makeCertificateExtension(),
            Certificate.Extension(NameConstraints(permittedSubtrees: [.ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 0, 255, 0, 0, 0]))]), critical: true),
            AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier("http://o"))]).makeCertificateExtension(),
            AuthorityKeyIdentifier(keyIdentifier: [1, 2, 3]).makeCertificateExtension(),
        ]
        var generator = ExtensionTestSupport.SeededGenerator(seed: 42)
        for round in 0..<1000 {
            let original = valid[round % valid.count]
            var bytes = Array(original.value)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            let mutated = Certificate.Extension(oid: original.oid, critical: original.critical, value: bytes[...])
            let description = ExtensionDescriber.describe(mutated)
            #expect(description.oid == original.oid.description)
        }
    }
}
