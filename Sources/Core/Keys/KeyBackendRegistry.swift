import Foundation
import X509

/// Every key backend of an installation (CA_KEY_BACKENDS) behind one `KeyBackend`: a stored reference goes to the
/// backend that wrote it; new keys go to the backend a caller names, else to the file backend.
public struct KeyBackendRegistry: KeyBackend {
    public let fileBackend: any KeyBackend
    private let others: [String: any KeyBackend]

    public init(fileBackend: any KeyBackend, others: [any KeyBackend] = []) {
        self.fileBackend = fileBackend
        self.others = Dictionary(others.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var name: String { fileBackend.name }

    /// The backend of an alias from CA_KEY_BACKENDS; `default` (and the file backend's own name) is the file backend.
    public func backend(alias: String?) throws -> any KeyBackend {
        guard let alias, alias != "default", alias != fileBackend.name else { return fileBackend }
        guard let backend = others[alias] else {
            let known = (["default"] + others.keys.sorted()).joined(separator: ", ")
            throw CAError(.invalidInput, "there is no key backend \"\(alias)\" in CA_KEY_BACKENDS (configured: \(known))")
        }
        return backend
    }

    func owner(of reference: KeyReference) throws -> any KeyBackend {
        if reference.backend == fileBackend.name { return fileBackend }
        guard let backend = others[reference.backend] else {
            throw CAError(.keyAccess, "the key is kept by key backend \"\(reference.backend)\", which CA_KEY_BACKENDS does not configure")
        }
        return backend
    }

    public func createKey(_ algorithm: KeyAlgorithm, label: String, password: String?) throws -> CreatedKey {
        try fileBackend.createKey(algorithm, label: label, password: password)
    }

    public func importKey(_ key: Certificate.PrivateKey, label: String, password: String?) throws -> KeyReference {
        try fileBackend.importKey(key, label: label, password: password)
    }

    public func reference(forLabel label: String) -> KeyReference { fileBackend.reference(forLabel: label) }

    public func loadSigner(_ reference: KeyReference, password: String?) throws -> Certificate.PrivateKey {
        try owner(of: reference).loadSigner(reference, password: password)
    }

    public func isPasswordProtected(_ reference: KeyReference) throws -> Bool {
        try owner(of: reference).isPasswordProtected(reference)
    }

    public func removeKey(_ reference: KeyReference) throws { try owner(of: reference).removeKey(reference) }

    public func problems() -> [String] {
        fileBackend.problems() + others.sorted(by: { $0.key < $1.key }).flatMap { $0.value.problems() }
    }

    public func describe(_ reference: KeyReference) -> String {
        (try? owner(of: reference))?.describe(reference) ?? "key backend \"\(reference.backend)\" (not configured): \(reference.location)"
    }
}
