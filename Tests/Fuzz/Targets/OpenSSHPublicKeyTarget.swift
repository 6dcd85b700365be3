import CACore

/// A user's OpenSSH public key (`id_ed25519.pub` text) as SSH certificate issuance reads it, and the wire-format
/// blob inside it on its own.
enum OpenSSHPublicKeyTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        if let key = try? SSHPublicKey(text: bytes.lenientText) {
            _ = key.text(comment: "fuzzing")
        }
        _ = try? SSHPublicKey(blob: bytes)
    }
}
