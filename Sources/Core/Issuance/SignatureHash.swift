import X509

/// The hash in the signature algorithm (`--algorithm`). Ed25519 signs without a separate hash.
public enum SignatureHash: String, CaseIterable, Sendable, Codable {
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    /// Accepts django-ca's spelling (`SHA-256`) and the common variants (`sha256`, `SHA256`).
    public init(name: String) throws {
        let compact = name.uppercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        switch compact {
        case "SHA256": self = .sha256
        case "SHA384": self = .sha384
        case "SHA512": self = .sha512
        default:
            throw CAError(.invalidInput, "unsupported signature hash algorithm \"\(name)\"; use SHA-256, SHA-384 or SHA-512")
        }
    }

    /// The hash that matches a key's strength (P-384 with SHA-384, ...). django-ca defaults to SHA-512
    /// everywhere; matching the key keeps certificates within the CA/Browser Forum's allowed pairs.
    public static func matching(_ key: KeyAlgorithm) -> SignatureHash? {
        switch key {
        case .rsa: return .sha256
        case .ec(.secp256r1): return .sha256
        case .ec(.secp384r1): return .sha384
        case .ec(.secp521r1): return .sha512
        case .ed25519: return nil
        }
    }

    /// The signature algorithm a key of `signer` type produces with this hash (nil hash for Ed25519).
    public static func signatureAlgorithm(
        for signer: KeyAlgorithm, hash: SignatureHash?
    ) throws -> Certificate.SignatureAlgorithm {
        switch (signer, hash) {
        case (.ed25519, nil): return .ed25519
        case (.ed25519, .some):
            throw CAError(.invalidInput, "Ed25519 keys sign without a separate hash; do not give --algorithm")
        case (_, nil):
            return try signatureAlgorithm(for: signer, hash: matching(signer))
        case (.rsa, .sha256?): return .sha256WithRSAEncryption
        case (.rsa, .sha384?): return .sha384WithRSAEncryption
        case (.rsa, .sha512?): return .sha512WithRSAEncryption
        case (.ec, .sha256?): return .ecdsaWithSHA256
        case (.ec, .sha384?): return .ecdsaWithSHA384
        case (.ec, .sha512?): return .ecdsaWithSHA512
        }
    }

    /// The hash inside a signature algorithm, for re-signing with "the same algorithm".
    public init?(_ algorithm: Certificate.SignatureAlgorithm) {
        switch algorithm {
        case .sha256WithRSAEncryption, .ecdsaWithSHA256: self = .sha256
        case .sha384WithRSAEncryption, .ecdsaWithSHA384: self = .sha384
        case .sha512WithRSAEncryption, .ecdsaWithSHA512: self = .sha512
        default: return nil
        }
    }
}
