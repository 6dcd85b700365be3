import Foundation

/// The credentials of an `Authorization` header (RFC 9110 section 11.6.2): `Bearer <API token>` (RFC 6750) or
/// `Basic <base64 of user:password>` (RFC 7617). The scheme is case-insensitive.
///
/// It is in Core, away from the access layer's store, so that a fuzz target reaches it.
package enum AuthorizationHeader: Sendable, Equatable {
    case bearer(token: String)
    case basic(name: String, password: String)

    package init(parsing header: String) throws {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { throw CAError(.unauthenticated, "the Authorization header is malformed") }
        let credentials = String(parts[1]).trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            self = .bearer(token: credentials)
        case "basic":
            // RFC 7617: the user name cannot contain a colon, the password can.
            guard let decoded = Data(base64Encoded: credentials).flatMap({ String(data: $0, encoding: .utf8) }),
                let colon = decoded.firstIndex(of: ":")
            else { throw CAError(.unauthenticated, "the Basic credentials are malformed") }
            self = .basic(name: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        default:
            throw CAError(.unauthenticated, "use Bearer with an API token or Basic with a user name and password")
        }
    }
}
