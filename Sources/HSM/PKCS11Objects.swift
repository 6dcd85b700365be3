import CACore
import CPKCS11
import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Attribute templates: PKCS#11 takes pointers to values, so a template owns its values' bytes and hands out
/// `CK_ATTRIBUTE`s only for the duration of a call.
struct AttributeTemplate {
    private var entries: [(type: CK_ATTRIBUTE_TYPE, bytes: [UInt8])] = []

    mutating func add(_ type: UInt, _ bytes: [UInt8]) { entries.append((CK_ATTRIBUTE_TYPE(type), bytes)) }
    mutating func add(_ type: UInt, _ flag: Bool) { add(type, [flag ? 1 : 0]) }
    mutating func add(_ type: UInt, unsigned value: CK_ULONG) { add(type, withUnsafeBytes(of: value) { Array($0) }) }
    mutating func add(_ type: UInt, _ text: String) { add(type, Array(text.utf8)) }

    /// The template as `CK_ATTRIBUTE`s whose values live in buffers allocated for the call.
    func withAttributes<Result>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>, CK_ULONG) throws -> Result) rethrows -> Result {
        let buffers = entries.map { entry -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(entry.bytes.count, 1), alignment: 8)
            buffer.copyBytes(from: entry.bytes)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var attributes = zip(entries, buffers).map { entry, buffer in
            CK_ATTRIBUTE(type: entry.type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(entry.bytes.count))
        }
        return try attributes.withUnsafeMutableBufferPointer { try body($0.baseAddress!, CK_ULONG($0.count)) }
    }
}

/// The key types swift-ca keeps in a token, as django-ca names them (`key_type` in the key's location).
package enum TokenKeyType: String, Sendable, CaseIterable {
    case rsa = "RSA"
    case ec = "EC"
    case ed25519 = "Ed25519"
}

/// What the token holds for one CA key: where to find it and what it is.
struct TokenKey: Sendable, Hashable {
    var label: String
    /// CKA_ID, hex.
    var identifier: String
    var type: TokenKeyType
    var publicKey: Certificate.PublicKey
}

extension PKCS11Token {
    /// The DER of a named curve's OID, as CKA_EC_PARAMS takes it.
    static func curveParameters(_ curve: EllipticCurve) -> [UInt8] {
        switch curve {
        case .secp256r1: return [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        case .secp384r1: return [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
        case .secp521r1: return [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23]
        }
    }

    static let ed25519Parameters: [UInt8] = [0x06, 0x03, 0x2B, 0x65, 0x70]

    static func newIdentifier() -> [UInt8] {
        (0..<16).map { _ in UInt8.random(in: 0...255) }
    }

    /// What both halves of every CA key pair get: stored on the token, labelled, one CKA_ID; the private half signs
    /// and is sensitive and never extractable, the public half verifies.
    static func keyPairTemplates(label: String, identifier: [UInt8]) -> (public: AttributeTemplate, private: AttributeTemplate) {
        var common = AttributeTemplate()
        common.add(CKA_TOKEN, true)
        common.add(CKA_LABEL, label)
        common.add(CKA_ID, identifier)
        var publicTemplate = common
        var privateTemplate = common
        publicTemplate.add(CKA_VERIFY, true)
        privateTemplate.add(CKA_SIGN, true)
        privateTemplate.add(CKA_PRIVATE, true)
        privateTemplate.add(CKA_SENSITIVE, true)
        privateTemplate.add(CKA_EXTRACTABLE, false)
        return (publicTemplate, privateTemplate)
    }

    /// Generates a key pair inside the token: the private key sensitive and never extractable, both halves with
    /// the same label and a random CKA_ID. Refuses a label that is already taken.
    func generate(_ algorithm: KeyAlgorithm, label keyLabel: String) throws -> TokenKey {
        try withSession { session in
            guard try findObjects(session, label: keyLabel).isEmpty else {
                throw CAError(.conflict, "token \"\(label)\" already holds a key labelled \"\(keyLabel)\"")
            }
            let identifier = Self.newIdentifier()
            var (publicTemplate, privateTemplate) = Self.keyPairTemplates(label: keyLabel, identifier: identifier)
            let mechanismType: UInt
            let type: TokenKeyType
            switch algorithm {
            case .rsa(let bits):
                mechanismType = CKM_RSA_PKCS_KEY_PAIR_GEN
                type = .rsa
                publicTemplate.add(CKA_MODULUS_BITS, unsigned: CK_ULONG(bits))
                publicTemplate.add(CKA_PUBLIC_EXPONENT, [0x01, 0x00, 0x01])
            case .ec(let curve):
                mechanismType = CKM_EC_KEY_PAIR_GEN
                type = .ec
                publicTemplate.add(CKA_EC_PARAMS, Self.curveParameters(curve))
            case .ed25519:
                mechanismType = CKM_EC_EDWARDS_KEY_PAIR_GEN
                type = .ed25519
                publicTemplate.add(CKA_EC_PARAMS, Self.ed25519Parameters)
            }
            var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanismType), pParameter: nil, ulParameterLen: 0)
            var publicHandle: CK_OBJECT_HANDLE = 0
            var privateHandle: CK_OBJECT_HANDLE = 0
            try publicTemplate.withAttributes { publicAttributes, publicCount in
                try privateTemplate.withAttributes { privateAttributes, privateCount in
                    try library.check(
                        "C_GenerateKeyPair",
                        functions.C_GenerateKeyPair(
                            session, &mechanism, publicAttributes, publicCount, privateAttributes, privateCount, &publicHandle, &privateHandle))
                }
            }
            do {
                let publicKey = try readPublicKey(session, handle: publicHandle, type: type)
                return TokenKey(label: keyLabel, identifier: Hex.upper(identifier), type: type, publicKey: publicKey)
            } catch {
                _ = functions.C_DestroyObject(session, privateHandle)
                _ = functions.C_DestroyObject(session, publicHandle)
                throw error
            }
        }
    }

