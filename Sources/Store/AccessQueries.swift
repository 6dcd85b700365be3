import CACore
import Foundation
import SQLKit

/// A person or program that signs in to the web interface or calls the REST API.
public struct UserRecord: Sendable, Equatable {
    public var name: String
    /// bcrypt (`$2b$…`); never shown.
    public var passwordHash: String
    public var role: Role
    public var createdAt: Date
    /// Sessions and cached logins older than this are no longer valid.
    public var passwordChangedAt: Date

    public init(name: String, passwordHash: String, role: Role, createdAt: Date, passwordChangedAt: Date) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
        self.passwordChangedAt = passwordChangedAt
    }
}

/// An API token: `id` is public (it appears in the token and in listings), only the secret's hash is stored.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var userName: String
    public var label: String
    public var secretHash: String
    public var createdAt: Date
    public var expiresAt: Date?

    public init(id: String, userName: String, label: String, secretHash: String, createdAt: Date, expiresAt: Date?) {
        self.id = id
        self.userName = userName
        self.label = label
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A signed-in browser. The cookie holds a secret whose SHA-256 is `idHash`.
public struct SessionRecord: Sendable, Equatable {
    public var idHash: String
    public var userName: String
    /// Every form of the session must send this back (double submit is not needed: it is server-side).
    public var csrfToken: String
    public var source: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(idHash: String, userName: String, csrfToken: String, source: String, createdAt: Date, expiresAt: Date) {
        self.idHash = idHash
        self.userName = userName
        self.csrfToken = csrfToken
        self.source = source
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

extension Transaction {
    // MARK: users

    public func insertUser(_ user: UserRecord) async throws {
        try await run {
            if try await database.raw("SELECT name FROM users WHERE name = \(bind: user.name)").first() != nil {
                throw CAError(.conflict, "a user named \"\(user.name)\" already exists")
            }
            try await database.raw(
                """
                INSERT INTO users (name, password_hash, role, created_at, password_changed_at)
                VALUES (\(bind: user.name), \(bind: user.passwordHash), \(bind: user.role.rawValue),
                \(bind: user.createdAt.storedSeconds), \(bind: user.passwordChangedAt.storedSeconds))
                """
            ).run()
        }
    }

    public func user(named name: String) async throws -> UserRecord? {
        try await run {
            try await database.raw(
                "SELECT name, password_hash, role, created_at, password_changed_at FROM users WHERE name = \(bind: name)"
            ).first().map(Self.user(from:))
        }
    }

    public func allUsers() async throws -> [UserRecord] {
        try await run {
            try await database.raw(
                "SELECT name, password_hash, role, created_at, password_changed_at FROM users ORDER BY name"
            ).all().map(Self.user(from:))
        }
    }

    /// Replaces the password and ends every session and token of the user, so that a leaked password or
    /// session stops working at once. Returns false if there is no such user.
    public func changePassword(user name: String, passwordHash: String, at date: Date) async throws -> Bool {
        try await run {
            let changed = try await database.raw(
                """
                UPDATE users SET password_hash = \(bind: passwordHash), password_changed_at = \(bind: date.storedSeconds)
                WHERE name = \(bind: name) RETURNING name
                """
            ).first() != nil
            if changed { try await database.raw("DELETE FROM web_sessions WHERE user_name = \(bind: name)").run() }
            return changed
        }
    }

    public func changeRole(user name: String, role: Role) async throws -> Bool {
        try await run {
            try await database.raw(
                "UPDATE users SET role = \(bind: role.rawValue) WHERE name = \(bind: name) RETURNING name"
            ).first() != nil
        }
    }

    /// Deletes the user with its tokens and sessions. Audit entries keep the name.
    public func deleteUser(named name: String) async throws -> Bool {
        try await run {
            try await database.raw("DELETE FROM web_sessions WHERE user_name = \(bind: name)").run()
            try await database.raw("DELETE FROM api_tokens WHERE user_name = \(bind: name)").run()
            return try await database.raw("DELETE FROM users WHERE name = \(bind: name) RETURNING name").first() != nil
        }
    }

    static func user(from row: any SQLRow) throws -> UserRecord {
        let roleText = try row.decode(column: "role", as: String.self)
        guard let role = Role(rawValue: roleText) else { throw CAError(.storage, "a user has the unknown role \(roleText)") }
        return UserRecord(
            name: try row.decode(column: "name", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self), role: role,
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)),
            passwordChangedAt: Date(storedSeconds: try row.decode(column: "password_changed_at", as: Int64.self)))
    }

    // MARK: API tokens

    public func insertToken(_ token: TokenRecord) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO api_tokens (id, user_name, label, secret_hash, created_at, expires_at)
                VALUES (\(bind: token.id), \(bind: token.userName), \(bind: token.label), \(bind: token.secretHash),
                \(bind: token.createdAt.storedSeconds), \(bind: token.expiresAt?.storedSeconds))
                """
            ).run()
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await run {
            try await database.raw(
                "SELECT id, user_name, label, secret_hash, created_at, expires_at FROM api_tokens WHERE id = \(bind: id)"
            ).first().map(Self.token(from:))
        }
    }

    /// Every token, or one user's; newest first.
    public func tokens(user: String?) async throws -> [TokenRecord] {
        try await run {
            let filter: SQLQueryString = user.map { "WHERE user_name = \(bind: $0)" } ?? ""
            return try await database.raw(
                "SELECT id, user_name, label, secret_hash, created_at, expires_at FROM api_tokens \(filter) ORDER BY created_at DESC, id"
            ).all().map(Self.token(from:))
        }
    }

    public func deleteToken(id: String) async throws -> Bool {
        try await run {
            try await database.raw("DELETE FROM api_tokens WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    static func token(from row: any SQLRow) throws -> TokenRecord {
        TokenRecord(
            id: try row.decode(column: "id", as: String.self), userName: try row.decode(column: "user_name", as: String.self),
            label: try row.decode(column: "label", as: String.self),
            secretHash: try row.decode(column: "secret_hash", as: String.self),
            createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self).map(Date.init(storedSeconds:)))
    }

    // MARK: web sessions

    public func insertSession(_ session: SessionRecord) async throws {
        try await run {
            // Expired sessions are removed here rather than by a job: logins are rare and this keeps the table small.
            try await database.raw("DELETE FROM web_sessions WHERE expires_at <= \(bind: session.createdAt.storedSeconds)").run()
            try await database.raw(
                """
                INSERT INTO web_sessions (id_hash, user_name, csrf_token, source, created_at, expires_at)
                VALUES (\(bind: session.idHash), \(bind: session.userName), \(bind: session.csrfToken), \(bind: session.source),
                \(bind: session.createdAt.storedSeconds), \(bind: session.expiresAt.storedSeconds))
                """
            ).run()
        }
    }

    public func session(idHash: String) async throws -> SessionRecord? {
        try await run {
            try await database.raw(
                """
                SELECT id_hash, user_name, csrf_token, source, created_at, expires_at FROM web_sessions
                WHERE id_hash = \(bind: idHash)
                """
            ).first().map { row in
                SessionRecord(
                    idHash: try row.decode(column: "id_hash", as: String.self),
                    userName: try row.decode(column: "user_name", as: String.self),
                    csrfToken: try row.decode(column: "csrf_token", as: String.self),
                    source: try row.decode(column: "source", as: String.self),
                    createdAt: Date(storedSeconds: try row.decode(column: "created_at", as: Int64.self)),
                    expiresAt: Date(storedSeconds: try row.decode(column: "expires_at", as: Int64.self)))
            }
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await run { try await database.raw("DELETE FROM web_sessions WHERE id_hash = \(bind: idHash)").run() }
    }
}

/// What the store decided about a login attempt: go ahead (the attempt is counted until it succeeds), or wait.
public enum LoginAttemptReservation: Sendable, Equatable {
    /// The rows that count this attempt, one per throttle key; a successful login removes them.
    case reserved(rowIDs: [Int64])
    /// A key has used up its attempts; the oldest counted one ages out after this many seconds.
    case refused(retryAfterSeconds: Int)
}

extension Transaction {
    // MARK: login attempts

    /// Counts an attempt for every key unless one of them already has `limit` attempts within `window`. The
    /// attempt is counted before the password is checked, in the same transaction as the check of the count, so
    /// that concurrent guesses on several nodes cannot all slip under the limit.
    public func reserveLoginAttempt(keys: [String], limit: Int, window: TimeInterval, now: Date) async throws
        -> LoginAttemptReservation
    {
        try await run {
            let nowMilliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
            let cutoff = nowMilliseconds - Int64(window * 1000)
            try await database.raw("DELETE FROM login_attempts WHERE attempted_at <= \(bind: cutoff)").run()
            var longestWait: Int64?
            for key in keys {
                let row = try await database.raw(
                    """
                    SELECT COUNT(*) AS attempts, MIN(attempted_at) AS oldest FROM login_attempts
                    WHERE throttle_key = \(bind: key) AND attempted_at > \(bind: cutoff)
                    """
                ).first()
                let attempts = try row?.decode(column: "attempts", as: Int64.self) ?? 0
                guard attempts >= Int64(limit), let oldest = try row?.decode(column: "oldest", as: Int64?.self) else { continue }
                let wait = max(1, (oldest - cutoff + 999) / 1000)
                longestWait = max(longestWait ?? 0, wait)
            }
            if let longestWait { return .refused(retryAfterSeconds: Int(longestWait)) }
            var rowIDs: [Int64] = []
            for key in keys {
                let row = try await database.raw(
                    """
                    INSERT INTO login_attempts (throttle_key, attempted_at) VALUES (\(bind: key), \(bind: nowMilliseconds))
                    RETURNING id
                    """
                ).first()
                if let id = try row?.decode(column: "id", as: Int64.self) { rowIDs.append(id) }
            }
            return .reserved(rowIDs: rowIDs)
        }
    }

    /// After a successful login: this attempt no longer counts, nor do earlier ones against `clearedKey`.
    public func forgetLoginAttempts(rowIDs: [Int64], clearing clearedKey: String) async throws {
        try await run {
            for id in rowIDs { try await database.raw("DELETE FROM login_attempts WHERE id = \(bind: id)").run() }
            try await database.raw("DELETE FROM login_attempts WHERE throttle_key = \(bind: clearedKey)").run()
        }
    }
}
