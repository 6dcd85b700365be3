import CAHSM
import CPKCS11

/// What a PKCS#11 token returns about a key, which swift-ca decodes itself: the public key's attributes
/// (CKA_MODULUS and CKA_PUBLIC_EXPONENT, or CKA_EC_POINT) and raw ECDSA signatures.
///
/// Input layout: one byte picks the key type, two bytes give the length of the first attribute, then the first
/// attribute and the second (RSA: modulus then exponent; EC: point then an ECDSA signature).
enum PKCS11AttributesTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard bytes.count >= 3 else { return }
        let types = TokenKeyType.allCases
        let type = types[Int(bytes[0]) % types.count]
        let firstLength = min(Int(bytes[1]) << 8 | Int(bytes[2]), bytes.count - 3)
        let first = Array(bytes[3..<3 + firstLength])
        let second = Array(bytes[(3 + firstLength)...])
        _ = try? TokenAttributeDecoding.publicKey(type: type) { attribute in
            attribute == CKA_PUBLIC_EXPONENT ? second : first
        }
        _ = try? TokenAttributeDecoding.ecdsaDER(second)
    }
}