    /// Puts an existing key into the token (C_CreateObject for each half): the private half sensitive and never
    /// extractable from then on, both with `label` and a random CKA_ID. Refuses a label that is already taken.
    func store(_ components: PrivateKeyComponents, publicKey: Certificate.PublicKey, label keyLabel: String) throws -> TokenKey {
        try withSession { session in
            guard try findObjects(session, label: keyLabel).isEmpty else {
                throw CAError(.conflict, "token \"\(label)\" already holds a key labelled \"\(keyLabel)\"")
            }
            let identifier = Self.newIdentifier()
            var (publicTemplate, privateTemplate) = Self.keyPairTemplates(label: keyLabel, identifier: identifier)
            publicTemplate.add(CKA_CLASS, unsigned: CK_ULONG(CKO_PUBLIC_KEY))
            privateTemplate.add(CKA_CLASS, unsigned: CK_ULONG(CKO_PRIVATE_KEY))
            /// The attributes both halves carry.
            func both(_ add: (inout AttributeTemplate) -> Void) {
                add(&publicTemplate)
                add(&privateTemplate)
            }
            let type: TokenKeyType
            switch components {
            case .rsa(let modulus, let publicExponent, let privateExponent, let prime1, let prime2, let exponent1, let exponent2, let coefficient):
                type = .rsa
                both {
                    $0.add(CKA_KEY_TYPE, unsigned: CK_ULONG(CKK_RSA))
                    $0.add(CKA_MODULUS, modulus)
                    $0.add(CKA_PUBLIC_EXPONENT, publicExponent)
                }
                privateTemplate.add(CKA_PRIVATE_EXPONENT, privateExponent)
                privateTemplate.add(CKA_PRIME_1, prime1)
                privateTemplate.add(CKA_PRIME_2, prime2)
                privateTemplate.add(CKA_EXPONENT_1, exponent1)
                privateTemplate.add(CKA_EXPONENT_2, exponent2)
                privateTemplate.add(CKA_COEFFICIENT, coefficient)
            case .ec(let curve, let scalar, let point):
                type = .ec
                both {
                    $0.add(CKA_KEY_TYPE, unsigned: CK_ULONG(CKK_EC))
                    $0.add(CKA_EC_PARAMS, Self.curveParameters(curve))
                }
                publicTemplate.add(CKA_EC_POINT, DERBytes.tagged(0x04, point))
                privateTemplate.add(CKA_VALUE, scalar)
            case .ed25519(let seed, let publicKey):
                type = .ed25519
                both {
                    $0.add(CKA_KEY_TYPE, unsigned: CK_ULONG(CKK_EC_EDWARDS))
                    $0.add(CKA_EC_PARAMS, Self.ed25519Parameters)
                }
                publicTemplate.add(CKA_EC_POINT, DERBytes.tagged(0x04, publicKey))
                privateTemplate.add(CKA_VALUE, seed)
            }
            var publicHandle: CK_OBJECT_HANDLE = 0
            var privateHandle: CK_OBJECT_HANDLE = 0
            try publicTemplate.withAttributes { attributes, count in
                try library.check("C_CreateObject", functions.C_CreateObject(session, attributes, count, &publicHandle))
            }
            do {
                try privateTemplate.withAttributes { attributes, count in
                    try library.check("C_CreateObject", functions.C_CreateObject(session, attributes, count, &privateHandle))
                }
            } catch {
                _ = functions.C_DestroyObject(session, publicHandle)
                throw error
            }
            return TokenKey(label: keyLabel, identifier: Hex.upper(identifier), type: type, publicKey: publicKey)
        }
    }

