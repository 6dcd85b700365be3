import Crypto
import SwiftASN1
import _CryptoExtras

/// The CBC ciphers that protect the key files swift-ca reads, all with PKCS#7 padding.
///
/// PBES2 names them by object identifier and traditional PEM encryption by name in its DEK-Info header; one
/// type serves both so that the two formats accept the same ciphers.
enum KeyFileCipher: CustomStringConvertible, Sendable {
    case aes128
    case aes192
    case aes256
    /// Three-key triple DES, read but never written: OpenSSL 3.0 still chooses it by default for
    /// `openssl req -newkey` and offers it as `genrsa -des3`.
    case tripleDES

    init?(objectIdentifier: ASN1ObjectIdentifier) {
        switch objectIdentifier {
        case PrivateKeyCoding.ObjectIdentifiers.aes128CBC: self = .aes128
        case PrivateKeyCoding.ObjectIdentifiers.aes192CBC: self = .aes192
        case PrivateKeyCoding.ObjectIdentifiers.aes256CBC: self = .aes256
        case PrivateKeyCoding.ObjectIdentifiers.desEDE3CBC: self = .tripleDES
        default: return nil
        }
    }

    /// Reads OpenSSL's cipher name from a DEK-Info header, such as "AES-256-CBC"; OpenSSL looks the name up
    /// without regard to case, so this does too.
    init?(pemName: some StringProtocol) {
        switch pemName.uppercased() {
        case "AES-128-CBC": self = .aes128
        case "AES-192-CBC": self = .aes192
        case "AES-256-CBC": self = .aes256
        case "DES-EDE3-CBC": self = .tripleDES
        default: return nil
        }
    }

    var objectIdentifier: ASN1ObjectIdentifier {
        switch self {
        case .aes128: PrivateKeyCoding.ObjectIdentifiers.aes128CBC
        case .aes192: PrivateKeyCoding.ObjectIdentifiers.aes192CBC
        case .aes256: PrivateKeyCoding.ObjectIdentifiers.aes256CBC
        case .tripleDES: PrivateKeyCoding.ObjectIdentifiers.desEDE3CBC
        }
    }

    var keyByteCount: Int {
        switch self {
        case .aes128: 16
        case .aes192, .tripleDES: 24
        case .aes256: 32
        }
    }

    /// The block size, which is also the length of the CBC initialization vector.
    var blockByteCount: Int {
        switch self {
        case .aes128, .aes192, .aes256: 16
        case .tripleDES: TripleDESCBC.blockByteCount
        }
    }

    /// OpenSSL's name, as it appears in DEK-Info headers.
    var description: String {
        switch self {
        case .aes128, .aes192, .aes256: "AES-\(keyByteCount * 8)-CBC"
        case .tripleDES: "DES-EDE3-CBC"
        }
    }

    enum DecryptionFailure: Error, Equatable {
        /// The input cannot be decrypted whatever the key, such as a ciphertext that is not whole blocks.
        case malformed(String)
        /// The padding does not check, which is what a wrong key almost always gives.
        case wrongKey
    }

    /// Decrypts CBC `ciphertext` and strips its PKCS#7 padding.
    func decrypt(_ ciphertext: [UInt8], key: [UInt8], initializationVector: [UInt8]) throws(DecryptionFailure) -> [UInt8] {
        guard key.count == keyByteCount else {
            throw .malformed("\(description) key of \(key.count) bytes")
        }
        guard initializationVector.count == blockByteCount else {
            throw .malformed("\(description) initialization vector of \(initializationVector.count) bytes")
        }
        guard !ciphertext.isEmpty, ciphertext.count % blockByteCount == 0 else {
            throw .malformed("\(description) ciphertext of \(ciphertext.count) bytes")
        }

        switch self {
        case .aes128, .aes192, .aes256:
            // The lengths are checked above, so the only failure left is the padding check.
            guard let iv = try? AES._CBC.IV(ivBytes: initializationVector),
                let plaintext = try? AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: iv)
            else {
                throw .wrongKey
            }
            return Array(plaintext)

        case .tripleDES:
            do throws(TripleDESCBC.Failure) {
                return try TripleDESCBC.decrypt(ciphertext, key: key, iv: initializationVector)
            } catch .badPadding {
                throw .wrongKey
            } catch {
                throw .malformed("\(description) input (\(error))")
            }
        }
    }
}
