import Crypto
import X509
import _CryptoExtras

/// Creates fresh private keys for certificate authorities.
public enum KeyGenerator {
    /// The RSA modulus sizes the generator accepts, in bits.
    ///
    /// Below 2048 bits RSA no longer gives adequate security; above 8192 bits generation takes minutes and
    /// many clients refuse to verify the signatures.
    public static let rsaKeySizes: ClosedRange<Int> = 2048...8192

    /// Generates a new private key of the given algorithm.
    ///
    /// RSA sizes must lie in ``rsaKeySizes`` and be a multiple of 128, because BoringSSL silently rounds any
    /// other size down and the CA would then record a key size it does not have.
    ///
    /// - Parameter algorithm: The key type and size or curve.
    /// - Returns: A key ready to sign certificates.
    /// - Throws: `CAError(.policy)` for an RSA size outside the accepted range, `CAError(.keyAccess)` if the
    ///   system cannot produce a key.
    public static func generate(_ algorithm: KeyAlgorithm) throws -> Certificate.PrivateKey {
        switch algorithm {
        case .rsa(let bits):
            guard rsaKeySizes.contains(bits), bits % 128 == 0 else {
                throw CAError(
                    .policy,
                    "RSA keys must have between \(rsaKeySizes.lowerBound) and \(rsaKeySizes.upperBound) bits "
                        + "in steps of 128 (for example 2048, 3072 or 4096), not \(bits)"
                )
            }
            do {
                let key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
                return Certificate.PrivateKey(key)
            } catch {
                throw CAError(.keyAccess, "cannot generate an RSA \(bits) bit key: \(error)")
            }
        case .ec(.secp256r1):
            return Certificate.PrivateKey(P256.Signing.PrivateKey())
        case .ec(.secp384r1):
            return Certificate.PrivateKey(P384.Signing.PrivateKey())
        case .ec(.secp521r1):
            return Certificate.PrivateKey(P521.Signing.PrivateKey())
        case .ed25519:
            return Certificate.PrivateKey(Curve25519.Signing.PrivateKey())
        }
    }
}
