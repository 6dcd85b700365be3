import Crypto
import SwiftASN1
import X509
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads and writes private key files in the forms OpenSSL and django-ca use.
///
/// swift-ca always writes PKCS#8 ("PRIVATE KEY" or "ENCRYPTED PRIVATE KEY"), so that one parser reads every
/// key it stores. It reads PKCS#8 (plain or PBES2-encrypted), SEC1 ("EC PRIVATE KEY") and PKCS#1
/// ("RSA PRIVATE KEY"), each as PEM or DER, and OpenSSL's traditional PEM encryption of these, so that keys
/// made by other tools can be imported.
public enum PrivateKeyCoding {
    /// PBKDF2-HMAC-SHA256 rounds used when encrypting, following OWASP's 2023 recommendation.
    public static let defaultIterations = 600_000

    /// The unencrypted PKCS#8 DER encoding of a key.
    ///
    /// - Throws: `CAError(.invalidInput)` for a key that cannot leave its container (a hardware key).
    public static func pkcs8DER(_ key: Certificate.PrivateKey) throws -> [UInt8] {
        try SupportedPrivateKey(exporting: key).pkcs8DER()
    }

    /// The unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") of a key, with a final newline.
    ///
    /// swift-crypto's own `pemRepresentation` gives PKCS#1 for RSA; this gives PKCS#8 for every key type.
    ///
    /// - Throws: `CAError(.invalidInput)` for a key that cannot leave its container (a hardware key).
    public static func pkcs8PEM(_ key: Certificate.PrivateKey) throws -> String {
        PEMText.encode(type: PEMType.privateKey, der: try pkcs8DER(key)) + "\n"
    }

    /// The password-protected PKCS#8 PEM ("-----BEGIN ENCRYPTED PRIVATE KEY-----") of a key.
    ///
    /// The encryption is PBES2 with PBKDF2-HMAC-SHA256, a 16-byte random salt and AES-256-CBC with a random
    /// IV, the same as `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256`, so OpenSSL 1.1 and
    /// later, Python's cryptography and Java read it.
    ///
    /// - Parameters:
    ///   - key: The key to protect.
    ///   - password: The password; its UTF-8 bytes feed PBKDF2, as OpenSSL does on a UTF-8 terminal.
    ///   - iterations: PBKDF2 rounds. Tests lower it for speed; production code keeps the default.
    /// - Throws: `CAError(.invalidInput)` for an empty password, an iteration count out of range or a key
    ///   that cannot be exported.
    public static func encryptedPKCS8PEM(
        _ key: Certificate.PrivateKey,
        password: String,
        iterations: Int = defaultIterations
    ) throws -> String {
        guard !password.isEmpty else {
            throw CAError(.invalidInput, "an empty password cannot protect a private key")
        }
        let encrypted = try PasswordBasedEncryption.encrypt(try pkcs8DER(key), password: password, iterations: iterations)
        return PEMText.encode(type: PEMType.encryptedPrivateKey, der: encrypted) + "\n"
    }

    /// Reads a private key from a PEM or DER file's bytes.
    ///
    /// Accepted: PEM "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY" and "RSA PRIVATE KEY" (other
    /// PEM blocks in the same file, such as "EC PARAMETERS", are skipped), and the same structures as DER.
    /// Encrypted PKCS#8 must use PBES2 with PBKDF2 (PRF HMAC-SHA-1, -256, -384 or -512) and AES-CBC or
    /// DES-EDE3-CBC. Traditional PEM encryption ("Proc-Type: 4,ENCRYPTED") must use AES-128-CBC,
    /// AES-192-CBC, AES-256-CBC or DES-EDE3-CBC.
    ///
    /// - Parameters:
    ///   - data: The file's contents.
    ///   - password: The password of an encrypted key; ignored for an unencrypted one. Empty counts as none.
    /// - Throws: `CAError(.keyAccess)` for a missing or wrong password, `CAError(.policy)` for an RSA key
    ///   under 2048 bits, `CAError(.invalidInput)` for anything else that is not a usable key.
    public static func decode(_ data: [UInt8], password: String?) throws -> Certificate.PrivateKey {
        try decodeSupportedKey(data, password: password).certificateKey
    }

