import X509

/// Where a CA's key lives; stored in the database as two strings.
///
/// `backend` names the ``KeyBackend`` that understands `location` (for the file backend, "file" and the key
/// file's name inside the key directory), so a CA can move between machines as long as the backend can be
/// configured there.
public struct KeyReference: Codable, Sendable, Hashable {
    /// The ``KeyBackend/name`` of the backend holding the key.
    public var backend: String
    /// Where the key is within that backend, in the backend's own notation.
    public var location: String

    /// Creates a reference, typically from the two strings stored with a CA.
    public init(backend: String, location: String) {
        self.backend = backend
        self.location = location
    }
}

/// A key that a backend has just made and stored.
public struct CreatedKey: Sendable {
    /// How to find the key again.
    public let reference: KeyReference
    /// The key, ready to sign, so the caller need not load it (or ask for its password) a second time.
    public let signer: Certificate.PrivateKey

    /// Pairs a stored key's reference with the key itself; used by ``KeyBackend`` implementations.
    public init(reference: KeyReference, signer: Certificate.PrivateKey) {
        self.reference = reference
        self.signer = signer
    }
}

/// A place that stores CA private keys: key files today, a PKCS#11 token or HSM later.
///
/// Everything outside this abstraction works with a ``KeyReference`` and a `Certificate.PrivateKey` signer,
/// so a backend whose keys never leave the hardware can hand out a signer built on swift-certificates'
/// `CustomPrivateKey`.
public protocol KeyBackend: Sendable {
    /// The name stored in ``KeyReference/backend``, such as "file".
    var name: String { get }

    /// Generates a key inside the backend and stores it under `label`.
    ///
    /// - Parameter password: Protects the stored key where the backend supports it; `nil` or empty stores it
    ///   without a password.
    /// - Throws: `CAError(.conflict)` if `label` is taken, `CAError(.policy)` for a refused algorithm.
    func createKey(_ algorithm: KeyAlgorithm, label: String, password: String?) throws -> CreatedKey

    /// Stores an existing key (for example one a user imports) under `label`.
    ///
    /// - Throws: `CAError(.conflict)` if `label` is taken.
    func importKey(_ key: Certificate.PrivateKey, label: String, password: String?) throws -> KeyReference

    /// Where a key stored under `label` is found, so that keys named by convention (such as an OCSP responder
    /// key named after its certificate) need no reference of their own in the database.
    func reference(forLabel label: String) -> KeyReference

    /// Opens a stored key for signing.
    ///
    /// - Throws: `CAError(.keyAccess)` when the key is missing or unreadable, or the password is missing or wrong.
    func loadSigner(_ reference: KeyReference, password: String?) throws -> Certificate.PrivateKey

    /// Whether ``loadSigner(_:password:)`` will need a password for this key.
    func isPasswordProtected(_ reference: KeyReference) throws -> Bool

    /// Deletes a stored key; used to roll back a failed CA creation. Removing a key that is already gone
    /// succeeds, so a rollback can be repeated.
    func removeKey(_ reference: KeyReference) throws

    /// A one-line description for people, such as "file /path/keys/ABCD.key (encrypted PKCS#8)".
    func describe(_ reference: KeyReference) -> String

    /// What keeps this backend from signing now (an unreachable token), one line each; empty when it can sign.
    func problems() -> [String]
}

extension KeyBackend {
    /// Files are checked when a key is read; a file backend has nothing to report ahead.
    public func problems() -> [String] { [] }
}
