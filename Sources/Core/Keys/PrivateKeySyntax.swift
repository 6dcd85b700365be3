import SwiftASN1

// ASN.1 structures of private key files (RFC 5208, RFC 5958, RFC 8018, RFC 5915, RFC 8017).
// They are nested in `PrivateKeyCoding` so that their common names cannot clash with other parts of CACore.

extension PrivateKeyCoding {
    /// Object identifiers that appear in private key files.
    enum ObjectIdentifiers {
        static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
        static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

        static let secp256r1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
        static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
        static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]

        static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 13]
        static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 12]
        static let hmacWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 7]
        static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 9]
        static let hmacWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 10]
        static let hmacWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 11]
        static let aes128CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 2]
        static let aes192CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 22]
        static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
        static let desEDE3CBC: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 3, 7]

        /// Readable names for identifiers a user may meet in an error message, so that the message says
        /// more than a row of digits.
        static let names: [ASN1ObjectIdentifier: String] = [
            rsaEncryption: "rsaEncryption",
            ecPublicKey: "ecPublicKey",
            ed25519: "Ed25519",
            [1, 3, 101, 113]: "Ed448",
            [1, 3, 101, 110]: "X25519",
            [1, 3, 101, 111]: "X448",
            [1, 2, 840, 113_549, 1, 1, 10]: "RSASSA-PSS",
            [1, 2, 840, 10040, 4, 1]: "DSA",
            [1, 2, 840, 10046, 2, 1]: "Diffie-Hellman",
            [1, 3, 132, 0, 10]: "secp256k1",
            [1, 3, 36, 3, 3, 2, 8, 1, 1, 7]: "brainpoolP256r1",
            [1, 2, 840, 113_549, 1, 5, 3]: "pbeWithMD5AndDES-CBC",
            [1, 2, 840, 113_549, 1, 5, 10]: "pbeWithSHA1AndDES-CBC",
            [1, 2, 840, 113_549, 1, 12, 1, 3]: "pbeWithSHAAnd3-KeyTripleDES-CBC",
            [1, 2, 840, 113_549, 1, 12, 1, 6]: "pbeWithSHAAnd40BitRC2-CBC",
            [1, 3, 6, 1, 4, 1, 11591, 4, 11]: "scrypt",
            desEDE3CBC: "des-ede3-cbc",
            [1, 3, 14, 3, 2, 7]: "des-cbc",
            [1, 2, 840, 113_549, 2, 8]: "hmacWithSHA224",
            [1, 2, 840, 113_549, 2, 5]: "hmacWithMD5",
            [1, 2, 392, 200_011, 61, 1, 1, 1, 2]: "camellia128-cbc",
            [1, 2, 392, 200_011, 61, 1, 1, 1, 4]: "camellia256-cbc",
            [1, 2, 410, 200_004, 1, 4]: "seed-cbc",
            [1, 2, 643, 7, 1, 1, 1, 1]: "GOST R 34.10-2012",
        ]

        /// "1.2.3 (name)" for known identifiers, "1.2.3" otherwise.
        static func describe(_ identifier: ASN1ObjectIdentifier) -> String {
            if let name = names[identifier] {
                return "\(identifier) (\(name))"
            }
            return "\(identifier)"
        }
    }

    /// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`
    struct AlgorithmIdentifier: DERImplicitlyTaggable, Hashable, Sendable {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var algorithm: ASN1ObjectIdentifier
        var parameters: ASN1Any?

        init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any?) {
            self.algorithm = algorithm
            self.parameters = parameters
        }

        init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
                let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
                return AlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
            }
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            try coder.appendConstructedNode(identifier: identifier) { coder in
                try coder.serialize(algorithm)
                if let parameters {
                    try coder.serialize(parameters)
                }
            }
        }
    }

    /// `PrivateKeyInfo` (RFC 5208) and its successor `OneAsymmetricKey` (RFC 5958): version, algorithm,
    /// private key octets, then optional attributes `[0]` and public key `[1]`, which are not needed here.
    struct PrivateKeyInfo: DERImplicitlyTaggable, Sendable {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var algorithm: AlgorithmIdentifier
        var privateKey: ASN1OctetString

        init(algorithm: AlgorithmIdentifier, privateKey: ASN1OctetString) {
            self.algorithm = algorithm
            self.privateKey = privateKey
        }

        init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                let version = try Int(derEncoded: &nodes)
                guard version == 0 || version == 1 else {
                    throw ASN1Error.invalidASN1Object(reason: "PKCS#8 version \(version)")
                }
                let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
                let privateKey = try ASN1OctetString(derEncoded: &nodes)
                while nodes.next() != nil {}
                return PrivateKeyInfo(algorithm: algorithm, privateKey: privateKey)
            }
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            try coder.appendConstructedNode(identifier: identifier) { coder in
                try coder.serialize(0)
                try coder.serialize(algorithm)
                try coder.serialize(privateKey)
            }
        }
    }

    /// `EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }`
    struct EncryptedPrivateKeyInfo: DERImplicitlyTaggable, Sendable {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var encryptionAlgorithm: AlgorithmIdentifier
        var encryptedData: ASN1OctetString

        init(encryptionAlgorithm: AlgorithmIdentifier, encryptedData: ASN1OctetString) {
            self.encryptionAlgorithm = encryptionAlgorithm
            self.encryptedData = encryptedData
        }

        init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                EncryptedPrivateKeyInfo(
                    encryptionAlgorithm: try AlgorithmIdentifier(derEncoded: &nodes),
                    encryptedData: try ASN1OctetString(derEncoded: &nodes)
                )
            }
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            try coder.appendConstructedNode(identifier: identifier) { coder in
                try coder.serialize(encryptionAlgorithm)
                try coder.serialize(encryptedData)
            }
        }
    }

    /// `PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }`
    struct PBES2Parameters: DERImplicitlyTaggable, Sendable {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var keyDerivationFunction: AlgorithmIdentifier
        var encryptionScheme: AlgorithmIdentifier

        init(keyDerivationFunction: AlgorithmIdentifier, encryptionScheme: AlgorithmIdentifier) {
            self.keyDerivationFunction = keyDerivationFunction
            self.encryptionScheme = encryptionScheme
        }

        init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                PBES2Parameters(
                    keyDerivationFunction: try AlgorithmIdentifier(derEncoded: &nodes),
                    encryptionScheme: try AlgorithmIdentifier(derEncoded: &nodes)
                )
            }
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            try coder.appendConstructedNode(identifier: identifier) { coder in
                try coder.serialize(keyDerivationFunction)
                try coder.serialize(encryptionScheme)
            }
        }
    }

    /// ```
    /// PBKDF2-params ::= SEQUENCE {
    ///     salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
    ///     iterationCount INTEGER (1..MAX),
    ///     keyLength INTEGER (1..MAX) OPTIONAL,
    ///     prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
    /// ```
    struct PBKDF2Parameters: DERImplicitlyTaggable, Sendable {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var salt: ASN1OctetString
        var iterationCount: Int
        var keyLength: Int?
        /// `nil` when the field is absent, which means HMAC-SHA-1.
        var pseudoRandomFunction: AlgorithmIdentifier?

        init(salt: ASN1OctetString, iterationCount: Int, keyLength: Int?, pseudoRandomFunction: AlgorithmIdentifier?) {
            self.salt = salt
            self.iterationCount = iterationCount
            self.keyLength = keyLength
            self.pseudoRandomFunction = pseudoRandomFunction
        }

        init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                // A salt given as `otherSource` fails here; no tool in use writes one.
                let salt = try ASN1OctetString(derEncoded: &nodes)
                let iterationCount = try Int(derEncoded: &nodes)
                var keyLength: Int?
                var pseudoRandomFunction: AlgorithmIdentifier?
                // Both trailing fields are optional, so look at the tag before parsing. A PRF written out
                // although it is the default is tolerated: some encoders do that and it is harmless.
                while let node = nodes.next() {
                    switch node.identifier {
                    case .integer where keyLength == nil && pseudoRandomFunction == nil:
                        keyLength = try Int(derEncoded: node)
                    case .sequence where pseudoRandomFunction == nil:
                        pseudoRandomFunction = try AlgorithmIdentifier(derEncoded: node)
                    default:
                        throw ASN1Error.unexpectedFieldType(node.identifier)
                    }
                }
                return PBKDF2Parameters(
                    salt: salt,
                    iterationCount: iterationCount,
                    keyLength: keyLength,
                    pseudoRandomFunction: pseudoRandomFunction
                )
            }
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            try coder.appendConstructedNode(identifier: identifier) { coder in
                try coder.serialize(salt)
                try coder.serialize(iterationCount)
                if let keyLength {
                    try coder.serialize(keyLength)
                }
                if let pseudoRandomFunction {
                    try coder.serialize(pseudoRandomFunction)
                }
            }
        }
    }

    /// `ECPrivateKey` (RFC 5915, "SEC1"): version 1, the private scalar, then optional curve `[0]` and
    /// public key `[1]`.
    struct ECPrivateKey: DERImplicitlyTaggable, Sendable {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var privateKey: ASN1OctetString
        var curve: ASN1ObjectIdentifier?

        init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
            self = try DER.sequence(rootNode, identifier: identifier) { nodes in
                let version = try Int(derEncoded: &nodes)
                guard version == 1 else {
                    throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey version \(version)")
                }
                let privateKey = try ASN1OctetString(derEncoded: &nodes)
                let curve = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try ASN1ObjectIdentifier(derEncoded: $0)
                }
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                    try ASN1BitString(derEncoded: $0)
                }
                return ECPrivateKey(privateKey: privateKey, curve: curve)
            }
        }

        private init(privateKey: ASN1OctetString, curve: ASN1ObjectIdentifier?) {
            self.privateKey = privateKey
            self.curve = curve
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            // Never written: keys are always stored as PKCS#8.
            throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey is only read")
        }
    }

    /// The modulus size of a PKCS#1 `RSAPrivateKey ::= SEQUENCE { version, modulus INTEGER, ... }`, read
    /// ahead of swift-crypto so that a short key is reported as a policy violation, not as damage.
    static func rsaModulusBitCount(pkcs1 bytes: ArraySlice<UInt8>) -> Int? {
        guard let root = try? DER.parse(bytes), case .constructed(let children) = root.content else {
            return nil
        }
        var nodes = children.makeIterator()
        guard nodes.next()?.identifier == .integer,
            let modulus = nodes.next(), modulus.identifier == .integer,
            case .primitive(let modulusBytes) = modulus.content
        else {
            return nil
        }
        let significant = modulusBytes.drop(while: { $0 == 0 })
        guard let leading = significant.first else {
            return 0
        }
        return (significant.count - 1) * 8 + (UInt8.bitWidth - leading.leadingZeroBitCount)
    }
}
