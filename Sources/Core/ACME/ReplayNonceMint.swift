// RFC 8555 §6.5: "The server MUST generate the values provided in Replay-Nonce header fields in such a way
// that they are unique to each message, with high probability, and unpredictable to anyone besides the
// server." §6.5.1: the value is base64url.

import Crypto
import Foundation

/// Makes and checks anti-replay nonces that need no storage until they are used: each nonce carries its
/// expiry and random bits, authenticated with an HMAC under a secret all nodes share. Issuing a nonce
/// therefore costs no database write; only a nonce's single use is recorded, by whoever receives it.
///
/// Layout before base64url: expiry (8 octets, seconds since 1970, big-endian) ‖ 16 random octets ‖
/// the first 16 octets of HMAC-SHA256(secret, expiry ‖ random).
public struct ReplayNonceMint: Sendable {
    private let key: SymmetricKey
    static let randomCount = 16
    static let macCount = 16

    /// - Parameter secret: at least 32 octets, the same on every node that accepts another's nonces.
    public init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    public func make(expiresAt: Date) -> String {
        var body = withUnsafeBytes(of: UInt64(max(0, expiresAt.timeIntervalSince1970)).bigEndian) { Array($0) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<Self.randomCount { body.append(generator.next()) }
        return Base64URL.encode(body + mac(body))
    }

    /// The nonce's expiry when this mint made it; nil for anything else (wrong length, encoding or MAC).
    public func expiry(of nonce: String) -> Date? {
        guard let bytes = Base64URL.decode(nonce), bytes.count == 8 + Self.randomCount + Self.macCount else { return nil }
        let body = Array(bytes[0..<(8 + Self.randomCount)])
        let sent = bytes[(8 + Self.randomCount)...]
        // Compared in constant time, so that the MAC cannot be learnt byte by byte.
        var difference: UInt8 = 0
        for (expected, received) in zip(mac(body), sent) { difference |= expected ^ received }
        guard difference == 0 else { return nil }
        let seconds = body[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private func mac(_ body: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: body, using: key).prefix(Self.macCount))
    }
}
