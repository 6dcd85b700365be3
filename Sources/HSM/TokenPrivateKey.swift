import CACore
import Foundation
import SwiftASN1
import X509

/// A CA key that stays in its token: swift-certificates signs certificates, CRLs and OCSP responses through it
/// like any other key, and every signature is a C_Sign on a session of the token's pool.
struct TokenPrivateKey: CustomPrivateKey {
    let token: PKCS11Token
    let key: TokenKey

    var publicKey: Certificate.PublicKey { key.publicKey }

    var defaultSignatureAlgorithm: Certificate.SignatureAlgorithm { supportedSignatureAlgorithms[0] }

    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] {
        switch key.type {
        case .rsa: return [.sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption]
        case .ec: return [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512]
        case .ed25519: return [.ed25519]
        }
    }

    func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        try token.sign(Array(bytes), with: key, algorithm: signatureAlgorithm)
    }

    /// A key in a token has no DER or PEM form: it never leaves the token.
    func serialize(into coder: inout DER.Serializer) throws {
        throw CAError(.keyAccess, "the key \"\(key.label)\" stays in token \"\(token.label)\" and cannot be written out")
    }

    init(token: PKCS11Token, key: TokenKey) {
        self.token = token
        self.key = key
    }

    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    static func == (lhs: TokenPrivateKey, rhs: TokenPrivateKey) -> Bool {
        lhs.token === rhs.token && lhs.key == rhs.key
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(token))
        hasher.combine(key)
    }
}
