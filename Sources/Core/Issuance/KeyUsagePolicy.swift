import X509

/// Which key usage bits RFC 5280 allows for a certificate's key type.
///
/// django-ca's profiles set keyEncipherment and keyAgreement regardless of the key, which pkilint reports
/// as errors. swift-ca drops what cannot apply when it comes from a profile, and refuses it when a user asks
/// for it explicitly:
/// - EC keys: no keyEncipherment, no dataEncipherment (RFC 8813 §3; ECDSA keys cannot encrypt).
/// - Ed25519 keys: only digitalSignature, nonRepudiation, keyCertSign, cRLSign (RFC 8410 §5).
/// - RSA keys: no keyAgreement, encipherOnly, decipherOnly (RFC 4055 §1.2; RSA does no key agreement).
public enum KeyUsagePolicy {
    public static func forbiddenNames(for key: KeyAlgorithm) -> Set<String> {
        switch key {
        case .ec: return ["keyEncipherment", "dataEncipherment"]
        case .ed25519: return ["keyEncipherment", "dataEncipherment", "keyAgreement", "encipherOnly", "decipherOnly"]
        case .rsa: return ["keyAgreement", "encipherOnly", "decipherOnly"]
        }
    }

    /// The usable subset of a profile's usages for `key`.
    public static func filter(_ usage: KeyUsage, for key: KeyAlgorithm) -> KeyUsage {
        var result = usage
        switch key {
        case .ec:
            result.keyEncipherment = false
            result.dataEncipherment = false
        case .ed25519:
            result.keyEncipherment = false
            result.dataEncipherment = false
            result.keyAgreement = false
            result.encipherOnly = false
            result.decipherOnly = false
        case .rsa:
            result.keyAgreement = false
            result.encipherOnly = false
            result.decipherOnly = false
        }
        return result
    }

    /// Throws if a usage the user asked for explicitly cannot apply to `key`.
    public static func check(_ usage: KeyUsage, for key: KeyAlgorithm) throws {
        let allowed = filter(usage, for: key)
        guard allowed != usage else { return }
        let requested = Set(KeyUsageName.names(of: usage))
        let refused = requested.subtracting(KeyUsageName.names(of: allowed)).sorted()
        throw CAError(
            .policy,
            "key usage \(refused.joined(separator: ", ")) cannot be used with \(key) keys (RFC 5280 and its key-type profiles)")
    }
}