    func findObjects(_ session: CK_SESSION_HANDLE, label keyLabel: String, identifier: [UInt8]? = nil, objectClass: UInt? = nil) throws
        -> [CK_OBJECT_HANDLE]
    {
        var template = AttributeTemplate()
        template.add(CKA_LABEL, keyLabel)
        if let identifier { template.add(CKA_ID, identifier) }
        if let objectClass { template.add(CKA_CLASS, unsigned: CK_ULONG(objectClass)) }
        try template.withAttributes { attributes, count in
            try library.check("C_FindObjectsInit", functions.C_FindObjectsInit(session, attributes, count))
        }
        defer { _ = functions.C_FindObjectsFinal(session) }
        var handles = [CK_OBJECT_HANDLE](repeating: 0, count: 16)
        var found: CK_ULONG = 0
        try library.check("C_FindObjects", functions.C_FindObjects(session, &handles, CK_ULONG(handles.count), &found))
        return Array(handles.prefix(Int(found)))
    }

    func attribute(_ session: CK_SESSION_HANDLE, handle: CK_OBJECT_HANDLE, _ type: UInt) throws -> [UInt8] {
        var query = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(type), pValue: nil, ulValueLen: 0)
        try library.check("C_GetAttributeValue", functions.C_GetAttributeValue(session, handle, &query, 1))
        var bytes = [UInt8](repeating: 0, count: Int(query.ulValueLen))
        try bytes.withUnsafeMutableBytes { buffer in
            query.pValue = buffer.baseAddress
            try library.check("C_GetAttributeValue", functions.C_GetAttributeValue(session, handle, &query, 1))
        }
        return Array(bytes.prefix(Int(query.ulValueLen)))
    }

    func readPublicKey(_ session: CK_SESSION_HANDLE, handle: CK_OBJECT_HANDLE, type: TokenKeyType) throws -> Certificate.PublicKey {
        try TokenAttributeDecoding.publicKey(type: type) { try attribute(session, handle: handle, $0) }
    }

    /// Finds a stored key pair by label and id (or by label alone, for keys named by convention such as OCSP
    /// responder keys); the public half gives the public key, and its CKA_KEY_TYPE the type when none is known.
    func find(label keyLabel: String, identifier: String?, type knownType: TokenKeyType?) throws -> TokenKey {
        try withSession { session in
            let id = identifier.flatMap(Hex.decode)
            guard let publicHandle = try findObjects(session, label: keyLabel, identifier: id, objectClass: CKO_PUBLIC_KEY).first,
                try !findObjects(session, label: keyLabel, identifier: id, objectClass: CKO_PRIVATE_KEY).isEmpty
            else {
                throw missingKey(keyLabel, identifier: identifier)
            }
            let type = try knownType ?? keyType(session, handle: publicHandle)
            let storedIdentifier = try identifier ?? Hex.upper(attribute(session, handle: publicHandle, CKA_ID))
            return TokenKey(
                label: keyLabel, identifier: storedIdentifier, type: type, publicKey: try readPublicKey(session, handle: publicHandle, type: type))
        }
    }

    func keyType(_ session: CK_SESSION_HANDLE, handle: CK_OBJECT_HANDLE) throws -> TokenKeyType {
        let bytes = try attribute(session, handle: handle, CKA_KEY_TYPE)
        let value = bytes.withUnsafeBytes { buffer in buffer.count == MemoryLayout<CK_ULONG>.size ? buffer.loadUnaligned(as: CK_ULONG.self) : nil }
        switch value.map(UInt.init) {
        case CKK_RSA: return .rsa
        case CKK_EC: return .ec
        case CKK_EC_EDWARDS: return .ed25519
        default: throw CAError(.keyAccess, "token \"\(label)\" holds a key of a type swift-ca does not use (CKA_KEY_TYPE \(bytes))")
        }
    }

    /// The error for a key the session does not see; a security officer sees no private keys at all.
    func missingKey(_ keyLabel: String, identifier: String?) -> CAError {
        if case .securityOfficer? = login {
            return CAError(
                .keyAccess,
                "token \"\(label)\" shows its security officer no private keys; only its user may use them, so give the user PIN instead of the SO PIN")
        }
        return CAError(.keyAccess, "token \"\(label)\" holds no key labelled \"\(keyLabel)\"\(identifier.map { " (id \($0))" } ?? "")")
    }

    /// The private half of a key, looked up once and then cached.
    func privateHandle(_ session: CK_SESSION_HANDLE, of key: TokenKey) throws -> CK_OBJECT_HANDLE {
        guard let handle = try findObjects(session, label: key.label, identifier: Hex.decode(key.identifier) ?? [], objectClass: CKO_PRIVATE_KEY).first
        else {
            throw missingKey(key.label, identifier: key.identifier)
        }
        cache(handle, of: key)
        return handle
    }

    /// Removes both halves of a key (rolling back a CA that could not be stored).
    func destroy(label keyLabel: String, identifier: String?) throws {
        try withSession { session in
            for handle in try findObjects(session, label: keyLabel, identifier: identifier.flatMap(Hex.decode)) {
                _ = functions.C_DestroyObject(session, handle)
            }
        }
    }

    /// Signs `data` with the private key: PKCS#1 v1.5 with the token hashing, ECDSA over a digest made here
    /// (r‖s from the token turned into DER), or EdDSA over the data.
    func sign(_ data: [UInt8], with key: TokenKey, algorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        let mechanismType: UInt
        var input = data
        switch (key.type, algorithm) {
        case (.rsa, .sha256WithRSAEncryption): mechanismType = CKM_SHA256_RSA_PKCS
        case (.rsa, .sha384WithRSAEncryption): mechanismType = CKM_SHA384_RSA_PKCS
        case (.rsa, .sha512WithRSAEncryption): mechanismType = CKM_SHA512_RSA_PKCS
        case (.ec, .ecdsaWithSHA256):
            mechanismType = CKM_ECDSA
            input = Array(SHA256.hash(data: data))
        case (.ec, .ecdsaWithSHA384):
            mechanismType = CKM_ECDSA
            input = Array(SHA384.hash(data: data))
        case (.ec, .ecdsaWithSHA512):
            mechanismType = CKM_ECDSA
            input = Array(SHA512.hash(data: data))
        case (.ed25519, .ed25519): mechanismType = CKM_EDDSA
        default: throw CAError(.policy, "a \(key.type.rawValue) key in a token cannot sign with \(algorithm)")
        }
        let raw: [UInt8] = try withSession { session in
            var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanismType), pParameter: nil, ulParameterLen: 0)
            var handle = try cachedHandle(of: key) ?? privateHandle(session, of: key)
            var started = functions.C_SignInit(session, &mechanism, handle)
            if started == CKR_KEY_HANDLE_INVALID || started == CKR_OBJECT_HANDLE_INVALID {
                // The key was deleted and made again under the same label and id: look it up once more.
                cache(nil, of: key)
                handle = try privateHandle(session, of: key)
                started = functions.C_SignInit(session, &mechanism, handle)
            }
            try library.check("C_SignInit", started)
            // Large enough for RSA-8192, so one C_Sign call suffices.
            var signature = [UInt8](repeating: 0, count: 1024)
            var length = CK_ULONG(signature.count)
            try library.check("C_Sign", functions.C_Sign(session, &input, CK_ULONG(input.count), &signature, &length))
            return Array(signature.prefix(Int(length)))
        }
        let bytes = key.type == .ec ? try TokenAttributeDecoding.ecdsaDER(raw) : raw
        return try Certificate.Signature(signatureAlgorithm: algorithm, signatureBytes: ASN1BitString(bytes: bytes[...]))
    }
}
