import CACore
import CPKCS11
import Foundation
import Synchronization

/// A PKCS#11 module (`libsofthsm2.so`, a vendor's HSM library) opened with dlopen and initialised once per
/// process: PKCS#11 allows one C_Initialize per module and process, so every backend naming the same library
/// shares one `PKCS11Library`.
final class PKCS11Library: @unchecked Sendable {
    // @unchecked: `functions` points into the module, which stays loaded for the life of the process; the module
    // was initialised with CKF_OS_LOCKING_OK, so it guards its own state across threads.
    let path: String
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    /// Every PKCS#11 call of every token holds this for reading; starting the module over holds it for writing, so
    /// that no call is under way when C_Finalize runs.
    private let calls: UnsafeMutablePointer<pthread_rwlock_t>
    private let restarts = Mutex<Restarts>(Restarts())
    /// The PIN each token was logged in with, by token label and role. Login state belongs to the token, so a second
    /// C_Login answers CKR_USER_ALREADY_LOGGED_IN whatever PIN it carries; that PIN is compared with this one.
    private let acceptedPINs = Mutex<[String: String]>([:])

    private struct Restarts {
        /// How often the module was started over; sessions and handles of an older generation are gone.
        var generation = 0
        var last: ContinuousClock.Instant?
    }

    /// Starting the module over is how a token that went away is found again (SoftHSM, like many modules, scans
    /// for tokens only in C_Initialize); at most this often, so a token that stays away does not keep the others'
    /// sessions starting over.
    static let restartInterval: Duration = .seconds(2)

    private static let loaded = Mutex<[String: PKCS11Library]>([:])

    private init(path: String, functions: UnsafeMutablePointer<CK_FUNCTION_LIST>) {
        self.path = path
        self.functions = functions
        calls = .allocate(capacity: 1)
        pthread_rwlock_init(calls, nil)
    }

    /// The module's generation: it changes each time the module is started over.
    var generation: Int { restarts.withLock { $0.generation } }

    /// C_Login on `session`. When the token is logged in already (by another pool of this process), the token does
    /// not check the PIN, so it is compared, in constant time, with the one the token accepted; a different one fails
    /// with CKR_PIN_INCORRECT, as the token would have answered.
    func logIn(_ session: CK_SESSION_HANDLE, as login: TokenLogin, token: String) -> CK_RV {
        acceptedPINs.withLock { accepted in
            var bytes = Array(login.pin.utf8)
            let key = token + "\u{0}" + login.role
            let result = functions.pointee.C_Login(session, login.userType, &bytes, CK_ULONG(bytes.count))
            switch result {
            case CK_RV(CKR_OK):
                accepted[key] = login.pin
                return result
            case CK_RV(CKR_USER_ALREADY_LOGGED_IN):
                guard let known = accepted[key].map({ Array($0.utf8) }), known.count == bytes.count,
                    zip(known, bytes).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
                else { return CK_RV(CKR_PIN_INCORRECT) }
                return CK_RV(CKR_OK)
            default:
                return result
            }
        }
    }

    /// Runs PKCS#11 calls while the module cannot be started over.
    func calling<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_rwlock_rdlock(calls)
        defer { pthread_rwlock_unlock(calls) }
        return try body()
    }

    /// Finalizes and initializes the module again, unless someone did since `generation` or did less than
    /// `restartInterval` ago. Returns whether the module is now newer than `generation`.
    @discardableResult
    func restart(after generation: Int) -> Bool {
        pthread_rwlock_wrlock(calls)
        defer { pthread_rwlock_unlock(calls) }
        return restarts.withLock { state in
            guard state.generation == generation else { return true }
            let now = ContinuousClock.now
            if let last = state.last, now - last < Self.restartInterval { return false }
            state.last = now
            _ = functions.pointee.C_Finalize(nil)
            var arguments = CK_C_INITIALIZE_ARGS()
            arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
            _ = functions.pointee.C_Initialize(&arguments)
            state.generation += 1
            return true
        }
    }

    static func open(_ path: String) throws -> PKCS11Library {
        try loaded.withLock { libraries in
            if let library = libraries[path] { return library }
            guard FileManager.default.fileExists(atPath: path) else {
                throw CAError(.keyAccess, "the PKCS#11 library \(path) does not exist")
            }
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
                throw CAError(.keyAccess, "the PKCS#11 library \(path) cannot be loaded: \(reason)")
            }
            guard let symbol = dlsym(handle, "C_GetFunctionList") else {
                throw CAError(.keyAccess, "\(path) is not a PKCS#11 library (it has no C_GetFunctionList)")
            }
            typealias GetFunctionList = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV
            var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
            let result = unsafeBitCast(symbol, to: GetFunctionList.self)(&list)
            guard result == CKR_OK, let list else {
                throw CAError(.keyAccess, "\(path): C_GetFunctionList failed with \(PKCS11Error.name(result))")
            }
            var arguments = CK_C_INITIALIZE_ARGS()
            arguments.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
            let initialized = list.pointee.C_Initialize(&arguments)
            guard initialized == CKR_OK || initialized == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
                throw CAError(.keyAccess, "\(path): C_Initialize failed with \(PKCS11Error.name(initialized))")
            }
            let library = PKCS11Library(path: path, functions: list)
            libraries[path] = library
            return library
        }
    }

    /// Runs one PKCS#11 call; a failure names the call and the return code. `PKCS11Token` turns it into a
    /// `CAError` once it has decided whether the token went away.
    func check(_ call: String, _ result: CK_RV) throws(PKCS11Error) {
        guard result == CKR_OK else { throw PKCS11Error(call: call, code: result) }
    }
}

/// A PKCS#11 return code with the call that returned it.
struct PKCS11Error: Error {
    let call: String
    let code: CK_RV

