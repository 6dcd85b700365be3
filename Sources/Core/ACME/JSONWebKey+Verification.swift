// RFC 7515 §5.2 step 8: "Validate the JWS Signature against the JWS Signing Input ASCII(BASE64URL(UTF8(JWS
// Protected Header)) || '.' || BASE64URL(JWS Payload)) in the manner defined for the algorithm being
// used, which MUST be accurately represented by the value of the "alg" (algorithm) Header Parameter".
//
// RFC 7518 §3.4, in short: an ES256 or ES384 signature is R and S as fixed-length big-endian octet strings
// (32 or 48 octets), concatenated in that order; not the DER SEQUENCE most ECDSA libraries produce.
// §3.3: RS256 is RSASSA-PKCS1-v1_5 with SHA-256. RFC 8037 §3.1: EdDSA is the 64-octet Ed25519 signature.

import Crypto
import _CryptoExtras

extension JSONWebKey {
    /// The algorithm that signs with this key; each key type has exactly one among ``JWSAlgorithm``.
    public var signatureAlgorithm: JWSAlgorithm {
        switch verifyingKey {
        case .p256: return .es256
        case .p384: return .es384
        case .rsa: return .rs256
        case .ed25519: return .edDSA
        }
    }

    /// Checks that `signature` signs `signingInput` with this key under `algorithm`.
    ///
    /// - Throws: `JWSError(.badSignatureAlgorithm)` when `algorithm` does not fit the key (ES384 with a
    ///   P-256 key, RS256 with an EC key, ...); `JWSError(.badSignature)` when the signature has the wrong
    ///   length or does not verify.
    public func verify(signature: [UInt8], over signingInput: [UInt8], algorithm: JWSAlgorithm) throws(JWSError) {
        // Letting the header choose how to use the key is the classic JOSE algorithm-confusion attack.
        guard algorithm == signatureAlgorithm else {
            throw JWSError(
                .badSignatureAlgorithm,
                "alg \(algorithm.rawValue) does not fit the \(self.algorithm) key; it signs with \(signatureAlgorithm.rawValue)")
        }
        let valid: Bool
        switch verifyingKey {
        case .p256(let key):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: try Self.fixedLength(signature, 64, algorithm)) else {
                throw JWSError(.badSignature, "the ES256 signature is not a valid r‖s pair")
            }
            valid = key.isValidSignature(ecdsa, for: signingInput)
        case .p384(let key):
            guard let ecdsa = try? P384.Signing.ECDSASignature(rawRepresentation: try Self.fixedLength(signature, 96, algorithm)) else {
                throw JWSError(.badSignature, "the ES384 signature is not a valid r‖s pair")
            }
            valid = key.isValidSignature(ecdsa, for: signingInput)
        case .rsa(let key):
            let modulusLength = (key.keySizeInBits + 7) / 8
            _ = try Self.fixedLength(signature, modulusLength, algorithm)
            // RS256 is PKCS #1 v1.5 by definition; swift-crypto's "insecure" steers new designs to PSS.
            valid = key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput, padding: .insecurePKCS1v1_5)
        case .ed25519(let key):
            valid = key.isValidSignature(try Self.fixedLength(signature, 64, algorithm), for: signingInput)
        }
        guard valid else {
            throw JWSError(.badSignature, "the JWS signature does not verify with the \(self.algorithm) key")
        }
    }

    /// `signature`, after checking it has the one length `algorithm` produces with this key.
    private static func fixedLength(_ signature: [UInt8], _ length: Int, _ algorithm: JWSAlgorithm) throws(JWSError) -> [UInt8] {
        guard signature.count == length else {
            throw JWSError(
                .badSignature, "an \(algorithm.rawValue) signature with this key is \(length) octets, not \(signature.count)")
        }
        return signature
    }
}
