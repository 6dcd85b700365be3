import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

@Suite("Traditional PEM encryption", .timeLimit(.minutes(10)))
struct TraditionalPEMEncryptionTests {
    typealias Support = KeyTestSupport

    @Test(
        "EVP_BytesToKey with MD5 gives what `openssl enc -md md5 -P` prints",
        arguments: ["aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "des-ede3-cbc"], ["secret", "pässwörd"]
    )
    func keyDerivation(_ cipherName: String, password: String) throws {
        let cipher = try #require(KeyFileCipher(pemName: cipherName))
        let salt = Support.bytes(hex: "0102030405060708")
        // Without -iter or -pbkdf2, `openssl enc` derives key and IV together with EVP_BytesToKey.
        let printed = try Support.requireOpenSSL([
            "enc", "-\(cipherName)", "-md", "md5", "-S", Support.hex(salt), "-pass", "pass:\(password)", "-P",
        ]).text
        let fields = Dictionary(
            printed.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { return nil }
                return (PEMBlock.trimmed(parts[0]), PEMBlock.trimmed(parts[1]))
            },
            uniquingKeysWith: { first, _ in first }
        )
        let key = Support.bytes(hex: try #require(fields["key"]))
        let iv = Support.bytes(hex: try #require(fields["iv"]))
        #expect(key.count == cipher.keyByteCount)
        #expect(iv.count == cipher.blockByteCount)

        let derived = TraditionalPEMEncryption.deriveKey(
            password: Array(password.utf8),
            salt: salt[...],
            byteCount: key.count + iv.count
        )
        #expect(derived == key + iv)
    }

    @Test("PEM headers are split from the body, including continuation lines and DOS line ends")
    func headerParsing() throws {
        let text = [
            "leading text",
            "-----BEGIN RSA PRIVATE KEY-----",
            "Proc-Type: 4,ENCRYPTED",
            "DEK-Info: AES-128-CBC,",
            "  00112233445566778899AABBCCDDEEFF",
            "",
            "QUJD",
            "REVG  ",
            "-----END RSA PRIVATE KEY-----",
            "-----BEGIN CERTIFICATE-----",
            "QUJD",
            "-----END CERTIFICATE-----",
            "-----BEGIN UNFINISHED-----",
            "QUJD",
        ].joined(separator: "\r\n")
        let blocks = PEMBlock.blocks(in: text)
        try #require(blocks.count == 2)
        #expect(blocks[0].label == "RSA PRIVATE KEY")
        #expect(blocks[0].header("proc-type") == "4,ENCRYPTED")
        #expect(blocks[0].header("DEK-Info") == "AES-128-CBC, 00112233445566778899AABBCCDDEEFF")
        #expect(blocks[0].base64Body == "QUJDREVG")
        #expect(try blocks[0].derBytes() == Array("ABCDEF".utf8))
        #expect(TraditionalPEMEncryption.isEncrypted(blocks[0]))
        #expect(blocks[1].label == "CERTIFICATE")
        #expect(blocks[1].headers.isEmpty)
        #expect(!TraditionalPEMEncryption.isEncrypted(blocks[1]))

        let envelope = try TraditionalPEMEncryption.envelope(of: blocks[0])
        #expect(envelope.cipher == .aes128)
        #expect(envelope.initializationVector == Support.bytes(hex: "00112233445566778899AABBCCDDEEFF"))
    }

    /// Encrypts DER the way OpenSSL's traditional PEM encryption does, with `openssl enc` doing the cipher,
    /// so that labels and layouts the openssl tool does not write can be tested.
    static func traditionalPEM(
        label: String,
        der: [UInt8],
        cipherName: String,
        password: String,
        lineEnd: String = "\n",
        in directory: URL
    ) throws -> [UInt8] {
        let cipher = try #require(KeyFileCipher(pemName: cipherName))
        var generator = SystemRandomNumberGenerator()
        let iv = (0..<cipher.blockByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let key = TraditionalPEMEncryption.deriveKey(
            password: Array(password.utf8),
            salt: iv.prefix(TraditionalPEMEncryption.saltByteCount),
            byteCount: cipher.keyByteCount
        )
        let input = directory.appendingPathComponent("plain-\(UUID().uuidString).der")
        try Data(der).write(to: input)
        let ciphertext = try Support.requireOpenSSL([
            "enc", "-\(cipherName.lowercased())", "-K", Support.hex(key), "-iv", Support.hex(iv), "-in", input.path,
        ]).output

        var lines = PEMDocument(type: label, derBytes: ciphertext).pemString.split(separator: "\n").map(String.init)
        lines.insert(contentsOf: ["Proc-Type: 4,ENCRYPTED", "DEK-Info: \(cipherName),\(Support.hex(iv).uppercased())", ""], at: 1)
        return Array((lines.joined(separator: lineEnd) + lineEnd).utf8)
    }

    @Test(
        "a traditionally encrypted PKCS#8 \"PRIVATE KEY\" block is read",
        arguments: [KeyAlgorithm.ed25519, .ec(.secp384r1), .rsa(bits: 2048)], ["AES-256-CBC", "DES-EDE3-CBC"]
    )
    func encryptedPKCS8Label(_ algorithm: KeyAlgorithm, cipherName: String) throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(algorithm)
            let pem = try Self.traditionalPEM(
                label: "PRIVATE KEY",
                der: try PrivateKeyCoding.pkcs8DER(key),
                cipherName: cipherName,
                password: "secret",
                in: directory
            )
            #expect(PrivateKeyCoding.isEncrypted(pem))
            #expect(try PrivateKeyCoding.decode(pem, password: "secret").publicKey == key.publicKey)
            let error = Support.expectCAError(.keyAccess) {
                _ = try PrivateKeyCoding.decode(pem, password: "Secret")
            }
            #expect(error?.message == "wrong password for the private key")

            // OpenSSL reads the same file, which checks this helper against the real thing.
            let file = directory.appendingPathComponent("key.pem")
            try Data(pem).write(to: file)
            #expect(try Support.opensslPublicKey(of: file.path, password: "secret") == (try Support.subjectPublicKeyInfo(of: key)))
        }
    }

    @Test("DOS line ends, a lower-case cipher name and a preceding EC PARAMETERS block are accepted")
    func layoutVariants() throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(.ec(.secp256r1))
            let plainFile = directory.appendingPathComponent("plain.pem")
            try Support.write(try PrivateKeyCoding.pkcs8PEM(key), to: plainFile)
            let sec1 = try Support.requireOpenSSL(["ec", "-in", plainFile.path, "-outform", "DER"]).output
            let parameters = try Support.requireOpenSSL(["ecparam", "-name", "prime256v1"]).output

            let pem = try Self.traditionalPEM(
                label: "EC PRIVATE KEY",
                der: sec1,
                cipherName: "aes-192-cbc",
                password: "secret",
                lineEnd: "\r\n",
                in: directory
            )
            let bytes = parameters + pem
            #expect(PrivateKeyCoding.isEncrypted(bytes))
            #expect(try PrivateKeyCoding.decode(bytes, password: "secret").publicKey == key.publicKey)
        }
    }

    @Test("the decrypted structure must be the one the label names")
    func labelMismatch() throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(.ed25519)
            let pem = try Self.traditionalPEM(
                label: "RSA PRIVATE KEY",
                der: try PrivateKeyCoding.pkcs8DER(key),
                cipherName: "AES-128-CBC",
                password: "secret",
                in: directory
            )
            // Right password, wrong contents: indistinguishable from garbage a wrong password gives.
            Support.expectCAError(.keyAccess) {
                _ = try PrivateKeyCoding.decode(pem, password: "secret")
            }
        }
    }

    static let validBody = "QUJDREVGR0hJSktMTU5PUA=="  // 16 bytes

    @Test(
        "damaged or unsupported encryption headers are invalid input, whatever the password",
        arguments: [
            (nil, "damaged: the PEM block has no DEK-Info header"),
            ("AES-256-CBC", "damaged: invalid DEK-Info header"),
            ("AES-256-CBC,0011", "damaged: invalid AES-256-CBC initialization vector"),
            ("AES-256-CBC,XX112233445566778899AABBCCDDEEFF", "damaged: invalid AES-256-CBC initialization vector"),
            ("DES-EDE3-CBC,00112233445566778899AABBCCDDEEFF", "damaged: invalid DES-EDE3-CBC initialization vector"),
            ("DES-CBC,0011223344556677", "unsupported cipher DES-CBC"),
            ("CAMELLIA-256-CBC,00112233445566778899AABBCCDDEEFF", "unsupported cipher CAMELLIA-256-CBC"),
        ] as [(String?, String)]
    )
    func damagedHeaders(_ dekInfo: String?, expected: String) {
        let headers = "Proc-Type: 4,ENCRYPTED\n" + (dekInfo.map { "DEK-Info: \($0)\n" } ?? "")
        let text = "-----BEGIN EC PRIVATE KEY-----\n\(headers)\n\(Self.validBody)\n-----END EC PRIVATE KEY-----\n"
        let bytes = Array(text.utf8)
        #expect(PrivateKeyCoding.isEncrypted(bytes))
        // Checked before the password, so that a missing password is not asked for in vain.
        for password in ["secret", nil] {
            let error = Support.expectCAError(.invalidInput) {
                _ = try PrivateKeyCoding.decode(bytes, password: password)
            }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }

    @Test("the header order does not matter")
    func headerOrder() {
        let text = "-----BEGIN EC PRIVATE KEY-----\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n"
            + "Proc-Type: 4,ENCRYPTED\n\n\(Self.validBody)\n-----END EC PRIVATE KEY-----\n"
        let bytes = Array(text.utf8)
        #expect(PrivateKeyCoding.isEncrypted(bytes))
        let error = Support.expectCAError(.keyAccess) {
            _ = try PrivateKeyCoding.decode(bytes, password: nil)
        }
        #expect(error?.message == "the private key is encrypted; give its password")
    }

    @Test("a body that is not whole cipher blocks, or not base64, is damage rather than a wrong password")
    func damagedBody() {
        for body in ["QUJDREVG", "!!!!", ""] {
            let text = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n\(body)\n-----END EC PRIVATE KEY-----\n"
            let bytes = Array(text.utf8)
            #expect(PrivateKeyCoding.isEncrypted(bytes))
            let error = Support.expectCAError(.invalidInput) {
                _ = try PrivateKeyCoding.decode(bytes, password: "secret")
            }
            #expect(error?.message.hasPrefix("the encrypted private key is damaged") == true, "\(error?.message ?? "")")
        }
    }

    @Test("a Proc-Type that does not say ENCRYPTED is not traditional encryption")
    func notEncrypted() {
        let text = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,MIC-ONLY\n\n\(Self.validBody)\n-----END EC PRIVATE KEY-----\n"
        #expect(!PrivateKeyCoding.isEncrypted(Array(text.utf8)))
        #expect(PEMBlock.blocks(in: text).first.map(TraditionalPEMEncryption.isEncrypted) == false)
    }
}
