import Testing
import X509

@testable import CACore

@Suite("KeyGenerator")
struct KeyGeneratorTests {
    @Test("generates a signing key of each algorithm", arguments: KeyTestSupport.algorithms)
    func generatesEachAlgorithm(_ algorithm: KeyAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        #expect(try KeyTestSupport.signsValidCertificate(key))

        // The test target sees CACore only, so the key type is read from swift-certificates' description.
        let expected: String
        switch algorithm {
        case .rsa(let bits): expected = "RSA\(bits).PrivateKey"
        case .ec(.secp256r1): expected = "P256.PrivateKey"
        case .ec(.secp384r1): expected = "P384.PrivateKey"
        case .ec(.secp521r1): expected = "P521.PrivateKey"
        case .ed25519: expected = "Ed25519.PrivateKey"
        }
        #expect(key.description == expected)
    }

    @Test("refuses RSA sizes outside 2048 to 8192 bits or not a multiple of 128", arguments: [1024, 2047, 2050, 8320, 16384, 0, -2048])
    func refusesRSASizes(_ bits: Int) {
        let error = KeyTestSupport.expectCAError(.policy) {
            _ = try KeyGenerator.generate(.rsa(bits: bits))
        }
        #expect(error?.message.contains("\(bits)") == true)
    }

    @Test("generates two different keys")
    func generatesFreshKeys() throws {
        let first = try KeyGenerator.generate(.ec(.secp256r1))
        let second = try KeyGenerator.generate(.ec(.secp256r1))
        #expect(first.publicKey != second.publicKey)
    }
}
