/// The key types swift-ca creates and accepts, as django-ca names them on the command line.
public enum KeyAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ec(EllipticCurve)
    case ed25519

    public var description: String {
        switch self {
        case .rsa(let bits): return "RSA \(bits) bit"
        case .ec(let curve): return "EC \(curve.rawValue)"
        case .ed25519: return "Ed25519"
        }
    }
}

/// Named curves by their SEC 2 names (django-ca's `--elliptic-curve` values); NIST aliases parse too.
public enum EllipticCurve: String, CaseIterable, Sendable, Hashable {
    case secp256r1
    case secp384r1
    case secp521r1

    public init?(name: String) {
        switch name.lowercased() {
        case "secp256r1", "p-256", "p256", "prime256v1": self = .secp256r1
        case "secp384r1", "p-384", "p384": self = .secp384r1
        case "secp521r1", "p-521", "p521": self = .secp521r1
        default: return nil
        }
    }
}
