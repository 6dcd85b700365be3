import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// OpenSSL's traditional PEM encryption, read so that keys from `openssl genrsa -des3`, `openssl rsa -aes256`
/// and `openssl ec -aes256` can be imported:
///
/// ```
/// -----BEGIN RSA PRIVATE KEY-----
/// Proc-Type: 4,ENCRYPTED
/// DEK-Info: AES-256-CBC,<initialization vector in hex>
///
/// <base64 of the encrypted PKCS#1, SEC1 or PKCS#8 DER>
/// -----END RSA PRIVATE KEY-----
/// ```
///
/// The key comes from `EVP_BytesToKey` with MD5, one iteration and the first 8 bytes of the IV as salt, so a
/// password is cheap to guess; swift-ca therefore never writes this format.
enum TraditionalPEMEncryption {
    /// The labels of blocks that may carry this encryption; the decrypted DER has the structure the label
    /// names.
    static let labels: Set<String> = [
        PrivateKeyCoding.PEMType.rsaPrivateKey,
        PrivateKeyCoding.PEMType.ecPrivateKey,
        PrivateKeyCoding.PEMType.privateKey,
    ]

    /// `EVP_BytesToKey` takes this much of the IV as its salt (OpenSSL's PKCS5_SALT_LEN).
    static let saltByteCount = 8

    /// Whether a block's headers say it is encrypted: "Proc-Type: 4,ENCRYPTED".
    static func isEncrypted(_ block: PEMBlock) -> Bool {
        guard let procType = block.header("Proc-Type") else {
            return false
        }
        let fields = procType.split(separator: ",").map(PEMBlock.trimmed)
        return fields.count == 2 && fields[0] == "4" && fields[1].uppercased() == "ENCRYPTED"
    }

    /// The parts needed to decrypt a block, checked before any password is asked for, so that an
    /// unsupported cipher is reported as such rather than as a missing password.
    struct Envelope {
        var cipher: KeyFileCipher
        /// One block of `cipher` long.
        var initializationVector: [UInt8]
        var ciphertext: [UInt8]
    }

    /// Reads the DEK-Info header and the body of an encrypted block.
    ///
    /// - Throws: `CAError(.invalidInput)` naming a cipher this code does not implement, or describing the damage.
    static func envelope(of block: PEMBlock) throws -> Envelope {
        guard let dekInfo = block.header("DEK-Info") else {
            throw damaged("the PEM block has no DEK-Info header")
        }
        let fields = dekInfo.split(separator: ",", maxSplits: 1).map(PEMBlock.trimmed)
        guard fields.count == 2, !fields[0].isEmpty else {
            throw damaged("invalid DEK-Info header \"\(dekInfo)\"")
        }
        guard let cipher = KeyFileCipher(pemName: fields[0]) else {
            throw CAError(
                .invalidInput,
                "the private key is encrypted with an unsupported cipher \(fields[0]) (DEK-Info header); "
                    + "re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
            )
        }
        guard let initializationVector = Hex.decode(fields[1]), initializationVector.count == cipher.blockByteCount else {
            throw damaged("invalid \(cipher) initialization vector in the DEK-Info header")
        }
        guard let ciphertext = try? block.derBytes(), !ciphertext.isEmpty else {
            throw damaged("the PEM body is not valid base64")
        }
        return Envelope(cipher: cipher, initializationVector: initializationVector, ciphertext: ciphertext)
    }

    /// Decrypts the envelope and returns the DER the block's label names.
    ///
    /// - Throws: `CAError(.keyAccess, "wrong password for the private key")` when the padding does not check;
    ///   the caller must still parse the result, because a wrong key yields valid padding about once in 256.
    static func decrypt(_ envelope: Envelope, password: String) throws -> [UInt8] {
        let key = deriveKey(
            password: Array(password.utf8),
            salt: envelope.initializationVector.prefix(saltByteCount),
            byteCount: envelope.cipher.keyByteCount
        )
        do throws(KeyFileCipher.DecryptionFailure) {
            return try envelope.cipher.decrypt(
                envelope.ciphertext,
                key: key,
                initializationVector: envelope.initializationVector
            )
        } catch .wrongKey {
            throw CAError(.keyAccess, "wrong password for the private key")
        } catch .malformed(let what) {
            throw damaged("invalid \(what)")
        }
    }

    /// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration: D1 = MD5(password || salt),
    /// Di = MD5(Di-1 || password || salt), concatenated and cut to `byteCount`.
    static func deriveKey(password: [UInt8], salt: ArraySlice<UInt8>, byteCount: Int) -> [UInt8] {
        var key: [UInt8] = []
        var previous: [UInt8] = []
        while key.count < byteCount {
            var hash = Insecure.MD5()
            hash.update(data: previous)
            hash.update(data: password)
            hash.update(data: salt)
            previous = Array(hash.finalize())
            key += previous
        }
        return Array(key.prefix(byteCount))
    }

    /// Bytes from hexadecimal digits of either case, or `nil` for an odd count or another character.
    private static func damaged(_ reason: String) -> CAError {
        CAError(.invalidInput, "the encrypted private key is damaged: \(reason)")
    }
}