    /// Decodes a PKCS#8 key encrypted under a password of arbitrary bytes, as django-ca stores its OCSP responder
    /// keys (32 random bytes); an unencrypted key is returned as it is.
    public static func decode(_ data: [UInt8], passwordBytes: [UInt8]) throws -> Certificate.PrivateKey {
        guard case .encryptedPrivateKeyInfo(let der) = try container(of: data) else {
            return try decode(data, password: nil)
        }
        guard let info = try? EncryptedPrivateKeyInfo(derEncoded: der) else { throw notAKey }
        let plaintext = try PasswordBasedEncryption.decrypt(try PasswordBasedEncryption.envelope(of: info), passwordBytes: passwordBytes)
        guard let inner = try? PrivateKeyInfo(derEncoded: plaintext) else {
            throw CAError(.keyAccess, "wrong password for the private key")
        }
        return try key(from: inner).certificateKey
    }

    /// Whether the bytes hold a password-protected key (PKCS#8 encrypted or legacy PEM encryption).
    ///
    /// Returns `false` for bytes that are not a key at all; ``decode(_:password:)`` reports those.
    public static func isEncrypted(_ data: [UInt8]) -> Bool {
        switch try? container(of: data) {
        case .encryptedPrivateKeyInfo?, .legacyEncryptedPEM?: true
        default: false
        }
    }

    /// A short name of the file's format for messages, such as "encrypted PKCS#8", or `nil` if it is no key.
    static func formatDescription(of data: [UInt8]) -> String? {
        switch try? container(of: data) {
        case .privateKeyInfo?: "PKCS#8"
        case .encryptedPrivateKeyInfo?: "encrypted PKCS#8"
        case .ecPrivateKey?: "SEC1"
        case .rsaPrivateKey?: "PKCS#1"
        case .legacyEncryptedPEM?: "legacy encrypted PEM"
        case nil: nil
        }
    }
}

// MARK: - Recognising the container

extension PrivateKeyCoding {
    enum PEMType {
        static let privateKey = "PRIVATE KEY"
        static let encryptedPrivateKey = "ENCRYPTED PRIVATE KEY"
        static let ecPrivateKey = "EC PRIVATE KEY"
        static let rsaPrivateKey = "RSA PRIVATE KEY"
    }

    /// The outer structure of a key file, each case with the DER bytes of that structure.
    enum Container {
        case privateKeyInfo([UInt8])
        case encryptedPrivateKeyInfo([UInt8])
        case ecPrivateKey([UInt8])
        case rsaPrivateKey([UInt8])
        /// `Proc-Type: 4,ENCRYPTED` PEM (OpenSSL's pre-PKCS#8 encryption with an MD5-based KDF).
        case legacyEncryptedPEM(PEMBlock)

        /// The PEM label of an unencrypted structure, which a traditionally encrypted block's label must match.
        var unencryptedPEMLabel: String? {
            switch self {
            case .privateKeyInfo: PEMType.privateKey
            case .ecPrivateKey: PEMType.ecPrivateKey
            case .rsaPrivateKey: PEMType.rsaPrivateKey
            case .encryptedPrivateKeyInfo, .legacyEncryptedPEM: nil
            }
        }
    }

    static let notAKey = CAError(.invalidInput, "not a private key in PEM or DER form")

    static func container(of data: [UInt8]) throws -> Container {
        if data.firstRange(of: Array("-----BEGIN ".utf8)) != nil {
            return try pemContainer(String(decoding: data, as: UTF8.self))
        }
        return try derContainer(data)
    }

    private static func pemContainer(_ text: String) throws -> Container {
        // SwiftASN1's PEM parser refuses header lines, so traditionally encrypted blocks are found first.
        let keyLabels = [PEMType.privateKey, PEMType.encryptedPrivateKey, PEMType.ecPrivateKey, PEMType.rsaPrivateKey]
        if let block = PEMBlock.blocks(in: text).first(where: { keyLabels.contains($0.label) }),
            TraditionalPEMEncryption.labels.contains(block.label),
            TraditionalPEMEncryption.isEncrypted(block)
        {
            return .legacyEncryptedPEM(block)
        }
        guard let documents = try? PEMDocument.parseMultiple(pemString: text), !documents.isEmpty else {
            throw notAKey
        }
        for document in documents {
            switch document.discriminator {
            case PEMType.privateKey: return .privateKeyInfo(document.derBytes)
            case PEMType.encryptedPrivateKey: return .encryptedPrivateKeyInfo(document.derBytes)
            case PEMType.ecPrivateKey: return .ecPrivateKey(document.derBytes)
            case PEMType.rsaPrivateKey: return .rsaPrivateKey(document.derBytes)
            default: continue
            }
        }
        let found = documents.map { "\"\($0.discriminator)\"" }.joined(separator: ", ")
        throw CAError(.invalidInput, "not a private key in PEM or DER form: the PEM file holds only \(found)")
    }

