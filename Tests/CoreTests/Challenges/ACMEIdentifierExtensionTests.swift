import CACore
import Crypto
import SwiftASN1
import Testing
import X509

@Suite struct ACMEIdentifierExtensionTests {
    let keyAuthorization = "token-abc.thumbprint-xyz"

    @Test func encodesDigestAsDEROctetString() throws {
        let encoded = try ACMEIdentifierExtension(keyAuthorization: keyAuthorization).makeCertificateExtension()
        let digest = Array(SHA256.hash(data: Array(keyAuthorization.utf8)))
        #expect(encoded.oid == ASN1ObjectIdentifier.acmeIdentifierExtension)
        #expect(String(describing: encoded.oid) == "1.3.6.1.5.5.7.1.31")
        #expect(Array(encoded.value) == [0x04, 0x20] + digest)
    }

    @Test func decodesWhatItEncodes() throws {
        let original = ACMEIdentifierExtension(keyAuthorization: keyAuthorization)
        let decoded = try ACMEIdentifierExtension(original.makeCertificateExtension())
        #expect(decoded == original)
    }

    @Test func rejectsDigestOfWrongLength() {
        #expect(throws: ACMEIdentifierExtensionError.wrongDigestLength(31)) {
            try ACMEIdentifierExtension(keyAuthorizationDigest: Array(repeating: 0, count: 31))
        }
        let shortValue = Certificate.Extension(oid: .acmeIdentifierExtension, critical: true, value: [0x04, 0x01, 0x00])
        #expect(throws: ACMEIdentifierExtensionError.wrongDigestLength(1)) {
            try ACMEIdentifierExtension(shortValue)
        }
    }

    @Test func rejectsValueThatIsNotAnOctetString() {
        let integerValue = Certificate.Extension(oid: .acmeIdentifierExtension, critical: true, value: [0x02, 0x01, 0x05])
        #expect(throws: ACMEIdentifierExtensionError.notAnOctetString) {
            try ACMEIdentifierExtension(integerValue)
        }
    }
}
