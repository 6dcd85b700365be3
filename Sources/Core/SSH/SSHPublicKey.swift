import Crypto
import Foundation
import X509
import _CryptoExtras

/// An OpenSSH public key (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4): its wire blob, and the text form of
/// authorized_keys and `.pub` files, `TYPE BASE64 [COMMENT]`. Ed25519, ECDSA on the NIST curves and RSA are
/// accepted; DSA, security-key types and certificates are refused.
public struct SSHPublicKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case ed25519
        case ecdsa(EllipticCurve)
        case rsa(bits: Int)
    }

    public let kind: Kind
    /// The whole blob: the type name, then the key's fields.
    public let blob: [UInt8]
    /// The key's fields after its type name, which a certificate repeats after its nonce.
    public let fields: [UInt8]

    public var typeName: String { Self.typeName(kind) }

    /// The type of a certificate for this key (PROTOCOL.certkeys); RSA keys have one whatever the CA signs with.
    public var certificateTypeName: String { typeName + "-cert-v01@openssh.com" }

    public var algorithm: KeyAlgorithm {
        switch kind {
        case .ed25519: return .ed25519
        case .ecdsa(let curve): return .ec(curve)
        case .rsa(let bits): return .rsa(bits: bits)
        }
    }

    /// `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// The one-line form of a `.pub` file.
    public func text(comment: String? = nil) -> String {
        [typeName, Data(blob).base64EncodedString(), comment].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func typeName(_ kind: Kind) -> String {
        switch kind {
        case .ed25519: return "ssh-ed25519"
        case .ecdsa(let curve): return "ecdsa-sha2-" + curveName(curve)
        case .rsa: return "ssh-rsa"
        }
    }

    static func curveName(_ curve: EllipticCurve) -> String {
        switch curve {
        case .secp256r1: return "nistp256"
        case .secp384r1: return "nistp384"
        case .secp521r1: return "nistp521"
        }
    }

    /// Reads the text form; the comment, if any, is ignored.
    public init(text: String) throws {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard parts.count >= 2, let blob = Data(base64Encoded: String(parts[1])) else {
            throw CAError(.invalidInput, "the public key is not in OpenSSH's form \"TYPE BASE64 [COMMENT]\" (as in id_ed25519.pub)")
        }
        try self.init(blob: Array(blob))
        guard typeName == parts[0] else {
            throw CAError(.invalidInput, "the public key says it is \(parts[0]), but its data is \(typeName)")
        }
    }

    public init(blob: [UInt8]) throws {
        var reader = SSHWireReader(blob, what: "the public key")
        let type = try reader.text()
        let fieldsStart = 4 + type.utf8.count
        switch type {
        case "ssh-ed25519":
            let point = try reader.string()
            guard (try? Curve25519.Signing.PublicKey(rawRepresentation: point)) != nil else {
                throw CAError(.invalidInput, "the Ed25519 public key is not 32 bytes")
            }
            kind = .ed25519
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
            let curveName = try reader.text()
            guard "ecdsa-sha2-" + curveName == type else { throw CAError(.invalidInput, "the ECDSA public key names curve \(curveName) inside \(type)") }
            let point = try reader.string()
            let valid: Bool
            let curve: EllipticCurve
            switch curveName {
            case "nistp256": curve = .secp256r1; valid = (try? P256.Signing.PublicKey(x963Representation: point)) != nil
            case "nistp384": curve = .secp384r1; valid = (try? P384.Signing.PublicKey(x963Representation: point)) != nil
            default: curve = .secp521r1; valid = (try? P521.Signing.PublicKey(x963Representation: point)) != nil
            }
            guard valid else { throw CAError(.invalidInput, "the ECDSA public key's point is not on \(curveName)") }
            kind = .ecdsa(curve)
        case "ssh-rsa":
            let exponent = try reader.unsignedMPInt()
            let modulus = try reader.unsignedMPInt()
            let bits = modulus.first.map { modulus.count * 8 - $0.leadingZeroBitCount } ?? 0
            // swift-crypto refuses keys under 2048 bits outright; those are reported by their size (CA_MIN_KEY_SIZE).
            guard bits < 2_048 || (try? _RSA.Signing.PublicKey(n: modulus, e: exponent)) != nil, !exponent.isEmpty, bits >= 512 else {
                throw CAError(.invalidInput, "the RSA public key is not valid")
            }
            kind = .rsa(bits: bits)
        case "ssh-dss":
            throw CAError(.invalidInput, "DSA keys (ssh-dss) are not accepted: OpenSSH disabled them; use Ed25519, ECDSA or RSA")
        case let other where other.hasSuffix("-cert-v01@openssh.com"):
            throw CAError(.invalidInput, "this is a certificate (\(other)), not a public key; give the .pub file of the key")
        default:
            throw CAError(.invalidInput, "public keys of type \(type) are not accepted (use Ed25519, ECDSA on P-256/384/521, or RSA)")
        }
        try reader.finish()
        self.blob = blob
        fields = Array(blob[fieldsStart...])
    }

    /// The public half of a CA key, in OpenSSH's form.
    public init(_ key: Certificate.PublicKey) throws {
        var writer = SSHWireWriter()
        if let ed25519 = Curve25519.Signing.PublicKey(key) {
            writer.string("ssh-ed25519")
            writer.string(Array(ed25519.rawRepresentation))
        } else if let p256 = P256.Signing.PublicKey(key) {
            Self.writeECDSA(&writer, "nistp256", Array(p256.x963Representation))
        } else if let p384 = P384.Signing.PublicKey(key) {
            Self.writeECDSA(&writer, "nistp384", Array(p384.x963Representation))
        } else if let p521 = P521.Signing.PublicKey(key) {
            Self.writeECDSA(&writer, "nistp521", Array(p521.x963Representation))
        } else if let rsa = _RSA.Signing.PublicKey(key) {
            let primitives = try rsa.getKeyPrimitives()
            writer.string("ssh-rsa")
            writer.mpint(unsigned: Array(primitives.publicExponent))
            writer.mpint(unsigned: Array(primitives.modulus))
        } else {
            throw CAError(.invalidInput, "the key type cannot be used for OpenSSH")
        }
        try self.init(blob: writer.bytes)
    }

    private static func writeECDSA(_ writer: inout SSHWireWriter, _ curve: String, _ point: [UInt8]) {
        writer.string("ecdsa-sha2-" + curve)
        writer.string(curve)
        writer.string(point)
    }
}
