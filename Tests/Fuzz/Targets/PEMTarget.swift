import CACore

/// PEM framing as the key reader splits it: blocks, RFC 1421 headers (traditional encryption's DEK-Info) and
/// the base64 body; then the whole file through the key reader, which picks the key block.
enum PEMTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        for block in PEMBlock.blocks(in: bytes.lenientText) {
            _ = block.header("DEK-Info")
            _ = try? block.derBytes()
        }
        _ = PrivateKeyCoding.isEncrypted(bytes)
        _ = try? PrivateKeyCoding.decode(bytes, password: PrivateKeyTarget.password)
    }
}
