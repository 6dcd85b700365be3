import CACore

/// Private key files as `import-ca` and the key backends read them: PKCS#8, SEC1 and PKCS#1 in PEM or DER,
/// plain or encrypted (PBES2 PKCS#8, OpenSSL's traditional PEM encryption).
enum PrivateKeyTarget {
    /// The password of the encrypted seeds, so that mutations of them get past decryption.
    static let password = "fuzzing"

    @Sendable static func runUnencrypted(_ bytes: [UInt8]) {
        _ = try? PrivateKeyCoding.decode(bytes, password: nil)
    }

    @Sendable static func runEncrypted(_ bytes: [UInt8]) {
        _ = try? PrivateKeyCoding.decode(bytes, password: password)
        // django-ca's OCSP responder keys are encrypted under raw bytes, not text.
        _ = try? PrivateKeyCoding.decode(bytes, passwordBytes: Array(password.utf8))
    }
}
