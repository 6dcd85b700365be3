import CACore
import CPKCS11
import Foundation
import Synchronization

/// One token (found by its label) of a PKCS#11 library, with a pool of sessions logged in as the user.
///
/// A PKCS#11 session serves one operation at a time, so each operation borrows a session and returns it;
/// concurrent signatures get sessions of their own (up to `maximumSessions`, then they wait for one). Login state
/// belongs to the token, so the first session's login covers the others.
final class PKCS11Token: Sendable {
    let library: PKCS11Library
    let label: String
    let login: TokenLogin?
    let maximumSessions: Int
    private let state = Mutex<PoolState>(PoolState())

    private struct PoolState {
        var idle: [CK_SESSION_HANDLE] = []
        var open = 0
        var slot: CK_SLOT_ID?
        var loggedIn = false
        /// Counts the times the token went away; sessions opened before the last time are closed, not reused.
        var generation = 0
        /// The module's generation the pool's sessions belong to.
        var libraryGeneration = 0
        var keyHandles: [TokenKey: CK_OBJECT_HANDLE] = [:]
        /// The token was here once: when it is missing, it went away, and starting the module over may find it.
        var foundBefore = false

        mutating func forgetToken(libraryGeneration: Int) {
            generation += 1
            self.libraryGeneration = libraryGeneration
            slot = nil
            loggedIn = false
            keyHandles = [:]
        }
    }

    init(library: PKCS11Library, label: String, login: TokenLogin?, maximumSessions: Int = 8) {
        self.library = library
        self.label = label
        self.login = login
        self.maximumSessions = maximumSessions
    }

    var functions: CK_FUNCTION_LIST { library.functions.pointee }

    /// Sessions open now, idle or in use.
    var openSessions: Int { state.withLock { $0.open } }

    /// The token is not (or no longer) in any slot of the module, or stopped answering.
    private struct TokenGone: Error {
        let libraryGeneration: Int
        let failure: CAError
    }

