import SwiftASN1
import Testing
import X509

@testable import CACore

@Suite("Extension types: encode, decode, validate")
struct ExtensionRoundTripTests {
    // MARK: CRL Distribution Points / Freshest CRL

    @Test func crlDistributionPointsRoundTrip() throws {
        let issuerName = try DistinguishedName { CommonName("CRL Issuer") }
        let value = CRLDistributionPoints([
            DistributionPoint(uris: ["http://crl.example.com/a.crl", "ldap://ldap.example.com/cn=crl"]),
            DistributionPoint(
                fullName: [.uniformResourceIdentifier("http://crl2.example.com/b.crl")],
                reasons: [.keyCompromise, .cACompromise, .aACompromise],
                crlIssuer: [.directoryName(issuerName)]
            ),
            DistributionPoint(
                relativeName: RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "crl")),
                reasons: [.superseded]
            ),
            DistributionPoint(crlIssuer: [.dnsName("issuer.example.com")]),
        ])
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(value, parse: CRLDistributionPoints.init)
        #expect(parsed == value)
        #expect(ext.oid == CRLDistributionPoints.oid)
        #expect(ext.critical == false)
    }

    @Test func crlDistributionPointsFromURIs() throws {
        let value = CRLDistributionPoints(uris: ["http://a.example/crl", "http://b.example/crl"])
        #expect(value.points.count == 1)
        #expect(value.points[0].fullName == [.uniformResourceIdentifier("http://a.example/crl"), .uniformResourceIdentifier("http://b.example/crl")])
        let (_, parsed) = try ExtensionTestSupport.roundTrip(value, parse: CRLDistributionPoints.init)
        #expect(parsed == value)
    }

    @Test func distributionPointWireFormMatchesRFC() throws {
        // SEQUENCE { SEQUENCE { [0] { [0] { [6] "http://x" } } } }
        let value = CRLDistributionPoints(uris: ["http://x"])
        let ext = try value.makeCertificateExtension()
        let expected: [UInt8] = [
            0x30, 0x10, 0x30, 0x0E, 0xA0, 0x0C, 0xA0, 0x0A, 0x86, 0x08,
        ] + Array("http://x".utf8)
        #expect(Array(ext.value) == expected)
    }

    @Test func reasonFlagsUseMinimalDERBitString() throws {
        // keyCompromise is bit 1: one byte 0b0100_0000 with 6 unused bits.
        let keyCompromise = try ExtensionTestSupport.der { try ReasonFlags.keyCompromise.serialize(into: &$0) }
        #expect(Array(keyCompromise) == [0x03, 0x02, 0x06, 0x40])
        // aACompromise is bit 8: a second byte with 7 unused bits.
        let aACompromise = try ExtensionTestSupport.der { try ReasonFlags.aACompromise.serialize(into: &$0) }
        #expect(Array(aACompromise) == [0x03, 0x03, 0x07, 0x00, 0x80])
        let all = ReasonFlags(rawValue: 0x1FF)
        let allBytes = try ExtensionTestSupport.der { try all.serialize(into: &$0) }
        #expect(try ReasonFlags(derEncoded: allBytes) == all)
        #expect(try ReasonFlags(derEncoded: [0x03, 0x01, 0x00]) == [])
    }

    @Test func reasonFlagsNames() throws {
        let flags = try ReasonFlags(names: ["keyCompromise", "ca_compromise", "AACOMPROMISE"])
        #expect(flags == [.keyCompromise, .cACompromise, .aACompromise])
        #expect(flags.names == ["keyCompromise", "cACompromise", "aACompromise"])
        #expect(throws: CAError.self) { try ReasonFlags(names: ["nonsense"]) }
    }

    @Test func reasonFlagsRejectUndefinedBits() throws {
        // Bit 9 set: two bytes, 6 unused bits, second byte 0b0100_0000.
        #expect(throws: (any Error).self) { try ReasonFlags(derEncoded: [0x03, 0x03, 0x06, 0x00, 0x40]) }
        let undefined = ReasonFlags(rawValue: 1 << 12)
        #expect(throws: CAError.self) {
            try CRLDistributionPoints([DistributionPoint(uris: ["http://x"])].map {
                var point = $0
                point.reasons = undefined
                return point
            }).makeCertificateExtension()
        }
    }

    @Test func distributionPointValidation() throws {
        #expect(throws: CAError.self) { try CRLDistributionPoints([]).makeCertificateExtension() }
        #expect(throws: CAError.self) {
            try CRLDistributionPoints([DistributionPoint(reasons: [.keyCompromise])]).makeCertificateExtension()
        }
        #expect(throws: CAError.self) {
            try CRLDistributionPoints([
                DistributionPoint(fullName: [.dnsName("a")], relativeName: RelativeDistinguishedName())
            ]).makeCertificateExtension()
        }
        #expect(throws: CAError.self) {
            try CRLDistributionPoints([DistributionPoint(fullName: [])]).makeCertificateExtension()
        }
        // A point that has only reasons on the wire is refused when reading, too.
        let reasonsOnly: ArraySlice<UInt8> = [0x30, 0x06, 0x30, 0x04, 0x81, 0x02, 0x06, 0x40]
        #expect(throws: CAError.self) {
            try CRLDistributionPoints(Certificate.Extension(oid: CRLDistributionPoints.oid, critical: false, value: reasonsOnly))
        }
    }

    @Test func freshestCRLRoundTrip() throws {
        let value = FreshestCRL(uris: ["http://crl.example.com/delta.crl"])
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(value, parse: FreshestCRL.init)
        #expect(parsed == value)
        #expect(ext.oid == FreshestCRL.oid)
        // Same syntax, different OID: each type refuses the other's extension.
        #expect(throws: CAError.self) { try CRLDistributionPoints(ext) }
    }

    // MARK: Certificate Policies

    @Test func certificatePoliciesRoundTrip() throws {
        let value = CertificatePolicies([
            PolicyInformation([2, 23, 140, 1, 2, 1]),
            PolicyInformation(
                [1, 2, 3, 4],
                qualifiers: [
                    .cpsURI("http://cps.example.com"),
                    .userNotice(UserNotice(
                        noticeReference: NoticeReference(organization: "Example Org", noticeNumbers: [1, 2, 3]),
                        explicitText: "Relying parties beware – ünïcödé is fine"
                    )),
                    .userNotice(UserNotice(explicitText: "Only text")),
                    .userNotice(UserNotice()),
                ]
            ),
            PolicyInformation(PolicyInformation.anyPolicy, qualifiers: [.cpsURI("https://any.example")]),
        ])
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(value, parse: CertificatePolicies.init)
        #expect(parsed == value)
        #expect(ext.oid == [2, 5, 29, 32])
        #expect(PolicyInformation.anyPolicy.description == "2.5.29.32.0")
    }

    @Test func certificatePoliciesKeepUnknownQualifiers() throws {
        let unknown = try ASN1Any(erasing: ASN1UTF8String("opaque"))
        let value = CertificatePolicies([PolicyInformation([1, 2, 3], qualifiers: [.other(oid: [1, 2, 3, 4, 5], value: unknown)])])
        let (_, parsed) = try ExtensionTestSupport.roundTrip(value, parse: CertificatePolicies.init)
        #expect(parsed == value)
    }

    @Test func certificatePoliciesValidation() throws {
        #expect(throws: CAError.self) { try CertificatePolicies([]).makeCertificateExtension() }
        #expect(throws: CAError.self) {
            try CertificatePolicies([PolicyInformation([1, 2, 3]), PolicyInformation([1, 2, 3])]).makeCertificateExtension()
        }
        let tooLong = String(repeating: "x", count: 201)
        #expect(throws: CAError.self) {
            try CertificatePolicies([
                PolicyInformation([1, 2, 3], qualifiers: [.userNotice(UserNotice(explicitText: tooLong))])
            ]).makeCertificateExtension()
        }
        let exactly200 = String(repeating: "é", count: 200)
        _ = try CertificatePolicies([
            PolicyInformation([1, 2, 3], qualifiers: [.userNotice(UserNotice(explicitText: exactly200))])
        ]).makeCertificateExtension()
        #expect(throws: CAError.self) {
            try CertificatePolicies([PolicyInformation([1, 2, 3], qualifiers: [.cpsURI("http://ünïcode.example")])])
                .makeCertificateExtension()
        }
    }

    @Test func explicitTextIsReadInEveryDisplayTextType() throws {
        func policies(explicitText: (inout DER.Serializer) throws -> Void) throws -> CertificatePolicies {
            let value = try ExtensionTestSupport.der { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in  // certificatePolicies
                    try coder.appendConstructedNode(identifier: .sequence) { coder in  // PolicyInformation
                        try coder.serialize([1, 2, 3] as ASN1ObjectIdentifier)
                        try coder.appendConstructedNode(identifier: .sequence) { coder in  // qualifiers
                            try coder.appendConstructedNode(identifier: .sequence) { coder in  // PolicyQualifierInfo
                                try coder.serialize(PolicyQualifier.userNoticeOID)
                                try coder.appendConstructedNode(identifier: .sequence) { coder in  // UserNotice
                                    try explicitText(&coder)
                                }
                            }
                        }
                    }
                }
            }
            return try CertificatePolicies(Certificate.Extension(oid: CertificatePolicies.oid, critical: false, value: value))
        }
        func text(of policies: CertificatePolicies) -> String? {
            guard case .userNotice(let notice) = policies.policies.first?.qualifiers.first else {
                return nil
            }
            return notice.explicitText
        }

        #expect(text(of: try policies { try $0.serialize(ASN1IA5String("ia5 text")) }) == "ia5 text")
        #expect(text(of: try policies { try $0.serialize(ASN1VisibleString("visible text")) }) == "visible text")
        #expect(text(of: try policies { try $0.serialize(ASN1UTF8String("utf8 ✓")) }) == "utf8 ✓")
        #expect(text(of: try policies { try $0.serialize(ASN1BMPString("bmp ✓")) }) == "bmp ✓")
        // Odd-length BMPString and a type that is not DisplayText are errors.
        #expect(throws: CAError.self) {
            try policies { try $0.serialize(ASN1BMPString(contentBytes: [0x00, 0x41, 0x00])) }
        }
        #expect(throws: CAError.self) { try policies { try $0.serialize(ASN1PrintableString("printable")) } }
    }

    // MARK: TLS Feature

    @Test func tlsFeatureRoundTripAndNames() throws {
        let value = try TLSFeature(names: ["status_request", "MultipleCertStatusRequest"])
        #expect(value.features == [5, 17])
        #expect(value.names == ["status_request", "status_request_v2"])
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(value, parse: TLSFeature.init)
        #expect(parsed == value)
        #expect(Array(ext.value) == [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x11])
        #expect(try TLSFeature.feature(named: "OCSPMustStaple") == TLSFeature.statusRequest)
        #expect(try TLSFeature.feature(named: "ocsp_must_staple") == 5)
        #expect(try TLSFeature.feature(named: "STATUS_REQUEST_V2") == 17)
        #expect(try TLSFeature.feature(named: "18") == 18)
        #expect(TLSFeature([18]).names == ["18"])
        #expect(throws: CAError.self) { try TLSFeature(names: ["must_staple_please"]) }
        #expect(throws: CAError.self) { try TLSFeature([]).makeCertificateExtension() }
        #expect(throws: CAError.self) { try TLSFeature([70000]).makeCertificateExtension() }
    }

    // MARK: OCSP No Check

    @Test func ocspNoCheckIsNull() throws {
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(OCSPNoCheck(), parse: OCSPNoCheck.init)
        #expect(parsed == OCSPNoCheck())
        #expect(Array(ext.value) == [0x05, 0x00])
        #expect(ext.critical == false)
        #expect(throws: CAError.self) {
            try OCSPNoCheck(Certificate.Extension(oid: OCSPNoCheck.oid, critical: false, value: [0x02, 0x01, 0x00]))
        }
    }

    // MARK: Issuer Alternative Name

    @Test func issuerAlternativeNamesRoundTrip() throws {
        let value = IssuerAlternativeNames([
            .uniformResourceIdentifier("http://ca.example.com"),
            .rfc822Name("ca@example.com"),
            .dnsName("ca.example.com"),
            .ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 1])),
        ])
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(value, parse: IssuerAlternativeNames.init)
        #expect(parsed == value)
        #expect(ext.oid == [2, 5, 29, 18])
        #expect(throws: CAError.self) { try IssuerAlternativeNames([]).makeCertificateExtension() }
    }

    // MARK: Inhibit anyPolicy

    @Test func inhibitAnyPolicyRoundTripIsCritical() throws {
        let (ext, parsed) = try ExtensionTestSupport.roundTrip(InhibitAnyPolicy(skipCerts: 2), parse: InhibitAnyPolicy.init)
        #expect(parsed.skipCerts == 2)
        #expect(ext.critical)
        #expect(Array(ext.value) == [0x02, 0x01, 0x02])
        #expect(throws: CAError.self) { try InhibitAnyPolicy(skipCerts: -1).makeCertificateExtension() }
        #expect(throws: CAError.self) {
            try InhibitAnyPolicy(Certificate.Extension(oid: InhibitAnyPolicy.oid, critical: true, value: [0x02, 0x01, 0xFF]))
        }
    }

    // MARK: Policy Constraints

    @Test func policyConstraintsRoundTripIsCritical() throws {
        for value in [
            PolicyConstraints(requireExplicitPolicy: 0),
            PolicyConstraints(inhibitPolicyMapping: 3),
            PolicyConstraints(requireExplicitPolicy: 1, inhibitPolicyMapping: 2),
        ] {
            let (ext, parsed) = try ExtensionTestSupport.roundTrip(value, parse: PolicyConstraints.init)
            #expect(parsed == value)
            #expect(ext.critical)
        }
        let both = try PolicyConstraints(requireExplicitPolicy: 1, inhibitPolicyMapping: 2).makeCertificateExtension()
        #expect(Array(both.value) == [0x30, 0x06, 0x80, 0x01, 0x01, 0x81, 0x01, 0x02])
    }

    @Test func policyConstraintsNeedAField() throws {
        #expect(throws: CAError.self) { try PolicyConstraints().makeCertificateExtension() }
        #expect(throws: CAError.self) { try PolicyConstraints(requireExplicitPolicy: -1).makeCertificateExtension() }
        #expect(throws: CAError.self) {
            try PolicyConstraints(Certificate.Extension(oid: PolicyConstraints.oid, critical: true, value: [0x30, 0x00]))
        }
    }

    // MARK: Errors shared by all types

    @Test func everyTypeRefusesAnotherExtensionsOID() throws {
        let keyUsage = try KeyUsage(keyCertSign: true).makeCertificateExtension()
        let parsers: [(String, (Certificate.Extension) throws -> Void)] = [
            ("CRLDistributionPoints", { _ = try CRLDistributionPoints($0) }),
            ("FreshestCRL", { _ = try FreshestCRL($0) }),
            ("CertificatePolicies", { _ = try CertificatePolicies($0) }),
            ("TLSFeature", { _ = try TLSFeature($0) }),
            ("OCSPNoCheck", { _ = try OCSPNoCheck($0) }),
            ("IssuerAlternativeNames", { _ = try IssuerAlternativeNames($0) }),
            ("InhibitAnyPolicy", { _ = try InhibitAnyPolicy($0) }),
            ("PolicyConstraints", { _ = try PolicyConstraints($0) }),
        ]
        for (typeName, parse) in parsers {
            let error = #expect(throws: CAError.self, "\(typeName)") { try parse(keyUsage) }
            #expect(error?.kind == .invalidInput)
            #expect(error?.message.contains("2.5.29.15") == true, "\(typeName): \(error?.message ?? "")")
        }
    }

    @Test func everyTypeReportsMalformedBytesAsCAError() throws {
        let garbage: [ArraySlice<UInt8>] = [[], [0x30], [0x30, 0x05, 0x01], [0xFF, 0xFF, 0xFF], [0x04, 0x00]]
        let oids: [ASN1ObjectIdentifier] = [
            CRLDistributionPoints.oid, FreshestCRL.oid, CertificatePolicies.oid, TLSFeature.oid,
            OCSPNoCheck.oid, IssuerAlternativeNames.oid, InhibitAnyPolicy.oid, PolicyConstraints.oid,
        ]
        for oid in oids {
            for bytes in garbage {
                let ext = Certificate.Extension(oid: oid, critical: false, value: bytes)
                let error = #expect(throws: CAError.self, "\(oid) \(Array(bytes))") {
                    switch oid {
                    case CRLDistributionPoints.oid: _ = try CRLDistributionPoints(ext)
                    case FreshestCRL.oid: _ = try FreshestCRL(ext)
                    case CertificatePolicies.oid: _ = try CertificatePolicies(ext)
                    case TLSFeature.oid: _ = try TLSFeature(ext)
                    case OCSPNoCheck.oid: _ = try OCSPNoCheck(ext)
                    case IssuerAlternativeNames.oid: _ = try IssuerAlternativeNames(ext)
                    case InhibitAnyPolicy.oid: _ = try InhibitAnyPolicy(ext)
                    default: _ = try PolicyConstraints(ext)
                    }
                }
                #expect(error?.message.contains("malformed") == true)
            }
        }
    }
}