    /// DER carries no label, so the four structures are told apart by the types of their first two fields.
    private static func derContainer(_ data: [UInt8]) throws -> Container {
        guard let root = try? DER.parse(data), root.identifier == .sequence,
            case .constructed(let children) = root.content
        else {
            throw notAKey
        }
        var fields = children.makeIterator()
        switch (fields.next()?.identifier, fields.next()?.identifier) {
        case (.sequence?, .octetString?): return .encryptedPrivateKeyInfo(data)
        case (.integer?, .sequence?): return .privateKeyInfo(data)
        case (.integer?, .octetString?): return .ecPrivateKey(data)
        case (.integer?, .integer?): return .rsaPrivateKey(data)
        default: throw notAKey
        }
    }
}

// MARK: - Decoding

extension PrivateKeyCoding {
    static func decodeSupportedKey(_ data: [UInt8], password: String?) throws -> SupportedPrivateKey {
        try supportedKey(in: try container(of: data), password: password)
    }

    private static func supportedKey(in container: Container, password: String?) throws -> SupportedPrivateKey {
        switch container {
        case .privateKeyInfo(let der):
            guard let info = try? PrivateKeyInfo(derEncoded: der) else {
                throw notAKey
            }
            return try key(from: info)

        case .encryptedPrivateKeyInfo(let der):
            guard let info = try? EncryptedPrivateKeyInfo(derEncoded: der) else {
                throw notAKey
            }
            let envelope = try PasswordBasedEncryption.envelope(of: info)
            guard let password, !password.isEmpty else {
                throw CAError(.keyAccess, "the private key is encrypted; give its password")
            }
            let plaintext = try PasswordBasedEncryption.decrypt(envelope, password: password)
            // A wrong password passes the padding check about once in 256 tries; the garbage then fails here.
            guard let inner = try? PrivateKeyInfo(derEncoded: plaintext) else {
                throw CAError(.keyAccess, "wrong password for the private key")
            }
            return try key(from: inner)

        case .ecPrivateKey(let der):
            guard let sec1 = try? ECPrivateKey(derEncoded: der) else {
                throw notAKey
            }
            guard let curve = sec1.curve else {
                throw damaged("the EC private key does not name its curve")
            }
            return try ecKey(curve: curve, scalar: sec1.privateKey.bytes)

        case .rsaPrivateKey(let der):
            return try rsaKey(pkcs1: der[...])

        case .legacyEncryptedPEM(let block):
            let envelope = try TraditionalPEMEncryption.envelope(of: block)
            guard let password, !password.isEmpty else {
                throw CAError(.keyAccess, "the private key is encrypted; give its password")
            }
            let plaintext = try TraditionalPEMEncryption.decrypt(envelope, password: password)
            // As above, garbage that passes the padding check must not be reported as a damaged key: the
            // plaintext has to be the DER structure that the block's label names.
            guard let inner = try? derContainer(plaintext), inner.unencryptedPEMLabel == block.label else {
                throw CAError(.keyAccess, "wrong password for the private key")
            }
            return try supportedKey(in: inner, password: nil)
        }
    }

