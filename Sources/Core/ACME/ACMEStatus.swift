/// The states of ACME accounts, orders, authorizations and challenges (RFC 8555 §7.1.6), as stored and as sent.
public enum ACMEStatus: String, Sendable, Codable, CaseIterable {
    case pending, ready, processing, valid, invalid, deactivated, expired, revoked
}
