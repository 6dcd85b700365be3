import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// Cross-checks with OpenSSL 3, in both directions: OpenSSL must print what swift-ca writes, and
/// swift-ca must read what OpenSSL writes.
@Suite("OpenSSL interoperability", .timeLimit(.minutes(10)))
struct ExtensionOpenSSLTests {
    /// A self-signed P-256 CA certificate carrying every extension of this folder plus the
    /// swift-certificates ones, with RFC 5280 criticality.
    private func makeCertificate() throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("swift-ca extension test CA") }
        let now = Date()
        let extensions = try Certificate.Extensions([
            Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: 1), critical: true),
            Certificate.Extension(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true), critical: true),
            ExtendedKeyUsageName.extendedKeyUsage(from: ["serverAuth", "OCSPSigning", "bundleSecurity"]).makeCertificateExtension(),
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey)).makeCertificateExtension(),
            CRLDistributionPoints([
                DistributionPoint(uris: ["http://crl.example.com/ca.crl"]),
                DistributionPoint(
                    fullName: [.uniformResourceIdentifier("http://crl2.example.com/ca.crl")],
                    reasons: [.keyCompromise, .cACompromise],
                    crlIssuer: [.directoryName(name)]
                ),
            ]).makeCertificateExtension(),
            FreshestCRL(uris: ["http://crl.example.com/delta.crl"]).makeCertificateExtension(),
            CertificatePolicies([
                PolicyInformation([2, 23, 140, 1, 2, 1]),
                PolicyInformation(
                    [1, 3, 6, 1, 4, 1, 99999, 1],
                    qualifiers: [
                        .cpsURI("http://cps.example.com/cps"),
                        .userNotice(UserNotice(
                            noticeReference: NoticeReference(organization: "Example Org", noticeNumbers: [1, 2]),
                            explicitText: "Swift CA test notice"
                        )),
                    ]
                ),
            ]).makeCertificateExtension(),
            TLSFeature([TLSFeature.statusRequest, TLSFeature.statusRequestV2]).makeCertificateExtension(),
            OCSPNoCheck().makeCertificateExtension(),
            IssuerAlternativeNames([.uniformResourceIdentifier("http://ca.example.com"), .rfc822Name("ca@example.com")])
                .makeCertificateExtension(),
            InhibitAnyPolicy(skipCerts: 2).makeCertificateExtension(),
            PolicyConstraints(requireExplicitPolicy: 1, inhibitPolicyMapping: 2).makeCertificateExtension(),
            Certificate.Extension(NameConstraints(permittedDNSDomains: ["example.com"]), critical: true),
        ])
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 60,
            notValidAfter: now + 3600,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }

    @Test func opensslPrintsEveryExtension() throws {
        let directory = try ExtensionTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try makeCertificate()
        let pemURL = directory.appendingPathComponent("ca.pem")
        try certificate.serializeAsPEM().pemString.write(to: pemURL, atomically: true, encoding: .utf8)

        let text = try ExtensionTestSupport.openssl(["x509", "-in", pemURL.path, "-noout", "-text"], in: directory)
        #expect(text.status == 0, "\(text.output)")
        let lines = text.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let expectedLines = [
            "X509v3 Basic Constraints: critical",
            "CA:TRUE, pathlen:1",
            "X509v3 Key Usage: critical",
            "Digital Signature, Certificate Sign, CRL Sign",
            "X509v3 Extended Key Usage:",
            "X509v3 CRL Distribution Points:",
            "Full Name:",
            "URI:http://crl.example.com/ca.crl",
            "Key Compromise, CA Compromise",
            "CRL Issuer:",
            "DirName:CN = swift-ca extension test CA",
            "X509v3 Freshest CRL:",
            "URI:http://crl.example.com/delta.crl",
            "X509v3 Certificate Policies:",
            "Policy: 2.23.140.1.2.1",
            "Policy: 1.3.6.1.4.1.99999.1",
            "CPS: http://cps.example.com/cps",
            "User Notice:",
            "Organization: Example Org",
            "Numbers: 1, 2",
            "Explicit Text: Swift CA test notice",
            "TLS Feature:",
            "status_request, status_request_v2",
            "OCSP No Check:",
            "X509v3 Issuer Alternative Name:",
            "URI:http://ca.example.com, email:ca@example.com",
            "X509v3 Inhibit Any Policy: critical",
            "2",
            "X509v3 Policy Constraints: critical",
            "Require Explicit Policy:1, Inhibit Policy Mapping:2",
            "X509v3 Name Constraints: critical",
            "DNS:example.com",
        ]
        for expected in expectedLines {
            #expect(lines.contains(where: { $0.hasPrefix(expected) }), "missing \"\(expected)\" in:\n\(text.output)")
        }
        // The EKU line starts with OpenSSL's names and ends with the OID it has no name for.
        #expect(lines.contains("TLS Web Server Authentication, OCSP Signing, 1.3.6.1.5.5.7.3.35"), "\(text.output)")
        // OpenSSL prints hex dumps for extension values it cannot decode.
        #expect(!text.output.contains("<Parse Error>") && !text.output.lowercased().contains("unable to"), "\(text.output)")
    }

    @Test func opensslParsesEveryExtensionValue() throws {
        let directory = try ExtensionTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try makeCertificate()
        let pemURL = directory.appendingPathComponent("ca.pem")
        try certificate.serializeAsPEM().pemString.write(to: pemURL, atomically: true, encoding: .utf8)

        let whole = try ExtensionTestSupport.openssl(["asn1parse", "-in", pemURL.path, "-i"], in: directory)
        #expect(whole.status == 0, "\(whole.output)")
        #expect(!whole.output.lowercased().contains("error"), "\(whole.output)")

        // asn1parse does not always descend into OCTET STRINGs, so every value is also parsed alone.
        for (index, ext) in certificate.extensions.enumerated() {
            let valueURL = directory.appendingPathComponent("extension-\(index).der")
            try Data(ext.value).write(to: valueURL)
            let result = try ExtensionTestSupport.openssl(["asn1parse", "-inform", "DER", "-in", valueURL.path, "-i"], in: directory)
            #expect(result.status == 0, "\(ext.oid): \(result.output)")
            #expect(!result.output.lowercased().contains("error"), "\(ext.oid): \(result.output)")
        }
    }

    @Test func swiftCAReadsWhatOpenSSLWrites() throws {
        let directory = try ExtensionTestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // ia5org makes OpenSSL write the notice organization as IA5String; the two notices use
        // UTF8String and VisibleString explicit texts. BMPString is covered with hand-made DER in
        // ExtensionRoundTripTests instead: OpenSSL 3.0 copies "BMP:" text into the BMPString as raw
        // ASCII bytes rather than UTF-16, so what it writes is not valid BMPString.
        let config = """
            [req]
            distinguished_name = dn
            [dn]
            [ext]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            crlDistributionPoints = dp1,dp2
            freshestCRL = URI:http://crl.example.com/delta.crl
            certificatePolicies = ia5org,2.23.140.1.2.1,@policy1,@policy2
            tlsfeature = status_request
            noCheck = ignored
            issuerAltName = URI:http://ian.example.com,email:ca@example.com
            inhibitAnyPolicy = 3
            policyConstraints = requireExplicitPolicy:0
            [dp1]
            fullname = URI:http://crl.example.com/a.crl
            [dp2]
            fullname = URI:http://crl2.example.com/b.crl
            reasons = keyCompromise,CACompromise
            CRLissuer = dirName:issuer_section
            [issuer_section]
            CN = Issuer
            [policy1]
            policyIdentifier = 1.2.3.4
            CPS.1 = http://cps.example.com
            userNotice.1 = @notice1
            [notice1]
            explicitText = "UTF8:UTF8 notice"
            organization = Org
            noticeNumbers = 1,2
            [policy2]
            policyIdentifier = 1.2.3.5
            userNotice.1 = @notice2
            [notice2]
            explicitText = "VISIBLE:Visible notice"

            """
        let configURL = directory.appendingPathComponent("openssl.cnf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let result = try ExtensionTestSupport.openssl(
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "key.pem", "-subj", "/CN=OpenSSL CA", "-config", configURL.path,
                "-extensions", "ext", "-days", "1", "-out", "cert.pem",
            ],
            in: directory
        )
        try #require(result.status == 0, "\(result.output)")
        let pem = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
        let certificate = try Certificate(pemEncoded: pem)
        let extensions = Dictionary(certificate.extensions.map { ($0.oid, $0) }, uniquingKeysWith: { first, _ in first })

        let distributionPoints = try CRLDistributionPoints(try #require(extensions[CRLDistributionPoints.oid]))
        let issuer = try DistinguishedName { CommonName("Issuer") }
        #expect(distributionPoints.points == [
            DistributionPoint(uris: ["http://crl.example.com/a.crl"]),
            DistributionPoint(
                fullName: [.uniformResourceIdentifier("http://crl2.example.com/b.crl")],
                reasons: [.keyCompromise, .cACompromise],
                crlIssuer: [.directoryName(issuer)]
            ),
        ])
        #expect(try FreshestCRL(try #require(extensions[FreshestCRL.oid])) == FreshestCRL(uris: ["http://crl.example.com/delta.crl"]))

        let policies = try CertificatePolicies(try #require(extensions[CertificatePolicies.oid]))
        #expect(policies.policies == [
            PolicyInformation([2, 23, 140, 1, 2, 1]),
            PolicyInformation([1, 2, 3, 4], qualifiers: [
                .cpsURI("http://cps.example.com"),
                .userNotice(UserNotice(
                    noticeReference: NoticeReference(organization: "Org", noticeNumbers: [1, 2]),
                    explicitText: "UTF8 notice"
                )),
            ]),
            PolicyInformation([1, 2, 3, 5], qualifiers: [.userNotice(UserNotice(explicitText: "Visible notice"))]),
        ])

        #expect(try TLSFeature(try #require(extensions[TLSFeature.oid])).features == [5])
        _ = try OCSPNoCheck(try #require(extensions[OCSPNoCheck.oid]))
        #expect(try IssuerAlternativeNames(try #require(extensions[IssuerAlternativeNames.oid])).names == [
            .uniformResourceIdentifier("http://ian.example.com"), .rfc822Name("ca@example.com"),
        ])
        #expect(try InhibitAnyPolicy(try #require(extensions[InhibitAnyPolicy.oid])).skipCerts == 3)
        #expect(try PolicyConstraints(try #require(extensions[PolicyConstraints.oid])) == PolicyConstraints(requireExplicitPolicy: 0))

        // Everything OpenSSL wrote is described without falling back to hex.
        for description in ExtensionDescriber.describe(certificate.extensions) {
            #expect(description.name != "Unknown extension", "\(description)")
            #expect(!description.values.contains { $0.hasPrefix("(malformed)") }, "\(description)")
        }
    }
}
