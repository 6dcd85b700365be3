import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

@Suite("PrivateKeyCoding")
struct PrivateKeyCodingTests {
    @Test("writes PKCS#8 for every key type and reads it back", arguments: KeyTestSupport.algorithms)
    func plainRoundTrip(_ algorithm: KeyAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        let pem = try PrivateKeyCoding.pkcs8PEM(key)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))

        let decoded = try PrivateKeyCoding.decode(Array(pem.utf8), password: nil)
        #expect(decoded.publicKey == key.publicKey)
        #expect(!PrivateKeyCoding.isEncrypted(Array(pem.utf8)))

        let der = try PrivateKeyCoding.pkcs8DER(key)
        #expect(try PrivateKeyCoding.decode(der, password: nil).publicKey == key.publicKey)
    }

    @Test("encrypts PKCS#8 for every key type and reads it back", arguments: KeyTestSupport.algorithms)
    func encryptedRoundTrip(_ algorithm: KeyAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        let pem = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "correct horse", iterations: KeyTestSupport.fastIterations)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(PrivateKeyCoding.isEncrypted(Array(pem.utf8)))

        let decoded = try PrivateKeyCoding.decode(Array(pem.utf8), password: "correct horse")
        #expect(decoded.publicKey == key.publicKey)
        #expect(try KeyTestSupport.signsValidCertificate(decoded))
    }

    @Test("encryption uses a fresh salt and IV each time")
    func freshSaltAndIV() throws {
        let key = try KeyGenerator.generate(.ed25519)
        let first = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "pw", iterations: 1)
        let second = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "pw", iterations: 1)
        #expect(first != second)
    }

    @Test("the default is 600,000 PBKDF2-HMAC-SHA256 rounds with AES-256-CBC")
    func defaultIterations() throws {
        let key = try KeyGenerator.generate(.ec(.secp256r1))
        let pem = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "secret")
        let document = try PEMDocument(pemString: pem)
        let info = try PrivateKeyCoding.EncryptedPrivateKeyInfo(derEncoded: document.derBytes)
        let envelope = try PasswordBasedEncryption.envelope(of: info)
        #expect(envelope.iterations == 600_000)
        #expect(envelope.hashFunction == .sha256)
        #expect(envelope.cipher == .aes256)
        #expect(envelope.salt.count == 16)
        #expect(try PrivateKeyCoding.decode(Array(pem.utf8), password: "secret").publicKey == key.publicKey)
    }

    @Test("a password given for an unencrypted key is ignored")
    func passwordForPlainKey() throws {
        let key = try KeyGenerator.generate(.ed25519)
        let pem = try PrivateKeyCoding.pkcs8PEM(key)
        #expect(try PrivateKeyCoding.decode(Array(pem.utf8), password: "unused").publicKey == key.publicKey)
    }

    @Test("a missing or empty password for an encrypted key is a key access error", arguments: [nil, ""] as [String?])
    func missingPassword(_ password: String?) throws {
        let key = try KeyGenerator.generate(.ec(.secp384r1))
        let pem = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "secret", iterations: KeyTestSupport.fastIterations)
        let error = KeyTestSupport.expectCAError(.keyAccess) {
            _ = try PrivateKeyCoding.decode(Array(pem.utf8), password: password)
        }
        #expect(error?.message == "the private key is encrypted; give its password")
    }

    @Test("every wrong password is reported as such, including those that happen to give valid padding")
    func wrongPasswords() throws {
        let key = try KeyGenerator.generate(.ec(.secp256r1))
        // One round keeps 600 attempts fast; about two of them pass the padding check by chance.
        let pem = Array(try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "secret", iterations: 1).utf8)
        for attempt in 0..<600 {
            let error = KeyTestSupport.expectCAError(.keyAccess) {
                _ = try PrivateKeyCoding.decode(pem, password: "wrong \(attempt)")
            }
            #expect(error?.message == "wrong password for the private key")
        }
    }

    @Test("an empty password cannot encrypt")
    func emptyPasswordRefused() throws {
        let key = try KeyGenerator.generate(.ed25519)
        KeyTestSupport.expectCAError(.invalidInput) {
            _ = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "")
        }
        KeyTestSupport.expectCAError(.invalidInput) {
            _ = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "x", iterations: 0)
        }
    }

    @Test(
        "garbage is not a private key",
        arguments: [
            [],
            Array("hello world".utf8),
            [0x30, 0x03, 0x02, 0x01, 0x00],
            [0x30, 0x82, 0x01],
            Array("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n".utf8),
            Array("-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n".utf8),
            [UInt8](repeating: 0xFF, count: 300),
        ] as [[UInt8]]
    )
    func garbage(_ bytes: [UInt8]) {
        let error = KeyTestSupport.expectCAError(.invalidInput) {
            _ = try PrivateKeyCoding.decode(bytes, password: "x")
        }
        #expect(error?.message == "not a private key in PEM or DER form")
        #expect(!PrivateKeyCoding.isEncrypted(bytes))
    }

    @Test("every truncation of a DER key is refused without crashing", arguments: [KeyAlgorithm.ec(.secp256r1), .ed25519])
    func truncatedDER(_ algorithm: KeyAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        let plain = try PrivateKeyCoding.pkcs8DER(key)
        let encrypted = try PEMDocument(
            pemString: try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "pw", iterations: 1)
        ).derBytes
        for der in [plain, encrypted] {
            for length in 0..<der.count {
                KeyTestSupport.expectCAError(.invalidInput) {
                    _ = try PrivateKeyCoding.decode(Array(der.prefix(length)), password: "pw")
                }
            }
        }
    }

    @Test("a flipped bit in the key data does not crash")
    func corruptedBytes() throws {
        let key = try KeyGenerator.generate(.ec(.secp256r1))
        let der = try PrivateKeyCoding.pkcs8DER(key)
        for index in der.indices {
            var damaged = der
            damaged[index] ^= 0x10
            do {
                _ = try PrivateKeyCoding.decode(damaged, password: nil)
            } catch let error as CAError {
                #expect(error.kind == .invalidInput || error.kind == .policy, "\(error)")
            }
        }
    }

    @Test("a PEM file without a key names what it found")
    func pemWithoutKey() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"
        let error = KeyTestSupport.expectCAError(.invalidInput) {
            _ = try PrivateKeyCoding.decode(Array(pem.utf8), password: nil)
        }
        #expect(error?.message.contains("CERTIFICATE") == true)
    }

    @Test("RSA keys are written as PKCS#8, not PKCS#1")
    func rsaIsPKCS8() throws {
        let key = try KeyGenerator.generate(.rsa(bits: 2048))
        let pem = try PrivateKeyCoding.pkcs8PEM(key)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let info = try PrivateKeyCoding.PrivateKeyInfo(derEncoded: try PEMDocument(pemString: pem).derBytes)
        #expect(info.algorithm.algorithm == PrivateKeyCoding.ObjectIdentifiers.rsaEncryption)
    }
}
