import CACore
import SwiftASN1
import Testing
import X509

@Suite struct TLSALPNChallengeCertificateCheckTests {
    let keyAuthorization = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
    let identifier = ChallengeIdentifier.dnsName("www.example.org")
    let builder = TLSALPNChallengeCertificateBuilder()

    var check: TLSALPNChallengeCertificateCheck {
        TLSALPNChallengeCertificateCheck(identifier: identifier, keyAuthorization: keyAuthorization)
    }

    var correctExtension: Certificate.Extension {
        get throws {
            try Certificate.Extension(
                oid: .acmeIdentifierExtension,
                critical: true,
                value: ACMEIdentifierExtension(keyAuthorization: keyAuthorization).makeCertificateExtension().value
            )
        }
    }

    @Test func acceptsCorrectCertificate() throws {
        let challenge = try builder.makeCertificate(for: identifier, keyAuthorization: keyAuthorization)
        try check.verify(challenge.certificate)
    }

    @Test func comparesDNSNamesCaseInsensitively() throws {
        let challenge = try builder.makeCertificate(for: .dnsName("WWW.Example.ORG"), keyAuthorization: keyAuthorization)
        try check.verify(challenge.certificate)
    }

    @Test func acceptsIPAddressCertificate() throws {
        let ipIdentifier = try #require(ChallengeIdentifier(ipAddressLiteral: "2001:db8::1"))
        let challenge = try builder.makeCertificate(for: ipIdentifier, keyAuthorization: keyAuthorization)
        let sameAddress = try #require(ChallengeIdentifier(ipAddressLiteral: "2001:0db8:0:0::1"))
        try TLSALPNChallengeCertificateCheck(identifier: sameAddress, keyAuthorization: keyAuthorization)
            .verify(challenge.certificate)
    }

    @Test func rejectsMissingExtension() throws {
        let certificate = try builder.makeCertificate(
            subjectAlternativeNames: [.dnsName("www.example.org")],
            acmeIdentifierExtension: nil
        ).certificate
        #expect(throws: TLSALPNChallengeCertificateError.missingACMEIdentifierExtension) {
            try check.verify(certificate)
        }
    }

    @Test func rejectsNonCriticalExtension() throws {
        let nonCritical = try ACMEIdentifierExtension(keyAuthorization: keyAuthorization).makeCertificateExtension()
        let certificate = try builder.makeCertificate(
            subjectAlternativeNames: [.dnsName("www.example.org")],
            acmeIdentifierExtension: nonCritical
        ).certificate
        #expect(throws: TLSALPNChallengeCertificateError.acmeIdentifierExtensionNotCritical) {
            try check.verify(certificate)
        }
    }

    @Test func rejectsWrongDigest() throws {
        let challenge = try builder.makeCertificate(for: identifier, keyAuthorization: "another-token.thumbprint")
        #expect(throws: TLSALPNChallengeCertificateError.keyAuthorizationDigestMismatch) {
            try check.verify(challenge.certificate)
        }
    }

    @Test func rejectsMalformedExtension() throws {
        let truncated = Certificate.Extension(oid: .acmeIdentifierExtension, critical: true, value: [0x04, 0x02, 0xAB, 0xCD])
        let certificate = try builder.makeCertificate(
            subjectAlternativeNames: [.dnsName("www.example.org")],
            acmeIdentifierExtension: truncated
        ).certificate
        #expect(throws: TLSALPNChallengeCertificateError.malformedACMEIdentifierExtension(.wrongDigestLength(2))) {
            try check.verify(certificate)
        }
    }

    @Test func rejectsExtraSubjectAlternativeName() throws {
        let certificate = try builder.makeCertificate(
            subjectAlternativeNames: [.dnsName("www.example.org"), .dnsName("other.example.org")],
            acmeIdentifierExtension: correctExtension
        ).certificate
        #expect(throws: TLSALPNChallengeCertificateError.wrongSubjectAlternativeNameCount(2)) {
            try check.verify(certificate)
        }
    }

    @Test func rejectsWrongName() throws {
        let challenge = try builder.makeCertificate(for: .dnsName("evil.example.org"), keyAuthorization: keyAuthorization)
        #expect(
            throws: TLSALPNChallengeCertificateError.subjectAlternativeNameMismatch(
                found: "DNS name \"evil.example.org\"",
                expected: "www.example.org"
            )
        ) {
            try check.verify(challenge.certificate)
        }
    }

    @Test func rejectsIPAddressWhenDNSNameIsValidated() throws {
        let address = try #require(ChallengeIdentifier(ipAddressLiteral: "192.0.2.7"))
        let challenge = try builder.makeCertificate(for: address, keyAuthorization: keyAuthorization)
        #expect(
            throws: TLSALPNChallengeCertificateError.subjectAlternativeNameMismatch(
                found: "IP address 192.0.2.7",
                expected: "www.example.org"
            )
        ) {
            try check.verify(challenge.certificate)
        }
    }

    @Test func rejectsMissingSubjectAlternativeName() throws {
        let certificate = try builder.makeCertificate(subjectAlternativeNames: [], acmeIdentifierExtension: correctExtension)
            .certificate
        #expect(throws: TLSALPNChallengeCertificateError.missingSubjectAlternativeName) {
            try check.verify(certificate)
        }
    }

    @Test func errorsCarryUserFacingMessages() {
        #expect(TLSALPNChallengeCertificateError.acmeIdentifierExtensionNotCritical.message.contains("critical"))
        #expect(TLSALPNChallengeCertificateError.wrongSubjectAlternativeNameCount(3).message.contains("exactly one"))
    }
}
