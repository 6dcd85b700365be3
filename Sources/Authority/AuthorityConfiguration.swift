import CACore

/// Per-CA settings kept as JSON in the `configuration` column: the templates for certificates it signs,
/// the signature hash it uses, and metadata later front ends read (ACME directory meta).
public struct AuthorityConfiguration: Sendable, Equatable, Codable {
    public var signTemplates = SignTemplates()
    /// nil: the hash that matches the CA key.
    public var signatureHash: SignatureHash?
    public var website: String?
    public var termsOfService: String?
    public var caaIdentity: String?
    /// The hostname the default URLs were derived from, if any.
    public var defaultHostname: String?

    public init() {}

    static func decode(_ json: String) throws -> AuthorityConfiguration {
        do {
            return try JSONDecoder().decode(AuthorityConfiguration.self, from: Data(json.utf8))
        } catch {
            throw CAError(.storage, "the stored configuration of a CA cannot be read: \(error)")
        }
    }

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

import Foundation
