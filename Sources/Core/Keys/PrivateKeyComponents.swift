import Foundation
import SwiftASN1
import X509

/// The numbers of a private key, for handing it to a token (PKCS#11 C_CreateObject takes them one attribute
/// each). Read from the key's own PKCS#8 encoding, so every key swift-ca can load can be moved into a token.
public enum PrivateKeyComponents: Sendable {
    /// RFC 8017 §A.1.2's RSAPrivateKey members, big-endian without leading zeros.
    case rsa(modulus: [UInt8], publicExponent: [UInt8], privateExponent: [UInt8], prime1: [UInt8], prime2: [UInt8],
             exponent1: [UInt8], exponent2: [UInt8], coefficient: [UInt8])
    /// The scalar, and the public point uncompressed (X9.63).
    case ec(curve: EllipticCurve, scalar: [UInt8], publicPoint: [UInt8])
    /// RFC 8410's 32-byte seed and the 32-byte public key.
    case ed25519(seed: [UInt8], publicKey: [UInt8])

    public init(_ key: Certificate.PrivateKey) throws {
        let info = try PrivateKeyCoding.PrivateKeyInfo(derEncoded: try PrivateKeyCoding.pkcs8DER(key))
        // swift-certificates gives the subjectPublicKey's content: the X9.63 point, or Ed25519's 32 bytes.
        let publicKeyBits = Array(key.publicKey.subjectPublicKeyInfoBytes)
        switch info.algorithm.algorithm {
        case PrivateKeyCoding.ObjectIdentifiers.rsaEncryption:
            let fields = try DER.sequence(try DER.parse(info.privateKey.bytes), identifier: .sequence) { nodes in
                try (0..<9).map { _ in try ArraySlice<UInt8>(derEncoded: &nodes) }
            }
            guard fields.count == 9 else { throw CAError(.invalidInput, "the RSA key is not a two-prime RSAPrivateKey") }
            let numbers = fields.map { Array($0.drop(while: { $0 == 0 })) }
            self = .rsa(
                modulus: numbers[1], publicExponent: numbers[2], privateExponent: numbers[3], prime1: numbers[4], prime2: numbers[5],
                exponent1: numbers[6], exponent2: numbers[7], coefficient: numbers[8])
        case PrivateKeyCoding.ObjectIdentifiers.ecPublicKey:
            guard let parameters = info.algorithm.parameters, let oid = try? ASN1ObjectIdentifier(asn1Any: parameters),
                let curve = [
                    PrivateKeyCoding.ObjectIdentifiers.secp256r1: EllipticCurve.secp256r1,
                    PrivateKeyCoding.ObjectIdentifiers.secp384r1: .secp384r1, PrivateKeyCoding.ObjectIdentifiers.secp521r1: .secp521r1,
                ][oid]
            else { throw CAError(.invalidInput, "the EC key's curve is not one swift-ca uses") }
            let sec1 = try PrivateKeyCoding.ECPrivateKey(derEncoded: info.privateKey.bytes)
            self = .ec(curve: curve, scalar: Array(sec1.privateKey.bytes), publicPoint: publicKeyBits)
        case PrivateKeyCoding.ObjectIdentifiers.ed25519:
            // The PKCS#8 privateKey of Ed25519 is itself an OCTET STRING holding the seed (RFC 8410 §7).
            let seed = try ASN1OctetString(derEncoded: info.privateKey.bytes)
            self = .ed25519(seed: Array(seed.bytes), publicKey: publicKeyBits)
        default:
            throw CAError(.invalidInput, "this key type cannot be moved into a token")
        }
    }
}
