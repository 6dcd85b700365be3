import CACore
import CAStore
import Foundation

/// Users, API tokens, web sessions and the checks every web page and API call goes through. The command
/// line manages users and tokens; the server authenticates with them. Changes are written to the audit log
/// in the transaction that makes them.
public final class AccessControl: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let settings: AccessSettings
    public let throttle: LoginThrottle
    /// Passwords bcrypt has accepted, by a digest of name and password, with the hash they matched, for a few
    /// seconds: an API client sending HTTP Basic with every request then costs one bcrypt per interval, not
    /// per request. Each request still reads the user, and a cached entry counts only while the user's stored
    /// hash is the one it matched, so a deleted user or a changed password is refused at once on every node.
    private let verifiedPasswords = LockedDictionary<String, VerifiedPassword>()
    /// Checks of a name and password under way, so that a client's concurrent first requests share one bcrypt and one
    /// counted attempt: each attempt counts against the throttle until it succeeds, and a client opening 16
    /// connections at once would otherwise lock itself out.
    private let loginsUnderWay = LockedDictionary<String, Task<(identity: Identity, passwordHash: String), any Error>>()
    private let dummyHash = LockedDictionary<Int, String>()
    static let cacheSeconds: TimeInterval = 10

    struct VerifiedPassword: Sendable {
        var passwordHash: String
        var until: Date
    }

    public init(store: Store, settings: AccessSettings) {
        self.store = store
        self.settings = settings
        self.hasher = PasswordHasher(cost: settings.passwordHashCost)
        self.throttle = LoginThrottle(store: store, limit: settings.loginAttempts, window: settings.loginLockoutSeconds)
    }

    // MARK: users

    public func createUser(name: String, password: String, role: Role) async throws -> UserRecord {
        try Self.checkUserName(name)
        let now = Date()
        let user = UserRecord(name: name, passwordHash: try hasher.hash(password), role: role, createdAt: now, passwordChangedAt: now)
        try await store.write { transaction in
            try await transaction.insertUser(user)
            try await transaction.audit("create-user", target: name, detail: "role \(role.rawValue)")
        }
        return user
    }

    public func users() async throws -> [UserRecord] {
        try await store.read { try await $0.allUsers() }
    }

    public func deleteUser(_ name: String) async throws {
        try await store.write { transaction in
            guard try await transaction.deleteUser(named: name) else { throw Self.unknownUser(name) }
            try await transaction.audit("delete-user", target: name, detail: "with its tokens and sessions")
        }
    }

    /// Replaces the password; the user's web sessions end.
    public func setPassword(_ name: String, password: String) async throws {
        let hash = try hasher.hash(password)
        try await store.write { transaction in
            guard try await transaction.changePassword(user: name, passwordHash: hash, at: Date()) else { throw Self.unknownUser(name) }
            try await transaction.audit("set-password", target: name, detail: "sessions ended")
        }
    }

    public func setRole(_ name: String, role: Role) async throws {
        try await store.write { transaction in
            guard try await transaction.changeRole(user: name, role: role) else { throw Self.unknownUser(name) }
            try await transaction.audit("set-role", target: name, detail: "role \(role.rawValue)")
        }
    }

    /// Django's rule for user names, so that names move between the two unchanged.
    static func checkUserName(_ name: String) throws {
        guard (1...150).contains(name.count),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "@.+-_".contains($0)) })
        else {
            throw CAError(
                .invalidInput, "\"\(name)\" is not a valid user name: use 1 to 150 letters, digits and @ . + - _")
        }
    }

    static func unknownUser(_ name: String) -> CAError {
        CAError(.notFound, "there is no user named \"\(name)\"")
    }

    // MARK: tokens

    /// Creates a token for `user`. The token's text is returned here only; it cannot be shown again.
    public func createToken(user: String, label: String, expiresDays: Int?) async throws -> (token: APIToken, record: TokenRecord) {
        if let expiresDays, expiresDays < 1 { throw CAError(.invalidInput, "--expires must be at least 1 day") }
        let token = APIToken.generate()
        let now = Date()
        let record = TokenRecord(
            id: token.id, userName: user, label: label, secretHash: token.secretHash, createdAt: now,
            expiresAt: expiresDays.map { now.addingTimeInterval(TimeInterval($0) * 86_400) })
        try await store.write { transaction in
            guard try await transaction.user(named: user) != nil else { throw Self.unknownUser(user) }
            try await transaction.insertToken(record)
            try await transaction.audit("create-token", target: user, detail: "token \(token.id) \"\(label)\"")
        }
        return (token, record)
    }

    public func tokens(user: String?) async throws -> [TokenRecord] {
        try await store.read { try await $0.tokens(user: user) }
    }

    public func deleteToken(_ id: String) async throws {
        try await store.write { transaction in
            guard let token = try await transaction.token(id: id), try await transaction.deleteToken(id: id) else {
                throw CAError(.notFound, "there is no API token with the id \(id)")
            }
            try await transaction.audit("delete-token", target: token.userName, detail: "token \(id)")
        }
    }

    // MARK: authentication

    /// Checks a user name and password (the login form, HTTP Basic). Attempts are counted per name and per
    /// address for the whole installation; a locked-out name or address is refused before bcrypt runs.
    public func login(name: String, password: String, source: String, recordSuccess: Bool = true) async throws -> Identity {
        try await verifyPassword(name: name, password: password, source: source, recordSuccess: recordSuccess).identity
    }

    private func verifyPassword(name: String, password: String, source: String, recordSuccess: Bool) async throws
        -> (identity: Identity, passwordHash: String)
    {
        let attempt = try await throttle.begin(userName: name, source: source)
        let user = try await store.read { try await $0.user(named: name) }
        // An unknown name costs a bcrypt too, so that response times do not tell which names exist.
        let valid = hasher.verify(password, hash: user?.passwordHash ?? dummyPasswordHash())
        guard let user, valid else {
            try await store.write { transaction in
                try await transaction.audit("login-failed", target: name, detail: "wrong user name or password", source: source)
            }
            throw CAError(.unauthenticated, "wrong user name or password")
        }
        try await store.write(durability: recordSuccess ? .everyCommit : .deferred) { transaction in
            try await throttle.succeeded(attempt, in: transaction)
            if recordSuccess { try await transaction.audit("login", target: name, detail: "", source: source, actor: name) }
        }
        return (Identity(name: user.name, role: user.role), user.passwordHash)
    }

    /// Authenticates an `Authorization` header: `Bearer <API token>` or `Basic <base64 user:password>`.
    public func authenticate(authorization header: String, source: String) async throws -> Identity {
        switch try AuthorizationHeader(parsing: header) {
        case .bearer(let token):
            return try await authenticate(token: token)
        case .basic(let name, let password):
            return try await authenticate(basicName: name, password: password, source: source)
        }
    }

    /// A token is checked against the database on every request (a SHA-256 and one read), so that a deleted
    /// token, or its deleted user, is refused at once on every node.
    func authenticate(token text: String) async throws -> Identity {
        guard let token = APIToken(parsing: text) else { throw CAError(.unauthenticated, "the API token is malformed") }
        let (record, user) = try await store.read { transaction -> (TokenRecord?, UserRecord?) in
            guard let record = try await transaction.token(id: token.id) else { return (nil, nil) }
            return (record, try await transaction.user(named: record.userName))
        }
        guard let record, SecretDigest.equal(record.secretHash, token.secretHash) else {
            throw CAError(.unauthenticated, "the API token is not valid")
        }
        if let expiresAt = record.expiresAt, expiresAt <= Date() { throw CAError(.unauthenticated, "the API token has expired") }
        guard let user else { throw CAError(.unauthenticated, "the API token's user no longer exists") }
        return Identity(name: user.name, role: user.role)
    }

    /// HTTP Basic: bcrypt runs once per `cacheSeconds` for a name and password, but the user is read on every
    /// request and the password counts only while it is still the user's.
    func authenticate(basicName name: String, password: String, source: String) async throws -> Identity {
        let cacheKey = SecretDigest.hex(name + "\u{0}" + password)
        let now = Date()
        let cached = verifiedPasswords.update(cacheKey) { entry -> String? in
            guard let current = entry, current.until > now else {
                entry = nil
                return nil
            }
            return current.passwordHash
        }
        if let cached, let user = try await store.read({ try await $0.user(named: name) }), user.passwordHash == cached {
            return Identity(name: user.name, role: user.role)
        }
        let check = loginsUnderWay.update(cacheKey) { entry in
            if let underWay = entry { return underWay }
            let started = Task { try await self.verifyPassword(name: name, password: password, source: source, recordSuccess: false) }
            entry = started
            return started
        }
        let verified: (identity: Identity, passwordHash: String)
        do {
            verified = try await check.value
            loginsUnderWay.update(cacheKey) { $0 = nil }
        } catch {
            loginsUnderWay.update(cacheKey) { $0 = nil }
            throw error
        }
        let until = now.addingTimeInterval(Self.cacheSeconds)
        verifiedPasswords.update(cacheKey) { $0 = VerifiedPassword(passwordHash: verified.passwordHash, until: until) }
        // Keeps the cache from growing with every distinct credential ever seen.
        if Int.random(in: 0..<256) == 0 { verifiedPasswords.removeAll { $1.until <= now } }
        return verified.identity
    }

    private func dummyPasswordHash() -> String {
        dummyHash.update(hasher.cost) { value in
            if value == nil { value = try? hasher.hash("not a password of anyone") }
            return value ?? ""
        }
    }

    // MARK: web sessions

    /// A new session for a user who just logged in. The cookie value is returned once; the database keeps
    /// only its SHA-256.
    public func startSession(for identity: Identity, source: String) async throws -> (cookie: String, session: SessionRecord) {
        let cookie = SecretDigest.randomToken()
        let now = Date()
        let session = SessionRecord(
            idHash: SecretDigest.hex(cookie), userName: identity.name, csrfToken: SecretDigest.randomToken(), source: source,
            createdAt: now, expiresAt: now.addingTimeInterval(settings.sessionSeconds))
        try await store.write { transaction in try await transaction.insertSession(session) }
        return (cookie, session)
    }

    /// The session and its user for a cookie value; nil when unknown, expired, or the user is gone.
    public func session(cookie: String) async throws -> (identity: Identity, session: SessionRecord)? {
        guard cookie.count == 43 else { return nil }
        guard let session = try await store.read({ try await $0.session(idHash: SecretDigest.hex(cookie)) }), session.expiresAt > Date() else { return nil }
        guard let user = try await store.read({ try await $0.user(named: session.userName) }) else { return nil }
        return (Identity(name: user.name, role: user.role), session)
    }

    public func endSession(cookie: String) async throws {
        try await store.write { transaction in try await transaction.deleteSession(idHash: SecretDigest.hex(cookie)) }
    }

    /// Compares a submitted CSRF token with the session's.
    public static func validCSRF(_ submitted: String?, session: SessionRecord) -> Bool {
        guard let submitted else { return false }
        return SecretDigest.equal(submitted, session.csrfToken)
    }

    // MARK: audit

    public func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await store.read { try await $0.auditEntries(filter) }
    }
}
