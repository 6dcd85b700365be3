import CACore
import Foundation
import Testing
@testable import CAAccess
import CAStore
import TestSupport

/// Users, tokens, sessions and throttling against a real database (SQLite, or PostgreSQL in the second pass).
@Suite(.timeLimit(.minutes(10))) struct AccessControlTests {
    static func access(_ database: TemporaryDatabase, attempts: Int = 5) async throws -> (AccessControl, Store) {
        let store = try await Store.open(try DatabaseLocation.parse(database.url))
        var settings = AccessSettings()
        settings.passwordHashCost = 4
        settings.loginAttempts = attempts
        return (AccessControl(store: store, settings: settings), store)
    }

    @Test func aUserLogsInWithTheRightPasswordOnlyAndEveryChangeIsAudited() async throws {
        let database = try TemporaryDatabase()
        let (access, store) = try await Self.access(database)
        let created = try await access.createUser(name: "alice", password: "correct horse", role: .operator)
        #expect(created.passwordHash.hasPrefix("$2"), "bcrypt, not the password")
        #expect(!created.passwordHash.contains("correct horse"))
        #expect(try await access.login(name: "alice", password: "correct horse", source: "10.0.0.1") == Identity(name: "alice", role: .operator))
        await #expect(throws: CAError(.unauthenticated, "wrong user name or password")) {
            try await access.login(name: "alice", password: "wrong horse", source: "10.0.0.1")
        }
        await #expect(throws: CAError(.unauthenticated, "wrong user name or password")) {
            try await access.login(name: "nobody", password: "correct horse", source: "10.0.0.1")
        }
        await #expect(throws: CAError(.conflict, "a user named \"alice\" already exists")) {
            try await access.createUser(name: "alice", password: "another one", role: .viewer)
        }
        try await access.setPassword("alice", password: "battery staple")
        await #expect(throws: CAError.self) { try await access.login(name: "alice", password: "correct horse", source: "10.0.0.2") }
        #expect(try await access.login(name: "alice", password: "battery staple", source: "10.0.0.2").name == "alice")
        let actions = try await access.auditEntries(AuditFilter()).map { "\($0.action) \($0.target) \($0.source)" }
        #expect(actions == [
            "login alice 10.0.0.2", "login-failed alice 10.0.0.2", "set-password alice command line", "login-failed nobody 10.0.0.1",
            "login-failed alice 10.0.0.1", "login alice 10.0.0.1", "create-user alice command line",
        ])
        await store.shutdown()
    }

    @Test func failedLoginsLockOutTheNameAndTheAddressUntilTheyAgeOut() async throws {
        let database = try TemporaryDatabase()
        let (access, store) = try await Self.access(database, attempts: 3)
        _ = try await access.createUser(name: "bob", password: "correct horse", role: .viewer)
        for _ in 0..<3 {
            await #expect(throws: CAError.self) { try await access.login(name: "bob", password: "guess guess", source: "192.0.2.1") }
        }
        // Even the right password is refused now, without running bcrypt.
        do {
            _ = try await access.login(name: "bob", password: "correct horse", source: "192.0.2.9")
            Issue.record("a locked-out name logged in")
        } catch let error as CAError {
            #expect(error.kind == .rateLimited)
            #expect(error.message.hasPrefix("too many failed logins; try again in "))
        }
        // The guessing address is locked out for other names too.
        _ = try await access.createUser(name: "carol", password: "correct horse", role: .viewer)
        await #expect(throws: CAError.self) { try await access.login(name: "carol", password: "correct horse", source: "192.0.2.1") }
        #expect(try await access.login(name: "carol", password: "correct horse", source: "192.0.2.2").name == "carol")
        // A second node over the same database counts the same attempts: two guesses here and one there use up 3.
        let (otherNode, otherStore) = try await Self.access(database, attempts: 3)
        _ = try await access.createUser(name: "erin", password: "correct horse", role: .viewer)
        for (node, source) in [(access, "198.51.100.1"), (otherNode, "198.51.100.2"), (access, "198.51.100.3")] {
            await #expect(throws: CAError(.unauthenticated, "wrong user name or password")) {
                try await node.login(name: "erin", password: "guess guess", source: source)
            }
        }
        await #expect(throws: CAError.self) { try await otherNode.login(name: "erin", password: "correct horse", source: "198.51.100.4") }

        // Attempts age out of the window: two allowed per 60 s, at explicit times.
        let throttle = LoginThrottle(store: store, limit: 2, window: 60)
        let start = Date()
        _ = try await throttle.begin(userName: "k", source: "203.0.113.1", now: start)
        _ = try await throttle.begin(userName: "k", source: "203.0.113.2", now: start.addingTimeInterval(10))
        do {
            _ = try await throttle.begin(userName: "k", source: "203.0.113.3", now: start.addingTimeInterval(20))
            Issue.record("a third attempt within the window was counted")
        } catch let error as CAError {
            #expect(error.kind == .rateLimited && error.retryAfterSeconds == 40, "\(error)")
        }
        _ = try await throttle.begin(userName: "k", source: "203.0.113.4", now: start.addingTimeInterval(61))
        await otherStore.shutdown()
        await store.shutdown()
    }

    @Test func tokensAuthenticateUntilDeletedOrExpiredAndBasicWorksToo() async throws {
        let database = try TemporaryDatabase()
        let (access, store) = try await Self.access(database)
        _ = try await access.createUser(name: "robot", password: "correct horse", role: .operator)
        let created = try await access.createToken(user: "robot", label: "ci", expiresDays: nil)
        #expect(created.token.text.hasPrefix("sca_"))
        #expect(APIToken(parsing: created.token.text) == created.token)
        #expect(created.record.secretHash != created.token.secret, "only a hash is stored")
        #expect(try await store.write { try await $0.token(id: created.token.id) }?.secretHash == created.record.secretHash)
        let identity = try await access.authenticate(authorization: "Bearer \(created.token.text)", source: "127.0.0.1")
        #expect(identity == Identity(name: "robot", role: .operator))
        var forged = created.token.text
        forged.removeLast()
        forged.append(created.token.text.last == "A" ? "B" : "A")
        await #expect(throws: CAError(.unauthenticated, "the API token is not valid")) {
            try await access.authenticate(authorization: "Bearer \(forged)", source: "127.0.0.1")
        }
        await #expect(throws: CAError(.unauthenticated, "the API token is malformed")) {
            try await access.authenticate(authorization: "Bearer nonsense", source: "127.0.0.1")
        }
        let basic = "Basic " + Data("robot:correct horse".utf8).base64EncodedString()
        #expect(try await access.authenticate(authorization: basic, source: "127.0.0.1").name == "robot")
        #expect(try await access.authenticate(authorization: basic, source: "127.0.0.1").name == "robot", "from the cache")
        // A changed password ends the cached Basic login at once; the new one works.
        try await access.setPassword("robot", password: "battery staple")
        await #expect(throws: CAError(.unauthenticated, "wrong user name or password")) {
            try await access.authenticate(authorization: basic, source: "127.0.0.5")
        }
        try await access.setPassword("robot", password: "correct horse")
        #expect(try await access.authenticate(authorization: basic, source: "127.0.0.6").name == "robot")
        let wrongBasic = "Basic " + Data("robot:wrong horse!".utf8).base64EncodedString()
        await #expect(throws: CAError.self) { try await access.authenticate(authorization: wrongBasic, source: "127.0.0.1") }
        await #expect(throws: CAError.self) { try await access.authenticate(authorization: "Digest abc", source: "127.0.0.1") }

        // A deleted token is refused at once, by the node that used it a moment ago and by another one.
        try await access.deleteToken(created.token.id)
        await #expect(throws: CAError(.unauthenticated, "the API token is not valid")) {
            try await access.authenticate(authorization: "Bearer \(created.token.text)", source: "127.0.0.1")
        }
        let (otherNode, otherStore) = try await Self.access(database)
        await #expect(throws: CAError(.unauthenticated, "the API token is not valid")) {
            try await otherNode.authenticate(authorization: "Bearer \(created.token.text)", source: "127.0.0.1")
        }
        await #expect(throws: CAError(.notFound, "there is no API token with the id \(created.token.id)")) {
            try await access.deleteToken(created.token.id)
        }
        await #expect(throws: CAError(.notFound, "there is no user named \"ghost\"")) {
            try await access.createToken(user: "ghost", label: "", expiresDays: nil)
        }
        // An expired token is refused.
        let expiring = try await access.createToken(user: "robot", label: "short", expiresDays: 1)
        var record = expiring.record
        record.id = "0123456789ab"
        record.expiresAt = Date().addingTimeInterval(-1)
        try await store.write { try await $0.insertToken(record) }
        let expiredText = "sca_0123456789ab_" + expiring.token.secret
        await #expect(throws: CAError(.unauthenticated, "the API token has expired")) {
            try await otherNode.authenticate(authorization: "Bearer \(expiredText)", source: "127.0.0.1")
        }
        await otherStore.shutdown()
        await store.shutdown()
    }

    /// A client's first burst of concurrent Basic requests shares one check: the attempts it counts cannot lock the
    /// client out (16 at once with a limit of 3), while 16 different wrong passwords at once still count 16.
    @Test func concurrentRightPasswordsShareOneCountedAttempt() async throws {
        let database = try TemporaryDatabase()
        let (access, store) = try await Self.access(database, attempts: 3)
        _ = try await access.createUser(name: "burst", password: "correct horse", role: .viewer)
        let basic = "Basic " + Data("burst:correct horse".utf8).base64EncodedString()
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try await access.authenticate(authorization: basic, source: "192.0.2.50").name } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(names == Array(repeating: "burst", count: 16))
        let refusals = await withTaskGroup(of: Bool.self) { group in
            for guess in 0..<16 {
                group.addTask {
                    let wrong = "Basic " + Data("burst:guess \(guess)".utf8).base64EncodedString()
                    do {
                        _ = try await access.authenticate(authorization: wrong, source: "192.0.2.51")
                        return false
                    } catch let error as CAError {
                        return error.kind == .rateLimited
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(refusals == 13, "3 guesses are checked, the other 13 refused before bcrypt")
        await store.shutdown()
    }

    @Test func sessionsEndOnLogoutPasswordChangeAndUserDeletion() async throws {
        let database = try TemporaryDatabase()
        let (access, store) = try await Self.access(database)
        _ = try await access.createUser(name: "dave", password: "correct horse", role: .admin)
        let identity = Identity(name: "dave", role: .admin)
        let first = try await access.startSession(for: identity, source: "127.0.0.1")
        #expect(try await store.write { try await $0.session(idHash: first.cookie) } == nil, "the cookie itself is not stored")
        let found = try await access.session(cookie: first.cookie)
        #expect(found?.identity == identity)
        #expect(AccessControl.validCSRF(first.session.csrfToken, session: try #require(found).session))
        // Another first character: a fixed "x" left the token unchanged whenever it began with "x" (1 run in 64).
        let changed = (first.session.csrfToken.first == "x" ? "y" : "x") + first.session.csrfToken.dropFirst()
        #expect(!AccessControl.validCSRF(changed, session: first.session))
        #expect(!AccessControl.validCSRF(nil, session: first.session))
        try await access.endSession(cookie: first.cookie)
        #expect(try await access.session(cookie: first.cookie) == nil)

        let second = try await access.startSession(for: identity, source: "127.0.0.1")
        try await access.setPassword("dave", password: "battery staple")
        #expect(try await access.session(cookie: second.cookie) == nil, "a new password ends sessions")

        let third = try await access.startSession(for: identity, source: "127.0.0.1")
        _ = try await access.createToken(user: "dave", label: "", expiresDays: nil)
        try await access.deleteUser("dave")
        #expect(try await access.session(cookie: third.cookie) == nil)
        #expect(try await access.tokens(user: "dave").isEmpty)
        await #expect(throws: CAError(.notFound, "there is no user named \"dave\"")) { try await access.deleteUser("dave") }
        await store.shutdown()
    }

    @Test func namesAndPasswordsAreChecked() async throws {
        let database = try TemporaryDatabase()
        let (access, store) = try await Self.access(database)
        for bad in ["", "has space", "semi;colon", String(repeating: "a", count: 151)] {
            await #expect(throws: CAError.self) { try await access.createUser(name: bad, password: "correct horse", role: .viewer) }
        }
        await #expect(throws: CAError(.invalidInput, "the password is too short: use at least 8 characters")) {
            try await access.createUser(name: "eve", password: "short", role: .viewer)
        }
        await #expect(throws: CAError(.invalidInput, "the password is too long: bcrypt uses at most 72 bytes")) {
            try await access.createUser(name: "eve", password: String(repeating: "x", count: 73), role: .viewer)
        }
        #expect(try await access.users().isEmpty, "nothing was stored")
        await store.shutdown()
    }

    @Test func rolesGrantTheirPermissionsOnly() throws {
        #expect(Role.admin.permissions == Set(Permission.allCases))
        #expect(Role.operator.permissions == [.view, .sign, .revoke])
        #expect(Role.viewer.permissions == [.view])
        let viewer = Identity(name: "v", role: .viewer)
        #expect(throws: CAError(.forbidden, "user \"v\" (viewer) may not sign certificates")) { try viewer.require(.sign) }
        try viewer.require(.view)
        #expect(throws: CAError.self) { try Role(parsing: "root") }
        #expect(try Role(parsing: "Operator") == .operator)
    }

    @Test func tokensOfTheWrongShapeAreNotParsed() {
        for text in ["", "sca_", "sca_0123456789ab", "sca_0123456789ag_" + String(repeating: "a", count: 43),
                     "sca_0123456789ab_" + String(repeating: "a", count: 42), "xyz_0123456789ab_" + String(repeating: "a", count: 43),
                     "sca_0123456789ab_" + String(repeating: "+", count: 43)] {
            #expect(APIToken(parsing: text) == nil, "\(text)")
        }
        #expect(APIToken(parsing: "sca_0123456789ab_" + String(repeating: "a", count: 43)) != nil)
    }
}
