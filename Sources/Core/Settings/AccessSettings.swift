import Foundation

/// Settings of the web interface and the REST API.
public struct AccessSettings: Sendable, Equatable {
    /// CA_ENABLE_REST_API: serve `/api/`. Off, as in django-ca: an installation that never meant to offer the
    /// API has no API surface to attack. Each CA must also be enabled with `--api-enable`.
    public var restAPIEnabled = false
    /// CA_ENABLE_WEB_UI: serve the administration pages at `/admin/`.
    public var webInterfaceEnabled = true
    /// CA_PASSWORD_HASH_COST: bcrypt's cost; each step doubles the work of a login (12: about 0.25 s).
    public var passwordHashCost = 12
    /// CA_SESSION_SECONDS: a web session ends this long after login, whatever its activity.
    public var sessionSeconds: TimeInterval = 8 * 3_600
    /// CA_LOGIN_ATTEMPTS: failed logins per user name, and per address, before further attempts are refused.
    public var loginAttempts = 5
    /// CA_LOGIN_LOCKOUT_SECONDS: how long the failures count, and so how long a lockout lasts.
    public var loginLockoutSeconds: TimeInterval = 900

    public init() {}
}
