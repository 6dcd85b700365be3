import Crypto
import X509
import _CryptoExtras

extension KeyAlgorithm {
    /// The algorithm of a certificate's or CSR's public key; nil for types swift-ca does not accept.
    public init?(publicKey: Certificate.PublicKey) {
        if P256.Signing.PublicKey(publicKey) != nil {
            self = .ec(.secp256r1)
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = .ec(.secp384r1)
        } else if P521.Signing.PublicKey(publicKey) != nil {
            self = .ec(.secp521r1)
        } else if Curve25519.Signing.PublicKey(publicKey) != nil {
            self = .ed25519
        } else if let rsa = _RSA.Signing.PublicKey(publicKey) {
            self = .rsa(bits: rsa.keySizeInBits)
        } else {
            return nil
        }
    }

    public var isRSA: Bool {
        if case .rsa = self { return true }
        return false
    }

    /// RSA keys below `minimumBits` are refused (CA_MIN_KEY_SIZE); other types are always strong enough.
    public func checkStrength(minimumRSABits: Int, what: String) throws {
        if case .rsa(let bits) = self, bits < minimumRSABits {
            throw CAError(.policy, "\(what) is an RSA key of \(bits) bits; CA_MIN_KEY_SIZE requires at least \(minimumRSABits)")
        }
    }
}
