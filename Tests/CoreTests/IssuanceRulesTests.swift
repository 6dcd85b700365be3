import Foundation
import Testing
import X509
@testable import CACore

@Suite struct SerialNumberTextTests {
    @Test func randomSerialsArePositiveTwentyOctetsAndDistinct() {
        let serials = (0..<200).map { _ in SerialNumberText.random() }
        for serial in serials {
            #expect(serial.bytes.count == 20)
            #expect(serial.bytes.first! & 0x80 == 0)
            #expect(serial.bytes.first! & 0x40 != 0)
        }
        #expect(Set(serials.map(SerialNumberText.hex)).count == 200)
    }

    @Test(arguments: [("7a:92:0b", "7A920B"), ("007A920B", "7A920B"), ("7A920B", "7A920B"), ("00", "0")])
    func userSpellingsNormalise(input: String, expected: String) {
        #expect(SerialNumberText.normalize(input) == expected)
    }

    @Test func nonHexIsNotASerial() {
        #expect(SerialNumberText.normalize("Example Root CA") == nil)
        #expect(SerialNumberText.normalize("") == nil)
    }

    @Test func colonFormPadsOddLengths() {
        #expect(SerialNumberText.colonSeparated("ABC") == "0A:BC")
        #expect(SerialNumberText.hex(bytes: [0x00, 0x0A, 0xBC]) == "ABC")
    }
}

@Suite struct SignatureHashTests {
    @Test func hashMatchesKeyByDefault() throws {
        #expect(try SignatureHash.signatureAlgorithm(for: .ec(.secp256r1), hash: nil) == .ecdsaWithSHA256)
        #expect(try SignatureHash.signatureAlgorithm(for: .ec(.secp384r1), hash: nil) == .ecdsaWithSHA384)
        #expect(try SignatureHash.signatureAlgorithm(for: .rsa(bits: 4096), hash: nil) == .sha256WithRSAEncryption)
        #expect(try SignatureHash.signatureAlgorithm(for: .rsa(bits: 4096), hash: .sha512) == .sha512WithRSAEncryption)
        #expect(try SignatureHash.signatureAlgorithm(for: .ed25519, hash: nil) == .ed25519)
        #expect(throws: CAError.self) { try SignatureHash.signatureAlgorithm(for: .ed25519, hash: .sha256) }
    }

    @Test(arguments: ["SHA-256", "sha256", "SHA256", "sha_256"])
    func spellingsParse(name: String) throws {
        #expect(try SignatureHash(name: name) == .sha256)
    }

    @Test func md5IsRefused() {
        #expect(throws: CAError.self) { try SignatureHash(name: "MD5") }
    }
}

@Suite struct KeyUsagePolicyTests {
    let serverUsage = KeyUsage(digitalSignature: true, keyEncipherment: true, keyAgreement: true)

    @Test func ecKeysLoseEncipherment() {
        let filtered = KeyUsagePolicy.filter(serverUsage, for: .ec(.secp256r1))
        #expect(filtered == KeyUsage(digitalSignature: true, keyAgreement: true))
    }

    @Test func rsaKeysLoseKeyAgreement() {
        #expect(KeyUsagePolicy.filter(serverUsage, for: .rsa(bits: 2048)) == KeyUsage(digitalSignature: true, keyEncipherment: true))
    }

    @Test func ed25519KeysOnlySign() {
        #expect(KeyUsagePolicy.filter(serverUsage, for: .ed25519) == KeyUsage(digitalSignature: true))
    }

    @Test func explicitForbiddenUsageIsRefusedByName() throws {
        let error = try #require(throws: CAError.self) { try KeyUsagePolicy.check(serverUsage, for: .ed25519) }
        #expect(error.message.contains("keyAgreement") && error.message.contains("keyEncipherment"))
        try KeyUsagePolicy.check(KeyUsage(digitalSignature: true), for: .ed25519)
    }
}

@Suite struct SubjectComposerTests {
    @Test func defaultsFillOnlyMissingAttributeTypes() throws {
        let explicit = try SubjectParser.parse("O=Mine,CN=host.example.com")
        let defaults = try SubjectParser.parse("C=AT,O=Default")
        let merged = SubjectComposer.merge(explicit, over: defaults)
        #expect(SubjectFormatter.format(merged) == "C=AT,O=Mine,CN=host.example.com")
    }

    @Test func commonNameFromAlternativeName() throws {
        #expect(SubjectComposer.commonNameValue(of: try GeneralNameParser.parse("IP:10.0.0.1")) == "10.0.0.1")
        #expect(SubjectComposer.commonNameValue(of: try GeneralNameParser.parse("host.example.com")) == "host.example.com")
        let long = String(repeating: "a", count: 60) + ".example.com"
        #expect(throws: CAError.self) { try SubjectComposer.appendingCommonName(long, to: DistinguishedName()) }
    }
}

@Suite struct ValidityTests {
    @Test func backdatedAndTruncatedToTheMinute() {
        let now = Date(timeIntervalSince1970: 1_800_000_123)
        let notBefore = Validity.notBefore(now: now)
        #expect(notBefore.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0)
        #expect(now.timeIntervalSince(notBefore) >= Validity.backdating)
        #expect(Validity.notAfter(now: now, days: 1).timeIntervalSince(now) <= 86_400)
    }
}