    static func key(from info: PrivateKeyInfo) throws -> SupportedPrivateKey {
        switch info.algorithm.algorithm {
        case ObjectIdentifiers.rsaEncryption:
            return try rsaKey(pkcs1: info.privateKey.bytes)

        case ObjectIdentifiers.ecPublicKey:
            guard let parameters = info.algorithm.parameters,
                let curve = try? ASN1ObjectIdentifier(asn1Any: parameters)
            else {
                throw damaged("the EC private key does not name its curve")
            }
            guard let sec1 = try? ECPrivateKey(derEncoded: info.privateKey.bytes) else {
                throw damaged("invalid EC private key structure")
            }
            if let innerCurve = sec1.curve, innerCurve != curve {
                throw damaged("the EC private key names two different curves")
            }
            return try ecKey(curve: curve, scalar: sec1.privateKey.bytes)

        case ObjectIdentifiers.ed25519:
            // RFC 8410 wraps the 32 key bytes in a second OCTET STRING inside the PKCS#8 one.
            guard let raw = try? ASN1OctetString(derEncoded: info.privateKey.bytes), raw.bytes.count == 32,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.bytes)
            else {
                throw damaged("invalid Ed25519 private key")
            }
            return .ed25519(key)

        case let other:
            throw CAError(
                .invalidInput,
                "unsupported private key algorithm \(ObjectIdentifiers.describe(other)); "
                    + "swift-ca uses RSA, EC (secp256r1, secp384r1, secp521r1) and Ed25519 keys"
            )
        }
    }

    static func rsaKey(pkcs1: ArraySlice<UInt8>) throws -> SupportedPrivateKey {
        if let bits = rsaModulusBitCount(pkcs1: pkcs1), bits < 2048 {
            throw CAError(.policy, "the RSA key has \(bits) bits; at least 2048 are required")
        }
        guard let key = try? _RSA.Signing.PrivateKey(derRepresentation: pkcs1) else {
            throw damaged("invalid RSA private key")
        }
        return .rsa(key)
    }

    static func ecKey(curve: ASN1ObjectIdentifier, scalar: ArraySlice<UInt8>) throws -> SupportedPrivateKey {
        let scalarLength: Int
        switch curve {
        case ObjectIdentifiers.secp256r1: scalarLength = 32
        case ObjectIdentifiers.secp384r1: scalarLength = 48
        case ObjectIdentifiers.secp521r1: scalarLength = 66
        default:
            throw CAError(
                .invalidInput,
                "unsupported elliptic curve \(ObjectIdentifiers.describe(curve)); "
                    + "swift-ca uses secp256r1, secp384r1 and secp521r1"
            )
        }
        // RFC 5915 fixes the length, but some encoders drop leading zero bytes; swift-crypto wants them back.
        let significant = scalar.drop(while: { $0 == 0 })
        guard significant.count <= scalarLength else {
            throw damaged("the EC private key is too long for its curve")
        }
        let padded = [UInt8](repeating: 0, count: scalarLength - significant.count) + significant

        do {
            switch curve {
            case ObjectIdentifiers.secp256r1: return .p256(try P256.Signing.PrivateKey(rawRepresentation: padded))
            case ObjectIdentifiers.secp384r1: return .p384(try P384.Signing.PrivateKey(rawRepresentation: padded))
            default: return .p521(try P521.Signing.PrivateKey(rawRepresentation: padded))
            }
        } catch {
            throw damaged("the EC private key is not a valid scalar for its curve")
        }
    }

    static func damaged(_ reason: String) -> CAError {
        CAError(.invalidInput, "the private key is damaged: \(reason)")
    }
}

// MARK: - The key types handled

extension PrivateKeyCoding {
    /// The key types swift-ca reads and writes, holding swift-crypto's concrete key so that the PKCS#8
    /// encoding can be chosen per type; `Certificate.PrivateKey` does not expose its contents.
    enum SupportedPrivateKey {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)

        /// Recovers the concrete key by round-tripping through swift-certificates' PEM export, its only
        /// public way to reach the key material.
        init(exporting key: Certificate.PrivateKey) throws {
            let document: PEMDocument
            do {
                document = try key.serializeAsPEM()
            } catch {
                throw CAError(.invalidInput, "this private key cannot be exported (it is not held in memory): \(error)")
            }
            self = try PrivateKeyCoding.decodeSupportedKey(Array(document.pemString.utf8), password: nil)
        }

        var certificateKey: Certificate.PrivateKey {
            switch self {
            case .rsa(let key): Certificate.PrivateKey(key)
            case .p256(let key): Certificate.PrivateKey(key)
            case .p384(let key): Certificate.PrivateKey(key)
            case .p521(let key): Certificate.PrivateKey(key)
            case .ed25519(let key): Certificate.PrivateKey(key)
            }
        }

        func pkcs8DER() throws -> [UInt8] {
            switch self {
            case .rsa(let key):
                return Array(key.pkcs8DERRepresentation)
            case .p256(let key):
                return Array(key.derRepresentation)
            case .p384(let key):
                return Array(key.derRepresentation)
            case .p521(let key):
                return Array(key.derRepresentation)
            case .ed25519(let key):
                var inner = DER.Serializer()
                try inner.serialize(ASN1OctetString(contentBytes: Array(key.rawRepresentation)[...]))
                let info = PrivateKeyInfo(
                    algorithm: AlgorithmIdentifier(algorithm: ObjectIdentifiers.ed25519, parameters: nil),
                    privateKey: ASN1OctetString(contentBytes: inner.serializedBytes[...])
                )
                var outer = DER.Serializer()
                try outer.serialize(info)
                return outer.serializedBytes
            }
        }
    }
}
