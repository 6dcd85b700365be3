import Foundation

/// How swift-ca sends mail (expiry notifications): Django's EMAIL_* settings under a CA_ prefix.
public struct EmailSettings: Sendable, Equatable {
    /// CA_EMAIL_HOST; nil means no mail is sent (and the server's notification job does not run).
    public var host: String?
    /// CA_EMAIL_PORT; nil means 465 with implicit TLS, else 25 (Django's default).
    public var port: Int?
    public var user: String?
    public var password: SecretText?
    /// CA_EMAIL_USE_TLS: upgrade a plain connection with STARTTLS (RFC 3207), or fail.
    public var useSTARTTLS = false
    /// CA_EMAIL_USE_SSL: TLS from the first byte (SMTPS, RFC 8314).
    public var useImplicitTLS = false
    /// CA_EMAIL_FROM; required once a host is set.
    public var from: EmailAddress?
    /// CA_EMAIL_TLS_CA_FILE: PEM certificates trusted instead of the system's trust store.
    public var tlsCAFile: String?
    /// CA_EMAIL_TIMEOUT: the limit for one whole SMTP exchange, connecting included, in seconds.
    public var timeout: TimeInterval = 30

    public init() {}

    public var effectivePort: Int { port ?? (useImplicitTLS ? 465 : 25) }
}

/// A value that must never be printed or logged: every way Swift shows a value shows a placeholder.
public struct SecretText: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "(hidden)" }
    public var debugDescription: String { "(hidden)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
