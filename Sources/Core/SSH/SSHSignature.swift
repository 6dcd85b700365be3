import Crypto
import X509

/// An OpenSSH signature blob (RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332 §3, RFC 8709 §6): `string algorithm,
/// string signature`, made with a CA key through swift-certificates, so a key in a token signs too.
public enum SSHSignature {
    /// The algorithm name OpenSSH expects for a CA key of `kind`: RSA CAs sign with rsa-sha2-512.
    public static func algorithmName(_ kind: SSHPublicKey.Kind) -> String {
        switch kind {
        case .rsa: return "rsa-sha2-512"
        default: return SSHPublicKey.typeName(kind)
        }
    }

    public static func sign(_ data: [UInt8], with key: Certificate.PrivateKey, kind: SSHPublicKey.Kind) throws -> [UInt8] {
        let algorithm: Certificate.SignatureAlgorithm
        switch kind {
        case .ed25519: algorithm = .ed25519
        case .ecdsa(.secp256r1): algorithm = .ecdsaWithSHA256
        case .ecdsa(.secp384r1): algorithm = .ecdsaWithSHA384
        case .ecdsa(.secp521r1): algorithm = .ecdsaWithSHA512
        case .rsa: algorithm = .sha512WithRSAEncryption
        }
        let raw: [UInt8]
        do {
            raw = try key.sign(bytes: data, signatureAlgorithm: algorithm).rawRepresentation
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.keyAccess, "the SSH CA key could not sign: \(error)")
        }
        var signature = SSHWireWriter()
        signature.string(algorithmName(kind))
        switch kind {
        case .ed25519, .rsa:
            signature.string(raw)
        case .ecdsa(let curve):
            // X.509 carries ECDSA signatures as DER; OpenSSH as two mpints.
            let pair: [UInt8]
            switch curve {
            case .secp256r1: pair = Array(try P256.Signing.ECDSASignature(derRepresentation: raw).rawRepresentation)
            case .secp384r1: pair = Array(try P384.Signing.ECDSASignature(derRepresentation: raw).rawRepresentation)
            case .secp521r1: pair = Array(try P521.Signing.ECDSASignature(derRepresentation: raw).rawRepresentation)
            }
            var integers = SSHWireWriter()
            integers.mpint(unsigned: pair[..<(pair.count / 2)])
            integers.mpint(unsigned: pair[(pair.count / 2)...])
            signature.string(integers.bytes)
        }
        return signature.bytes
    }
}