    /// The token is gone (unplugged, restarted, its sessions dropped): the session pool must start over.
    var meansTokenLost: Bool {
        switch code {
        case CK_RV(CKR_DEVICE_REMOVED), CK_RV(CKR_TOKEN_NOT_PRESENT), CK_RV(CKR_DEVICE_ERROR), CK_RV(CKR_SESSION_HANDLE_INVALID),
            CK_RV(CKR_SESSION_CLOSED), CK_RV(CKR_CRYPTOKI_NOT_INITIALIZED), CK_RV(CKR_TOKEN_NOT_RECOGNIZED), CK_RV(CKR_SLOT_ID_INVALID):
            return true
        default:
            return false
        }
    }

    var caError: CAError {
        if meansTokenLost { return CAError(.keyAccess, "the token cannot be reached (\(call): \(Self.name(code)))") }
        switch code {
        case CK_RV(CKR_PIN_INCORRECT), CK_RV(CKR_PIN_INVALID), CK_RV(CKR_PIN_LEN_RANGE):
            return CAError(.keyAccess, "the token refused the PIN (\(call): \(Self.name(code)))")
        case CK_RV(CKR_PIN_LOCKED):
            return CAError(.keyAccess, "the token's PIN is locked (\(call): \(Self.name(code)))")
        case CK_RV(CKR_MECHANISM_INVALID), CK_RV(CKR_MECHANISM_PARAM_INVALID), CK_RV(CKR_DOMAIN_PARAMS_INVALID),
            CK_RV(CKR_CURVE_NOT_SUPPORTED):
            return CAError(.policy, "the token does not support this key type (\(call): \(Self.name(code)))")
        case CK_RV(CKR_USER_NOT_LOGGED_IN):
            return CAError(
                .keyAccess,
                "the token refused \(call) (CKR_USER_NOT_LOGGED_IN): only its user may use private keys; "
                    + "a security officer's PIN (so_pin, --hsm-so-pin) cannot sign or make keys, so give the user PIN")
        default:
            return CAError(.keyAccess, "the token refused \(call): \(Self.name(code))")
        }
    }

    static let names: [CK_RV: String] = [
        CK_RV(CKR_OK): "CKR_OK", CK_RV(CKR_GENERAL_ERROR): "CKR_GENERAL_ERROR", CK_RV(CKR_FUNCTION_FAILED): "CKR_FUNCTION_FAILED",
        CK_RV(CKR_ARGUMENTS_BAD): "CKR_ARGUMENTS_BAD", CK_RV(CKR_ATTRIBUTE_VALUE_INVALID): "CKR_ATTRIBUTE_VALUE_INVALID",
        CK_RV(CKR_DEVICE_ERROR): "CKR_DEVICE_ERROR", CK_RV(CKR_DEVICE_REMOVED): "CKR_DEVICE_REMOVED",
        CK_RV(CKR_KEY_HANDLE_INVALID): "CKR_KEY_HANDLE_INVALID", CK_RV(CKR_MECHANISM_INVALID): "CKR_MECHANISM_INVALID",
        CK_RV(CKR_MECHANISM_PARAM_INVALID): "CKR_MECHANISM_PARAM_INVALID", CK_RV(CKR_PIN_INCORRECT): "CKR_PIN_INCORRECT",
        CK_RV(CKR_PIN_INVALID): "CKR_PIN_INVALID", CK_RV(CKR_PIN_LEN_RANGE): "CKR_PIN_LEN_RANGE", CK_RV(CKR_PIN_LOCKED): "CKR_PIN_LOCKED",
        CK_RV(CKR_SESSION_CLOSED): "CKR_SESSION_CLOSED", CK_RV(CKR_SESSION_HANDLE_INVALID): "CKR_SESSION_HANDLE_INVALID",
        CK_RV(CKR_TEMPLATE_INCOMPLETE): "CKR_TEMPLATE_INCOMPLETE", CK_RV(CKR_TEMPLATE_INCONSISTENT): "CKR_TEMPLATE_INCONSISTENT",
        CK_RV(CKR_TOKEN_NOT_PRESENT): "CKR_TOKEN_NOT_PRESENT", CK_RV(CKR_USER_NOT_LOGGED_IN): "CKR_USER_NOT_LOGGED_IN",
        CK_RV(CKR_USER_ALREADY_LOGGED_IN): "CKR_USER_ALREADY_LOGGED_IN", CK_RV(CKR_USER_PIN_NOT_INITIALIZED): "CKR_USER_PIN_NOT_INITIALIZED",
        CK_RV(CKR_DOMAIN_PARAMS_INVALID): "CKR_DOMAIN_PARAMS_INVALID", CK_RV(CKR_CURVE_NOT_SUPPORTED): "CKR_CURVE_NOT_SUPPORTED",
        CK_RV(CKR_CRYPTOKI_NOT_INITIALIZED): "CKR_CRYPTOKI_NOT_INITIALIZED", CK_RV(CKR_TOKEN_NOT_RECOGNIZED): "CKR_TOKEN_NOT_RECOGNIZED",
        CK_RV(CKR_OBJECT_HANDLE_INVALID): "CKR_OBJECT_HANDLE_INVALID", CK_RV(CKR_BUFFER_TOO_SMALL): "CKR_BUFFER_TOO_SMALL",
        CK_RV(CKR_SESSION_READ_ONLY_EXISTS): "CKR_SESSION_READ_ONLY_EXISTS",
        CK_RV(CKR_SLOT_ID_INVALID): "CKR_SLOT_ID_INVALID",
        CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED): "CKR_CRYPTOKI_ALREADY_INITIALIZED",
    ]

    static func name(_ code: CK_RV) -> String {
        names[code] ?? "CKR 0x" + String(code, radix: 16, uppercase: true)
    }
}
