import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// Checks the key formats against the openssl command line tool, the reference most users will hold us to.
@Suite("Private keys and OpenSSL", .timeLimit(.minutes(10)))
struct OpenSSLKeyInteropTests {
    typealias Support = KeyTestSupport

    // MARK: Keys swift-ca writes, read by OpenSSL

    @Test("OpenSSL reads the unencrypted PKCS#8 we write", arguments: KeyTestSupport.algorithms)
    func opensslReadsPlain(_ algorithm: KeyAlgorithm) throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(algorithm)
            let file = directory.appendingPathComponent("plain.pem")
            try Support.write(try PrivateKeyCoding.pkcs8PEM(key), to: file)

            try Support.requireOpenSSL(["pkey", "-in", file.path, "-noout"])
            #expect(try Support.opensslPublicKey(of: file.path) == (try Support.subjectPublicKeyInfo(of: key)))
        }
    }

    @Test("OpenSSL reads the encrypted PKCS#8 we write, and only with the right password", arguments: KeyTestSupport.algorithms)
    func opensslReadsEncrypted(_ algorithm: KeyAlgorithm) throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(algorithm)
            let file = directory.appendingPathComponent("encrypted.pem")
            try Support.write(
                try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "SECRET", iterations: Support.fastIterations),
                to: file
            )

            try Support.requireOpenSSL(["pkey", "-in", file.path, "-noout", "-passin", "pass:SECRET"])
            #expect(
                try Support.opensslPublicKey(of: file.path, password: "SECRET")
                    == (try Support.subjectPublicKeyInfo(of: key))
            )
            let wrong = try Support.openssl(["pkey", "-in", file.path, "-noout", "-passin", "pass:WRONG"])
            #expect(!wrong.succeeded)
        }
    }

    @Test("the encryption is PBES2, PBKDF2 with an explicit hmacWithSHA256 PRF, and AES-256-CBC")
    func encryptionParameters() throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(.ec(.secp256r1))
            let file = directory.appendingPathComponent("encrypted.pem")
            try Support.write(try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "SECRET", iterations: 4321), to: file)

            let structure = try Support.requireOpenSSL(["asn1parse", "-in", file.path]).text
            #expect(structure.contains("PBES2"))
            #expect(structure.contains("PBKDF2"))
            #expect(structure.contains("hmacWithSHA256"))
            #expect(structure.contains("aes-256-cbc"))
            #expect(structure.contains("INTEGER           :10E1"))  // 4321 iterations
        }
    }

    @Test("OpenSSL reads a key encrypted with the default 600,000 iterations")
    func opensslReadsDefaultIterations() throws {
        try Support.withTemporaryDirectory { directory in
            let key = try KeyGenerator.generate(.ed25519)
            let file = directory.appendingPathComponent("default.pem")
            try Support.write(try PrivateKeyCoding.encryptedPKCS8PEM(key, password: "SECRET"), to: file)
            #expect(
                try Support.opensslPublicKey(of: file.path, password: "SECRET")
                    == (try Support.subjectPublicKeyInfo(of: key))
            )
        }
    }

    // MARK: Keys OpenSSL writes, read by swift-ca

    /// How OpenSSL generates each kind of key.
    enum OpenSSLKind: String, CaseIterable, CustomTestStringConvertible {
        case p256, p384, p521, ed25519, rsa

        var generateArguments: [String] {
            switch self {
            case .p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
            case .p384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]
            case .p521: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]
            case .ed25519: ["-algorithm", "ed25519"]
            case .rsa: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
            }
        }

        /// The arguments that rewrite the key in its pre-PKCS#8 form, if it has one.
        var traditionalArguments: [String]? {
            switch self {
            case .p256, .p384, .p521: ["ec"]
            case .rsa: ["rsa", "-traditional"]
            case .ed25519: nil
            }
        }

        var testDescription: String { rawValue }
    }

    /// The ways OpenSSL can store a key, as (description, pkcs8 arguments, password).
    static let pkcs8Forms: [(name: String, arguments: [String], password: String?)] = [
        ("PEM, no encryption", ["-nocrypt"], nil),
        ("DER, no encryption", ["-nocrypt", "-outform", "DER"], nil),
        ("PEM, AES-256-CBC", ["-v2", "aes-256-cbc", "-passout", "pass:x"], "x"),
        ("PEM, AES-128-CBC, hmacWithSHA1", ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-passout", "pass:x"], "x"),
        ("PEM, AES-192-CBC, hmacWithSHA384", ["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA384", "-passout", "pass:x"], "x"),
        ("PEM, AES-256-CBC, hmacWithSHA512", ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512", "-passout", "pass:pässwörd"], "pässwörd"),
        ("DER, AES-256-CBC", ["-v2", "aes-256-cbc", "-passout", "pass:x", "-outform", "DER"], "x"),
        ("PEM, DES-EDE3-CBC", ["-v2", "des3", "-passout", "pass:x"], "x"),
        ("DER, DES-EDE3-CBC, hmacWithSHA1", ["-v2", "des3", "-v2prf", "hmacWithSHA1", "-passout", "pass:x", "-outform", "DER"], "x"),
        ("PEM, OpenSSL's default", ["-passout", "pass:x"], "x"),
    ]

    @Test("swift-ca reads OpenSSL's keys in every PKCS#8 form", arguments: OpenSSLKind.allCases)
    func readsOpenSSLPKCS8(_ kind: OpenSSLKind) throws {
        try Support.withTemporaryDirectory { directory in
            let generated = directory.appendingPathComponent("generated.pem")
            try Support.requireOpenSSL(["genpkey"] + kind.generateArguments + ["-out", generated.path])
            let expected = try Support.opensslPublicKey(of: generated.path)

            // genpkey's own output is already unencrypted PKCS#8 PEM.
            let direct = try PrivateKeyCoding.decode(try Support.read(generated), password: nil)
            #expect(try Support.subjectPublicKeyInfo(of: direct) == expected)

            for (index, form) in Self.pkcs8Forms.enumerated() {
                let converted = directory.appendingPathComponent("converted-\(index)")
                try Support.requireOpenSSL(
                    ["pkcs8", "-topk8", "-in", generated.path, "-out", converted.path] + form.arguments
                )
                let bytes = try Support.read(converted)
                #expect(PrivateKeyCoding.isEncrypted(bytes) == (form.password != nil), "\(form.name)")
                let key = try PrivateKeyCoding.decode(bytes, password: form.password)
                #expect(try Support.subjectPublicKeyInfo(of: key) == expected, "\(form.name)")
                #expect(try Support.signsValidCertificate(key), "\(form.name)")

                if form.password != nil {
                    let wrong = Support.expectCAError(.keyAccess) {
                        _ = try PrivateKeyCoding.decode(bytes, password: "not it")
                    }
                    #expect(wrong?.message == "wrong password for the private key", "\(form.name)")
                    let missing = Support.expectCAError(.keyAccess) {
                        _ = try PrivateKeyCoding.decode(bytes, password: nil)
                    }
                    #expect(missing?.message == "the private key is encrypted; give its password", "\(form.name)")
                }
            }
        }
    }

    @Test(
        "swift-ca reads OpenSSL's traditional SEC1 and PKCS#1 keys, PEM and DER",
        arguments: OpenSSLKind.allCases.filter { $0.traditionalArguments != nil }
    )
    func readsTraditional(_ kind: OpenSSLKind) throws {
        let traditionalArguments = try #require(kind.traditionalArguments)
        try Support.withTemporaryDirectory { directory in
            let generated = directory.appendingPathComponent("generated.pem")
            try Support.requireOpenSSL(["genpkey"] + kind.generateArguments + ["-out", generated.path])
            let expected = try Support.opensslPublicKey(of: generated.path)

            for outputForm in ["PEM", "DER"] {
                let traditional = directory.appendingPathComponent("traditional.\(outputForm)")
                try Support.requireOpenSSL(
                    traditionalArguments + ["-in", generated.path, "-out", traditional.path, "-outform", outputForm]
                )
                let bytes = try Support.read(traditional)
                if outputForm == "PEM" {
                    let header = kind == .rsa ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----"
                    #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(header))
                }
                let key = try PrivateKeyCoding.decode(bytes, password: "ignored")
                #expect(try Support.subjectPublicKeyInfo(of: key) == expected, "\(outputForm)")
            }
        }
    }

    /// The cipher options of `openssl rsa` and `openssl ec` that write traditional PEM encryption, with the
    /// name OpenSSL puts in the DEK-Info header.
    static let traditionalCiphers: [String: String] = [
        "-aes128": "AES-128-CBC",
        "-aes192": "AES-192-CBC",
        "-aes256": "AES-256-CBC",
        "-des3": "DES-EDE3-CBC",
    ]

    @Test(
        "swift-ca reads OpenSSL's traditional PEM encryption (Proc-Type/DEK-Info)",
        arguments: OpenSSLKind.allCases.filter { $0.traditionalArguments != nil }, traditionalCiphers.keys.sorted()
    )
    func readsTraditionalEncryption(_ kind: OpenSSLKind, cipherOption: String) throws {
        let traditionalArguments = try #require(kind.traditionalArguments)
        let dekInfoName = try #require(Self.traditionalCiphers[cipherOption])
        // A non-ASCII password checks that its UTF-8 bytes feed EVP_BytesToKey, as they do in OpenSSL.
        let password = "pässwörd"
        try Support.withTemporaryDirectory { directory in
            let generated = directory.appendingPathComponent("generated.pem")
            try Support.requireOpenSSL(["genpkey"] + kind.generateArguments + ["-out", generated.path])
            let expected = try Support.opensslPublicKey(of: generated.path)

            let encrypted = directory.appendingPathComponent("encrypted.pem")
            try Support.requireOpenSSL(
                traditionalArguments
                    + ["-in", generated.path, "-out", encrypted.path, cipherOption, "-passout", "pass:\(password)"]
            )
            let bytes = try Support.read(encrypted)
            let text = String(decoding: bytes, as: UTF8.self)
            let label = kind == .rsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY"
            #expect(text.hasPrefix("-----BEGIN \(label)-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: \(dekInfoName),"))
            #expect(PrivateKeyCoding.isEncrypted(bytes))
            #expect(PrivateKeyCoding.formatDescription(of: bytes) == "legacy encrypted PEM")

            let key = try PrivateKeyCoding.decode(bytes, password: password)
            #expect(try Support.subjectPublicKeyInfo(of: key) == expected)
            #expect(try Support.opensslPublicKey(of: encrypted.path, password: password) == expected)
            #expect(try Support.signsValidCertificate(key))

            let wrong = Support.expectCAError(.keyAccess) {
                _ = try PrivateKeyCoding.decode(bytes, password: "passwörd")
            }
            #expect(wrong?.message == "wrong password for the private key")
            for missing in [nil, ""] as [String?] {
                let error = Support.expectCAError(.keyAccess) {
                    _ = try PrivateKeyCoding.decode(bytes, password: missing)
                }
                #expect(error?.message == "the private key is encrypted; give its password")
            }
        }
    }

    @Test(
        "every wrong password for a traditionally encrypted key is reported as such",
        arguments: ["-des3", "-aes128"]
    )
    func traditionalWrongPasswords(_ cipherOption: String) throws {
        try Support.withTemporaryDirectory { directory in
            let generated = directory.appendingPathComponent("generated.pem")
            try Support.requireOpenSSL(["genpkey"] + OpenSSLKind.p256.generateArguments + ["-out", generated.path])
            let encrypted = directory.appendingPathComponent("encrypted.pem")
            try Support.requireOpenSSL(["ec", "-in", generated.path, "-out", encrypted.path, cipherOption, "-passout", "pass:x"])
            let bytes = try Support.read(encrypted)
            // About one attempt in 256 passes the padding check; the structure check must catch those too.
            for attempt in 0..<600 {
                let error = Support.expectCAError(.keyAccess) {
                    _ = try PrivateKeyCoding.decode(bytes, password: "wrong \(attempt)")
                }
                #expect(error?.message == "wrong password for the private key")
            }
        }
    }

    /// OpenSSL commands that write an encrypted key directly, as users run them (words split at spaces);
    /// KEY and CERT stand for the output files.
    static let encryptingCommands = [
        // OpenSSL 3.0's default for req and genrsa: PBES2, PBKDF2-HMAC-SHA256, des-ede3-cbc.
        "req -x509 -newkey rsa:2048 -keyout KEY -out CERT -subj /CN=test -passout pass:x",
        "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout KEY -out CERT -subj /CN=test -passout pass:x",
        "genrsa -des3 -passout pass:x -out KEY 2048",
        // Traditional PEM encryption.
        "genrsa -traditional -des3 -passout pass:x -out KEY 2048",
        "genrsa -traditional -aes256 -passout pass:x -out KEY 2048",
        // PBES2 with the cipher given.
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -aes-256-cbc -pass pass:x -out KEY",
        "genpkey -algorithm ed25519 -des3 -pass pass:x -out KEY",
    ]

    @Test("swift-ca reads the encrypted keys OpenSSL commands write", arguments: encryptingCommands)
    func readsOpenSSLCommandOutput(_ command: String) throws {
        try Support.withTemporaryDirectory { directory in
            let keyFile = directory.appendingPathComponent("key.pem")
            let certificateFile = directory.appendingPathComponent("certificate.pem")
            let arguments = command.split(separator: " ").map(String.init)
            try Support.requireOpenSSL(
                arguments.map { $0 == "KEY" ? keyFile.path : $0 == "CERT" ? certificateFile.path : $0 }
            )
            let bytes = try Support.read(keyFile)
            #expect(PrivateKeyCoding.isEncrypted(bytes))

            let key = try PrivateKeyCoding.decode(bytes, password: "x")
            #expect(try Support.subjectPublicKeyInfo(of: key) == (try Support.opensslPublicKey(of: keyFile.path, password: "x")))
            #expect(try Support.signsValidCertificate(key))
            if arguments.contains("CERT") {
                let certificate = try Certificate(pemEncoded: String(decoding: try Support.read(certificateFile), as: UTF8.self))
                #expect(certificate.publicKey == key.publicKey)
            }
            let wrong = Support.expectCAError(.keyAccess) {
                _ = try PrivateKeyCoding.decode(bytes, password: "y")
            }
            #expect(wrong?.message == "wrong password for the private key")
        }
    }

    @Test("`openssl req -newkey` encrypts with PBES2 and des-ede3-cbc, which swift-ca reads")
    func reqUsesTripleDES() throws {
        try Support.withTemporaryDirectory { directory in
            let keyFile = directory.appendingPathComponent("ca.key")
            let certificateFile = directory.appendingPathComponent("ca.crt")
            try Support.requireOpenSSL([
                "req", "-x509", "-newkey", "rsa:2048", "-keyout", keyFile.path, "-out", certificateFile.path,
                "-subj", "/CN=test", "-passout", "pass:x",
            ])
            let info = try PrivateKeyCoding.EncryptedPrivateKeyInfo(
                derEncoded: try PEMDocument(pemString: String(decoding: try Support.read(keyFile), as: UTF8.self)).derBytes
            )
            let envelope = try PasswordBasedEncryption.envelope(of: info)
            #expect(envelope.cipher == .tripleDES)
            #expect(envelope.initializationVector.count == 8)

            let key = try PrivateKeyCoding.decode(try Support.read(keyFile), password: "x")
            let certificate = try Certificate(pemEncoded: String(decoding: try Support.read(certificateFile), as: UTF8.self))
            #expect(certificate.publicKey == key.publicKey)
        }
    }

    @Test("an EC key preceded by an EC PARAMETERS block is read")
    func ecParametersBlock() throws {
        try Support.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("ecparam.pem")
            try Support.requireOpenSSL(["ecparam", "-name", "prime256v1", "-genkey", "-out", file.path])
            let bytes = try Support.read(file)
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("-----BEGIN EC PARAMETERS-----"))
            let key = try PrivateKeyCoding.decode(bytes, password: nil)
            #expect(try Support.subjectPublicKeyInfo(of: key) == (try Support.opensslPublicKey(of: file.path)))
        }
    }

    // MARK: What swift-ca refuses

    @Test(
        "unsupported encryption schemes are named by their OID",
        arguments: [
            (["-v1", "PBE-SHA1-3DES"], "1.2.840.113549.1.12.1.3"),
            (["-scrypt"], "1.3.6.1.4.1.11591.4.11"),
            (["-v2", "camellia256"], "1.2.392.200011.61.1.1.1.4"),
        ]
    )
    func unsupportedEncryption(_ arguments: [String], objectIdentifier: String) throws {
        try Support.withTemporaryDirectory { directory in
            let generated = directory.appendingPathComponent("generated.pem")
            try Support.requireOpenSSL(["genpkey", "-algorithm", "ed25519", "-out", generated.path])
            let encrypted = directory.appendingPathComponent("encrypted.pem")
            try Support.requireOpenSSL(
                ["pkcs8", "-topk8", "-in", generated.path, "-out", encrypted.path, "-passout", "pass:x"] + arguments
            )
            let bytes = try Support.read(encrypted)
            #expect(PrivateKeyCoding.isEncrypted(bytes))
            let error = Support.expectCAError(.invalidInput) {
                _ = try PrivateKeyCoding.decode(bytes, password: "x")
            }
            #expect(error?.message.contains(objectIdentifier) == true, "\(error?.message ?? "")")
        }
    }

    @Test(
        "an unsupported cipher in traditional PEM encryption is named, before any password is asked for",
        arguments: [(["rsa", "-traditional", "-camellia256"], "CAMELLIA-256-CBC"), (["ec", "-aria128"], "ARIA-128-CBC")]
    )
    func unsupportedTraditionalCipher(_ arguments: [String], name: String) throws {
        try Support.withTemporaryDirectory { directory in
            let generated = directory.appendingPathComponent("generated.pem")
            let algorithm = arguments[0] == "rsa" ? OpenSSLKind.rsa : .p256
            try Support.requireOpenSSL(["genpkey"] + algorithm.generateArguments + ["-out", generated.path])
            let encrypted = directory.appendingPathComponent("encrypted.pem")
            try Support.requireOpenSSL(arguments + ["-in", generated.path, "-out", encrypted.path, "-passout", "pass:x"])
            let bytes = try Support.read(encrypted)
            #expect(String(decoding: bytes, as: UTF8.self).contains("DEK-Info: \(name),"))
            #expect(PrivateKeyCoding.isEncrypted(bytes))
            for password in ["x", nil] {
                let error = Support.expectCAError(.invalidInput) {
                    _ = try PrivateKeyCoding.decode(bytes, password: password)
                }
                #expect(error?.message.contains(name) == true, "\(error?.message ?? "")")
                #expect(error?.message.contains("openssl pkcs8 -topk8") == true)
            }
        }
    }

    @Test(
        "unsupported key types are named",
        arguments: [
            (["-algorithm", "ed448"], "1.3.101.113"),
            (["-algorithm", "x25519"], "1.3.101.110"),
            (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"], "1.3.132.0.10"),
            (["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"], "1.2.840.113549.1.1.10"),
        ]
    )
    func unsupportedKeyTypes(_ arguments: [String], objectIdentifier: String) throws {
        try Support.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("key.pem")
            try Support.requireOpenSSL(["genpkey"] + arguments + ["-out", file.path])
            let error = Support.expectCAError(.invalidInput) {
                _ = try PrivateKeyCoding.decode(try Support.read(file), password: nil)
            }
            #expect(error?.message.contains(objectIdentifier) == true, "\(error?.message ?? "")")
        }
    }

    @Test("RSA keys shorter than 2048 bits are a policy violation")
    func shortRSA() throws {
        try Support.withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("short.pem")
            try Support.requireOpenSSL(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", file.path])
            let error = Support.expectCAError(.policy) {
                _ = try PrivateKeyCoding.decode(try Support.read(file), password: nil)
            }
            #expect(error?.message.contains("1024") == true)
        }
    }
}
