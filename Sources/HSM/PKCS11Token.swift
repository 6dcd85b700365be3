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
    private let pin: String?
    let maximumSessions: Int
    private let state = Mutex<PoolState>(PoolState())

    private struct PoolState {
        var idle: [CK_SESSION_HANDLE] = []
        var open = 0
        var slot: CK_SLOT_ID?
        var loggedIn = false
    }

    init(library: PKCS11Library, label: String, pin: String?, maximumSessions: Int = 8) {
        self.library = library
        self.label = label
        self.pin = pin
        self.maximumSessions = maximumSessions
    }

    var functions: CK_FUNCTION_LIST { library.functions.pointee }

    /// The slot whose token carries `label` (PKCS#11 pads labels with spaces to 32 bytes).
    func findSlot() throws -> CK_SLOT_ID {
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

    /// Asks the token about one of its sessions: fails when the token went away (and the pool then starts over).
    func probe() throws {
        try withSession { session in
            var information = CK_SESSION_INFO()
            try library.check("C_GetSessionInfo", functions.C_GetSessionInfo(session, &information))
        }
    }

    /// Runs `body` on a logged-in session of its own. A session the token dropped (removed and re-inserted, or
    /// restarted) is closed, and the next borrower opens a fresh one and logs in again.
    func withSession<Result>(_ body: (CK_SESSION_HANDLE) throws -> Result) throws -> Result {
        let session = try borrow()
        do {
            let result = try body(session)
            state.withLock { $0.idle.append(session) }
            return result
        } catch let error as CAError {
            discard(session, afterFailure: error)
            throw error
        }
    }

    private func borrow() throws -> CK_SESSION_HANDLE {
        while true {
            enum Next { case use(CK_SESSION_HANDLE), open(CK_SLOT_ID?), wait }
            let next: Next = state.withLock { pool in
                if let session = pool.idle.popLast() { return .use(session) }
                if pool.open < maximumSessions {
                    pool.open += 1
                    return .open(pool.slot)
                }
                return .wait
            }
            switch next {
            case .use(let session):
                return session
            case .wait:
                usleep(1_000)
            case .open(let knownSlot):
                do {
                    let slot = try knownSlot ?? findSlot()
                    var session: CK_SESSION_HANDLE = 0
                    try library.check(
                        "C_OpenSession", functions.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session))
                    try login(session)
                    state.withLock { $0.slot = slot }
                    return session
                } catch {
                    state.withLock { $0.open -= 1 }
                    throw error
                }
            }
        }
    }

    private func login(_ session: CK_SESSION_HANDLE) throws {
        guard !state.withLock({ $0.loggedIn }) else { return }
        guard let pin, !pin.isEmpty else {
            throw CAError(.keyAccess, "token \"\(label)\" needs a user PIN (user_pin in CA_KEY_BACKENDS, or --hsm-user-pin)")
        }
        var bytes = Array(pin.utf8)
        let result = functions.C_Login(session, CK_USER_TYPE(CKU_USER), &bytes, CK_ULONG(bytes.count))
        guard result == CKR_OK || result == CKR_USER_ALREADY_LOGGED_IN else {
            _ = functions.C_CloseSession(session)
            throw PKCS11Error(call: "C_Login on token \"\(label)\"", code: result).caError
        }
        state.withLock { $0.loggedIn = true }
    }

    /// A session that failed because the token went away is closed, and the pool forgets the slot and the login,
    /// so that the next operation finds the token again.
    private func discard(_ session: CK_SESSION_HANDLE, afterFailure error: CAError) {
        let lost = error.message.contains("cannot be reached")
        if lost { _ = functions.C_CloseSession(session) }
        state.withLock { pool in
            if lost {
                pool.open -= 1
                pool.slot = nil
                pool.loggedIn = false
            } else {
                pool.idle.append(session)
            }
        }
    }
}
