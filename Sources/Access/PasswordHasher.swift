import CACore
import HummingbirdBcrypt

/// bcrypt with the cost from CA_PASSWORD_HASH_COST. Passwords are checked here and never logged or stored.
public struct PasswordHasher: Sendable {
    public let cost: Int

    public init(cost: Int) {
        self.cost = cost
    }

    /// bcrypt reads at most 72 bytes; a longer password would be cut silently, so it is refused instead.
    public static let maximumLength = 72
    public static let minimumLength = 8

    public func hash(_ password: String) throws -> String {
        try Self.checkStrength(password)
        return Bcrypt.hash(password, cost: UInt8(cost))
    }

    public func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= Self.maximumLength, hash.hasPrefix("$2") else { return false }
        return Bcrypt.verify(password, hash: hash)
    }

    static func checkStrength(_ password: String) throws {
        let length = password.utf8.count
        guard length >= minimumLength else {
            throw CAError(.invalidInput, "the password is too short: use at least \(minimumLength) characters")
        }
        guard length <= maximumLength else {
            throw CAError(.invalidInput, "the password is too long: bcrypt uses at most \(maximumLength) bytes")
        }
    }
}
