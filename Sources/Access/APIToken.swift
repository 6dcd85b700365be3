import CACore
import Crypto
import Foundation

/// An API token as given to its owner once: `sca_<id>_<secret>`. The id finds the row, the secret proves
/// possession; only SHA-256 of the secret is stored. The prefix lets secret scanners recognise leaked tokens.
public struct APIToken: Sendable, Equatable {
    public let id: String
    public let secret: String

    static let prefix = "sca_"

    /// A new token: a 48-bit id and a 256-bit secret from the system's secure random generator.
    static func generate() -> APIToken {
        var generator = SystemRandomNumberGenerator()
        let id = Hex.lower((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let secretBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return APIToken(id: id, secret: Base64URL.encode(secretBytes))
    }

    init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Reads a token as sent in `Authorization: Bearer`; nil if it does not have the token's shape.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let body = text.dropFirst(Self.prefix.count)
        guard let separator = body.firstIndex(of: "_") else { return nil }
        let id = body[..<separator]
        let secret = body[body.index(after: separator)...]
        guard id.count == 12, id.allSatisfy(\.isHexDigit), secret.count == 43,
            secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        self.id = String(id)
        self.secret = String(secret)
    }

    public var text: String { Self.prefix + id + "_" + secret }

    var secretHash: String { SecretDigest.hex(secret) }
}

/// SHA-256 in hex, for secrets that are random and long (tokens, session ids), where a slow hash adds nothing.
enum SecretDigest {
    static func hex(_ text: String) -> String {
        Hex.lower(SHA256.hash(data: Array(text.utf8)))
    }

    /// Compares without stopping at the first difference, so that timing tells nothing about the stored value.
    static func equal(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
