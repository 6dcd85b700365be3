import Crypto
import SwiftASN1
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// PBES2 (RFC 8018) with PBKDF2: the scheme OpenSSL 3 uses for "ENCRYPTED PRIVATE KEY" files.
///
/// Keys are written with AES-256-CBC. AES-CBC of any size and DES-EDE3-CBC are read, the latter because
/// OpenSSL 3.0 still uses it by default for `openssl req -newkey` and `openssl pkcs8 -topk8 -v2 des3`.
enum PasswordBasedEncryption {
    /// More PBKDF2 rounds than any tool writes by default (OpenSSL 2048, swift-ca and OWASP's recommendation
    /// 600,000), and few enough that one attempt stays near half a second (HMAC-SHA-512 in a release build).
    /// Ten million took seconds per attempt, so a crafted file could stall whoever reads it.
    static let maximumIterations = 1_000_000

    /// Encrypts a DER `PrivateKeyInfo` with PBKDF2-HMAC-SHA256 and AES-256-CBC and returns a DER
    /// `EncryptedPrivateKeyInfo`.
    static func encrypt(_ plaintext: [UInt8], password: String, iterations: Int) throws -> [UInt8] {
        guard (1...maximumIterations).contains(iterations) else {
            throw CAError(.invalidInput, "the PBKDF2 iteration count must be between 1 and \(maximumIterations), not \(iterations)")
        }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let initializationVector = AES._CBC.IV()
        let cipher = KeyFileCipher.aes256

        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8),
                salt: salt,
                using: .sha256,
                outputByteCount: cipher.keyByteCount,
                unsafeUncheckedRounds: iterations
            )
            let ciphertext = try AES._CBC.encrypt(plaintext, using: key, iv: initializationVector)

            // The PRF is written although HMAC-SHA256 is not the default: leaving it out would mean SHA-1.
            let keyDerivation = PrivateKeyCoding.PBKDF2Parameters(
                salt: ASN1OctetString(contentBytes: salt[...]),
                iterationCount: iterations,
                keyLength: nil,
                pseudoRandomFunction: PrivateKeyCoding.AlgorithmIdentifier(
                    algorithm: PrivateKeyCoding.ObjectIdentifiers.hmacWithSHA256,
                    parameters: try ASN1Any(erasing: ASN1Null())
                )
            )
            let parameters = PrivateKeyCoding.PBES2Parameters(
                keyDerivationFunction: PrivateKeyCoding.AlgorithmIdentifier(
                    algorithm: PrivateKeyCoding.ObjectIdentifiers.pbkdf2,
                    parameters: try ASN1Any(erasing: keyDerivation)
                ),
                encryptionScheme: PrivateKeyCoding.AlgorithmIdentifier(
                    algorithm: cipher.objectIdentifier,
                    parameters: try ASN1Any(erasing: ASN1OctetString(contentBytes: Array(initializationVector)[...]))
                )
            )
            let info = PrivateKeyCoding.EncryptedPrivateKeyInfo(
                encryptionAlgorithm: PrivateKeyCoding.AlgorithmIdentifier(
                    algorithm: PrivateKeyCoding.ObjectIdentifiers.pbes2,
                    parameters: try ASN1Any(erasing: parameters)
                ),
                encryptedData: ASN1OctetString(contentBytes: Array(ciphertext)[...])
            )
            var serializer = DER.Serializer()
            try serializer.serialize(info)
            return serializer.serializedBytes
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.keyAccess, "cannot encrypt the private key: \(error)")
        }
    }

    /// The parts of an `EncryptedPrivateKeyInfo` needed to decrypt it, checked before any password is asked
    /// for, so that an unsupported scheme is reported as such rather than as a missing password.
    struct Envelope {
        var salt: [UInt8]
        var iterations: Int
        var hashFunction: KDF.Insecure.PBKDF2.HashFunction
        var cipher: KeyFileCipher
        /// Checked to be one block of `cipher` long.
        var initializationVector: [UInt8]
        var ciphertext: [UInt8]
    }

    /// Reads the encryption parameters of a DER `EncryptedPrivateKeyInfo`.
    ///
    /// - Throws: `CAError(.invalidInput)` naming the object identifier of any scheme, key derivation function,
    ///   PRF or cipher this code does not implement, or describing the damage.
    static func envelope(of info: PrivateKeyCoding.EncryptedPrivateKeyInfo) throws -> Envelope {
        typealias Identifiers = PrivateKeyCoding.ObjectIdentifiers

        let scheme = info.encryptionAlgorithm
        guard scheme.algorithm == Identifiers.pbes2 else {
            throw unsupported("encryption scheme", scheme.algorithm)
        }
        let parameters: PrivateKeyCoding.PBES2Parameters
        do {
            guard let encoded = scheme.parameters else {
                throw ASN1Error.invalidASN1Object(reason: "missing PBES2 parameters")
            }
            parameters = try PrivateKeyCoding.PBES2Parameters(asn1Any: encoded)
        } catch {
            throw damaged("PBES2 parameters")
        }

        let keyDerivation = parameters.keyDerivationFunction
        guard keyDerivation.algorithm == Identifiers.pbkdf2 else {
            throw unsupported("key derivation function", keyDerivation.algorithm)
        }
        let pbkdf2: PrivateKeyCoding.PBKDF2Parameters
        do {
            guard let encoded = keyDerivation.parameters else {
                throw ASN1Error.invalidASN1Object(reason: "missing PBKDF2 parameters")
            }
            pbkdf2 = try PrivateKeyCoding.PBKDF2Parameters(asn1Any: encoded)
        } catch {
            throw damaged("PBKDF2 parameters")
        }
        guard (1...maximumIterations).contains(pbkdf2.iterationCount) else {
            throw CAError(
                .invalidInput,
                "the encrypted private key asks for \(pbkdf2.iterationCount) PBKDF2 iterations; at most \(maximumIterations) are accepted"
            )
        }

        // An absent PRF means HMAC-SHA-1 (RFC 8018), which is what `-v2prf hmacWithSHA1` writes.
        let pseudoRandomFunction = pbkdf2.pseudoRandomFunction?.algorithm ?? Identifiers.hmacWithSHA1
        let hashFunction: KDF.Insecure.PBKDF2.HashFunction
        switch pseudoRandomFunction {
        case Identifiers.hmacWithSHA1: hashFunction = .insecureSHA1
        case Identifiers.hmacWithSHA256: hashFunction = .sha256
        case Identifiers.hmacWithSHA384: hashFunction = .sha384
        case Identifiers.hmacWithSHA512: hashFunction = .sha512
        default: throw unsupported("PBKDF2 pseudo-random function", pseudoRandomFunction)
        }

        let encryption = parameters.encryptionScheme
        guard let cipher = KeyFileCipher(objectIdentifier: encryption.algorithm) else {
            throw unsupported("cipher", encryption.algorithm)
        }
        if let keyLength = pbkdf2.keyLength, keyLength != cipher.keyByteCount {
            throw damaged("PBKDF2 key length \(keyLength) for \(cipher)")
        }
        // Both AES-CBC and DES-EDE3-CBC take the IV as a bare OCTET STRING (RFC 8018 B.2.2, B.2.5).
        guard let encodedIV = encryption.parameters,
            let initializationVector = try? ASN1OctetString(asn1Any: encodedIV).bytes,
            initializationVector.count == cipher.blockByteCount
        else {
            throw damaged("\(cipher) initialization vector")
        }

        return Envelope(
            salt: Array(pbkdf2.salt.bytes),
            iterations: pbkdf2.iterationCount,
            hashFunction: hashFunction,
            cipher: cipher,
            initializationVector: Array(initializationVector),
            ciphertext: Array(info.encryptedData.bytes)
        )
    }

    /// Decrypts the envelope and returns the plaintext DER `PrivateKeyInfo`.
    ///
    /// - Throws: `CAError(.keyAccess, "wrong password for the private key")` when the padding does not check;
    ///   the caller must still parse the result, because a wrong key yields valid padding about once in 256.
    static func decrypt(_ envelope: Envelope, password: String) throws -> [UInt8] {
        try decrypt(envelope, passwordBytes: Array(password.utf8))
    }

    /// As above, for a password that is bytes rather than text (django-ca's OCSP responder keys).
    static func decrypt(_ envelope: Envelope, passwordBytes: [UInt8]) throws -> [UInt8] {
        let key: SymmetricKey
        do {
            key = try KDF.Insecure.PBKDF2.deriveKey(
                from: passwordBytes,
                salt: envelope.salt,
                using: envelope.hashFunction,
                outputByteCount: envelope.cipher.keyByteCount,
                unsafeUncheckedRounds: envelope.iterations
            )
        } catch {
            throw CAError(.keyAccess, "cannot derive the key-encryption key: \(error)")
        }
        do throws(KeyFileCipher.DecryptionFailure) {
            return try envelope.cipher.decrypt(
                envelope.ciphertext,
                key: key.withUnsafeBytes { Array($0) },
                initializationVector: envelope.initializationVector
            )
        } catch .wrongKey {
            throw CAError(.keyAccess, "wrong password for the private key")
        } catch .malformed(let what) {
            throw damaged(what)
        }
    }

    private static func unsupported(_ what: String, _ identifier: ASN1ObjectIdentifier) -> CAError {
        CAError(
            .invalidInput,
            "the private key is encrypted with an unsupported \(what) \(PrivateKeyCoding.ObjectIdentifiers.describe(identifier)); "
                + "re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
        )
    }

    private static func damaged(_ what: String) -> CAError {
        CAError(.invalidInput, "the encrypted private key is damaged: invalid \(what)")
    }
}
