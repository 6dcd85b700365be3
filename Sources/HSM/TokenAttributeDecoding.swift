import CACore
import CPKCS11
import Crypto
import SwiftASN1
import X509
import _CryptoExtras

/// Turns what a token returns (attribute values, signatures) into swift-crypto's types. Apart from the session
/// so that the fuzz targets can feed it bytes no token would send.
package enum TokenAttributeDecoding {
    /// The public key from the attributes of the token's public key object.
    package static func publicKey(type: TokenKeyType, attribute: (UInt) throws -> [UInt8]) throws -> Certificate.PublicKey {
        switch type {
        case .rsa:
            let modulus = try attribute(CKA_MODULUS)
            let exponent = try attribute(CKA_PUBLIC_EXPONENT)
            return Certificate.PublicKey(try _RSA.Signing.PublicKey(n: modulus, e: exponent))
        case .ec, .ed25519:
            // CKA_EC_POINT is the point wrapped in a DER OCTET STRING.
            let wrapped = try attribute(CKA_EC_POINT)
            let point = try ASN1OctetString(derEncoded: wrapped).bytes
            if type == .ed25519 { return Certificate.PublicKey(try Curve25519.Signing.PublicKey(rawRepresentation: point)) }
            switch point.count {
            case 65: return Certificate.PublicKey(try P256.Signing.PublicKey(x963Representation: point))
            case 97: return Certificate.PublicKey(try P384.Signing.PublicKey(x963Representation: point))
            case 133: return Certificate.PublicKey(try P521.Signing.PublicKey(x963Representation: point))
            default: throw CAError(.keyAccess, "the token returned an EC point of \(point.count) bytes")
            }
        }
    }

    /// r‖s from the token as RFC 3279's Ecdsa-Sig-Value, through swift-crypto's signature types.
    package static func ecdsaDER(_ raw: [UInt8]) throws -> [UInt8] {
        switch raw.count {
        case 64: return Array(try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
        case 96: return Array(try P384.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
        case 132: return Array(try P521.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
        default: throw CAError(.keyAccess, "the token returned an ECDSA signature of \(raw.count) bytes")
        }
    }
}
