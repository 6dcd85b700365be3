/// The one error type that crosses module boundaries in swift-ca.
///
/// Every failure a user can cause (bad input, unknown serial, wrong password, policy violation) is a
/// `CAError` whose `message` is a complete, single-line sentence fit to print after "error: ".
/// The `kind` lets front ends choose an exit code or an HTTP status without parsing the message.
public struct CAError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The value given (CSR, subject, name, option) cannot be used as written.
        case invalidInput
        /// No CA or certificate matches the identifier.
        case notFound
        /// More than one object matches the identifier.
        case ambiguous
        /// The request contradicts the current state (for example revoking twice).
        case conflict
        /// A private key cannot be read: missing file, wrong or missing password.
        case keyAccess
        /// The request is well formed but a rule of the CA forbids it (expiry, path length, key size).
        case policy
        /// The database or file system failed.
        case storage
        /// No valid credentials came with the request (HTTP 401).
        case unauthenticated
        /// The credentials are valid but lack the permission (HTTP 403).
        case forbidden
        /// Too many failed attempts; the caller must wait (HTTP 429).
        case rateLimited
    }

    public let kind: Kind
    public let message: String
    /// For `rateLimited`: whole seconds until the caller may try again, which HTTP sends as Retry-After.
    public let retryAfterSeconds: Int?

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
        self.retryAfterSeconds = nil
    }

    /// A refusal to try again before `retryAfterSeconds` have passed.
    public static func rateLimited(_ message: String, retryAfterSeconds: Int) -> CAError {
        CAError(kind: .rateLimited, message: message, retryAfterSeconds: retryAfterSeconds)
    }

    private init(kind: Kind, message: String, retryAfterSeconds: Int?) {
        self.kind = kind
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { message }
}

extension CAError.Kind {
    /// The one HTTP status for each kind, shared by the REST API, ACME and the web interface. Client mistakes
    /// (including what a CA's policy refuses, as django-ca answers) are 4xx; only a database failure and a key
    /// the server cannot use now are 5xx.
    public var httpStatus: Int {
        switch self {
        case .invalidInput, .ambiguous, .policy: return 400
        case .unauthenticated: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .conflict: return 409
        case .rateLimited: return 429
        case .storage: return 500
        case .keyAccess: return 503
        }
    }
}
