import SwiftASN1
import X509

/// A PKCS#10 request reduced to what a CA uses from it: the public key and the proof that the requester
/// holds its private key. RFC 2986 §4:
///
/// ```
/// CertificationRequest ::= SEQUENCE { certificationRequestInfo CertificationRequestInfo,
///                                     signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
/// CertificationRequestInfo ::= SEQUENCE { version INTEGER { v1(0) }, subject Name,
///                                         subjectPKInfo SubjectPublicKeyInfo, attributes [0] Attributes }
/// ```
///
/// The subject and attributes are checked for their outer form only: swift-ca never copies them into a
/// certificate (the subject and extensions come from the CA's profile and the operator), and decoding them
/// cost as much as verifying the signature in bulk issuance.
public struct CertificationRequest: Sendable {
    /// The DER of certificationRequestInfo: the bytes the signature covers.
    public let signedBytes: ArraySlice<UInt8>
    /// SubjectPublicKeyInfo exactly as the requester encoded it.
    public let subjectPublicKeyInfo: ArraySlice<UInt8>
    public let publicKey: Certificate.PublicKey
    public let signatureAlgorithm: Certificate.SignatureAlgorithm
    public let signature: ArraySlice<UInt8>

    public init(derEncoded der: [UInt8]) throws {
        let root = try DER.parse(der)
        var parts = try Self.children(of: root, expecting: .sequence)
        guard parts.count == 3 else { throw ASN1Error.invalidASN1Object(reason: "CertificationRequest has \(parts.count) elements") }
        let information = parts[0]
        signedBytes = information.encodedBytes

        let fields = try Self.children(of: information, expecting: .sequence)
        guard fields.count == 4, try Int(derEncoded: fields[0]) == 0 else {
            throw ASN1Error.invalidASN1Object(reason: "CertificationRequestInfo is not a version 1 request")
        }
        guard fields[1].identifier == .sequence,
            fields[3].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
            case .constructed = fields[3].content
        else { throw ASN1Error.invalidASN1Object(reason: "CertificationRequestInfo has no subject or attributes") }
        subjectPublicKeyInfo = fields[2].encodedBytes
        publicKey = try Certificate.PublicKey(derEncoded: fields[2].encodedBytes)

        parts.removeFirst()
        let algorithm = try Self.children(of: parts[0], expecting: .sequence)
        guard let oidNode = algorithm.first else { throw ASN1Error.invalidASN1Object(reason: "empty AlgorithmIdentifier") }
        signatureAlgorithm = try Self.signatureAlgorithm(try ASN1ObjectIdentifier(derEncoded: oidNode))
        let bits = try ASN1BitString(derEncoded: parts[1])
        guard bits.paddingBits == 0 else { throw ASN1Error.invalidASN1Object(reason: "signature has unused bits") }
        signature = bits.bytes
    }

    /// True if the request was signed by the private key of the public key it carries.
    public var isSignedByItsKey: Bool {
        publicKey.isValidSignature(signature, for: signedBytes, signatureAlgorithm: signatureAlgorithm)
    }

    /// The size of an RSA key in a request that swift-crypto refuses to parse (it rejects RSA keys below
    /// 2048 bits), so that the user learns why the request was refused. nil if it is no such request.
    /// subjectPKInfo → subjectPublicKey (BIT STRING holding RSAPublicKey) → modulus.
    public static func rsaModulusBits(ofRequest der: [UInt8]) -> Int? {
        guard let root = try? DER.parse(der), let parts = try? children(of: root, expecting: .sequence),
            let information = parts.first, let fields = try? children(of: information, expecting: .sequence),
            fields.count >= 3, let keyInformation = try? children(of: fields[2], expecting: .sequence),
            let keyNode = keyInformation.last, let key = try? ASN1BitString(derEncoded: keyNode),
            let rsaKey = try? DER.parse(Array(key.bytes)), let numbers = try? children(of: rsaKey, expecting: .sequence),
            let modulusNode = numbers.first, case .primitive(let modulus) = modulusNode.content
        else { return nil }
        let significant = modulus.drop { $0 == 0 }
        guard let first = significant.first else { return nil }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    static func children(of node: ASN1Node, expecting identifier: ASN1Identifier) throws -> [ASN1Node] {
        guard node.identifier == identifier, case .constructed(let children) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        return Array(children)
    }

    /// The signature algorithms swift-ca accepts on requests. SHA-1 is refused: a collision could let a
    /// request prove possession of a key it does not hold.
    static func signatureAlgorithm(_ oid: ASN1ObjectIdentifier) throws -> Certificate.SignatureAlgorithm {
        switch oid {
        case [1, 2, 840, 10045, 4, 3, 2]: return .ecdsaWithSHA256
        case [1, 2, 840, 10045, 4, 3, 3]: return .ecdsaWithSHA384
        case [1, 2, 840, 10045, 4, 3, 4]: return .ecdsaWithSHA512
        case [1, 2, 840, 113549, 1, 1, 11]: return .sha256WithRSAEncryption
        case [1, 2, 840, 113549, 1, 1, 12]: return .sha384WithRSAEncryption
        case [1, 2, 840, 113549, 1, 1, 13]: return .sha512WithRSAEncryption
        case [1, 3, 101, 112]: return .ed25519
        default:
            throw CAError(
                .invalidInput,
                "the CSR is signed with algorithm \(oid), which swift-ca does not accept (use SHA-256 or better with RSA or ECDSA, or Ed25519)")
        }
    }
}
