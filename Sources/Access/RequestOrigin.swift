import CACore

/// Where a web or API request came from, for the audit log, login throttling and cookie flags.
public struct RequestOrigin: Sendable, Equatable {
    /// The peer's IP address (no port), or `unknown`.
    public var address: String
    /// The request arrived over TLS: session cookies are then marked Secure.
    public var secure: Bool

    public init(address: String, secure: Bool) {
        self.address = address
        self.secure = secure
    }

    /// The actor of changes made by `user` through this request.
    public func actor(_ user: String) -> AuditActor {
        AuditActor(name: user, source: address)
    }
}