    /// The slot whose token carries `label` (PKCS#11 pads labels with spaces to 32 bytes).
    private func findSlot() throws -> CK_SLOT_ID {
        var count: CK_ULONG = 0
        try library.check("C_GetSlotList", functions.C_GetSlotList(CK_BBOOL(CK_TRUE), nil, &count))
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try library.check("C_GetSlotList", functions.C_GetSlotList(CK_BBOOL(CK_TRUE), &slots, &count))
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard functions.C_GetTokenInfo(slot, &info) == CKR_OK else { continue }
            let bytes = withUnsafeBytes(of: info.label) { Array($0) }
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
            if text == label { return slot }
        }
        throw CAError(.keyAccess, "no token labelled \"\(label)\" is present in \(library.path)")
    }

    /// Whether the token still answers in its slot: some modules (SoftHSM) keep a session's handle valid after its
    /// token went away and only report that the key is missing.
    private func isPresent() -> Bool {
        guard let slot = state.withLock({ $0.slot }) else { return false }
        var info = CK_TOKEN_INFO()
        return functions.C_GetTokenInfo(slot, &info) == CKR_OK
    }

    /// Asks the token whether it is there, on a logged-in session: the health endpoint reports a failure.
    func probe() throws {
        try withSession { _ in
            guard isPresent() else { throw CAError(.keyAccess, "the token \"\(label)\" stopped answering") }
        }
    }

    /// Runs `body` on a logged-in session of its own.
    ///
    /// When the token went away (removed, or its HSM restarted), every session of the pool is dropped. A token that
    /// was here before is then looked for again, starting the module over if need be, and `body` runs once more on
    /// a fresh session logged in again; if the token is still away, the error says it cannot be reached.
    func withSession<Result>(_ body: (CK_SESSION_HANDLE) throws -> Result) throws -> Result {
        do {
            return try library.calling { try attempt(body) }
        } catch let gone as TokenGone {
            guard state.withLock({ $0.foundBefore }), library.restart(after: gone.libraryGeneration) else { throw gone.failure }
            do {
                return try library.calling { try attempt(body) }
            } catch let goneAgain as TokenGone {
                throw goneAgain.failure
            }
        }
    }

    private func attempt<Result>(_ body: (CK_SESSION_HANDLE) throws -> Result) throws -> Result {
        let libraryGeneration = library.generation
        let (session, generation) = try borrow(libraryGeneration: libraryGeneration)
        do {
            let result = try body(session)
            giveBack(session, generation: generation)
            return result
        } catch {
            let lost = (error as? PKCS11Error)?.meansTokenLost == true || !isPresent()
            if lost {
                forgetToken(failed: session, generation: generation)
                throw TokenGone(libraryGeneration: libraryGeneration, failure: unreachable(error))
            }
            giveBack(session, generation: generation)
            throw (error as? PKCS11Error)?.caError ?? Self.caError(error)
        }
    }

    private func borrow(libraryGeneration: Int) throws -> (CK_SESSION_HANDLE, Int) {
        while true {
            enum Next { case use(CK_SESSION_HANDLE, Int), open(CK_SLOT_ID?, Int), wait }
            let next: Next = state.withLock { pool in
                if pool.libraryGeneration != libraryGeneration {
                    // The module was started over: its sessions and handles are gone without being closed.
                    pool.open -= pool.idle.count
                    pool.idle = []
                    pool.forgetToken(libraryGeneration: libraryGeneration)
                }
                if let session = pool.idle.popLast() { return .use(session, pool.generation) }
                if pool.open < maximumSessions {
                    pool.open += 1
                    return .open(pool.slot, pool.generation)
                }
                return .wait
            }
            switch next {
            case .use(let session, let generation):
                return (session, generation)
            case .wait:
                usleep(1_000)
            case .open(let knownSlot, let generation):
                let slot: CK_SLOT_ID
                do {
                    slot = try knownSlot ?? findSlot()
                } catch {
                    state.withLock { $0.open -= 1 }
                    // findSlot's own error names the token; a failing module call is said to be this token's.
                    throw TokenGone(libraryGeneration: libraryGeneration, failure: error is PKCS11Error ? unreachable(error) : Self.caError(error))
                }
                do {
                    var session: CK_SESSION_HANDLE = 0
                    try library.check(
                        "C_OpenSession", functions.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session))
                    try logIn(session)
                    state.withLock {
                        $0.slot = slot
                        $0.foundBefore = true
                    }
                    return (session, generation)
                } catch let error as PKCS11Error {
                    state.withLock { $0.open -= 1 }
                    if error.meansTokenLost { throw TokenGone(libraryGeneration: libraryGeneration, failure: unreachable(error)) }
                    throw error.caError
                } catch {
                    state.withLock { $0.open -= 1 }
                    throw error
                }
            }
        }
    }

    /// One line naming this token for a failure that means it went away.
    private func unreachable(_ error: any Error) -> CAError {
        let reason = (error as? PKCS11Error).map { "\($0.call): \(PKCS11Error.name($0.code))" } ?? Self.caError(error).message
        return CAError(.keyAccess, "the token \"\(label)\" cannot be reached (\(reason))")
    }

    static func caError(_ error: any Error) -> CAError {
        error as? CAError ?? CAError(.keyAccess, "\(error)")
    }

    /// Returns a session to the pool, unless the pool started over while it was out (its token went away).
    private func giveBack(_ session: CK_SESSION_HANDLE, generation: Int) {
        let current = state.withLock { pool in
            guard pool.generation == generation else {
                pool.open -= 1
                return false
            }
            pool.idle.append(session)
            return true
        }
        if !current { _ = functions.C_CloseSession(session) }
    }

    /// The token went away: every idle session, the slot, the login and the cached key handles are forgotten, and
    /// sessions still out are closed when they come back.
    private func forgetToken(failed session: CK_SESSION_HANDLE, generation: Int) {
        let stale: [CK_SESSION_HANDLE] = state.withLock { pool in
            pool.open -= 1
            guard pool.generation == generation else { return [] }
            let idle = pool.idle
            pool.open -= idle.count
            pool.idle = []
            pool.forgetToken(libraryGeneration: pool.libraryGeneration)
            return idle
        }
        for session in stale + [session] { _ = functions.C_CloseSession(session) }
    }

    /// The private key's handle from an earlier lookup: PKCS#11 keeps a token object's handle for the whole
    /// application, so a signature need not search the token for its key each time.
    func cachedHandle(of key: TokenKey) -> CK_OBJECT_HANDLE? {
        state.withLock { $0.keyHandles[key] }
    }

    func cache(_ handle: CK_OBJECT_HANDLE?, of key: TokenKey) {
        state.withLock { $0.keyHandles[key] = handle }
    }

    private func logIn(_ session: CK_SESSION_HANDLE) throws {
        guard !state.withLock({ $0.loggedIn }) else { return }
        guard let login else {
            throw CAError(.keyAccess, "token \"\(label)\" needs a PIN (user_pin or so_pin in CA_KEY_BACKENDS, or --hsm-user-pin)")
        }
        let result = library.logIn(session, as: login, token: label)
        guard result == CKR_OK else {
            _ = functions.C_CloseSession(session)
            throw PKCS11Error(call: "C_Login as \(login.role) on token \"\(label)\"", code: result)
        }
        state.withLock { $0.loggedIn = true }
    }
}

/// Who a token's sessions log in as. django-ca lets an installation give the security officer's PIN instead of the
/// user's; PKCS#11 lets the SO manage the token but not use its private keys, so most tokens (SoftHSM among them)
/// refuse to sign or generate keys for the SO, and the error then says so.
enum TokenLogin: Hashable, Sendable {
    case user(pin: String)
    case securityOfficer(pin: String)

    /// The user PIN when one is given, else the SO PIN, as django-ca chooses; nil when neither is.
    init?(userPIN: String?, securityOfficerPIN: String?) {
        if let userPIN, !userPIN.isEmpty {
            self = .user(pin: userPIN)
        } else if let securityOfficerPIN, !securityOfficerPIN.isEmpty {
            self = .securityOfficer(pin: securityOfficerPIN)
        } else {
            return nil
        }
    }

    var pin: String {
        switch self {
        case .user(let pin), .securityOfficer(let pin): return pin
        }
    }

    var userType: CK_USER_TYPE {
        switch self {
        case .user: return CK_USER_TYPE(CKU_USER)
        case .securityOfficer: return CK_USER_TYPE(CKU_SO)
        }
    }

    var role: String {
        switch self {
        case .user: return "user"
        case .securityOfficer: return "security officer"
        }
    }
}
