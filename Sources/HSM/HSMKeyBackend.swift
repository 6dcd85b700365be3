import CACore
import Foundation
import Synchronization
import X509

/// CA keys generated and kept inside a PKCS#11 token (django-ca's HSMBackend). The database holds only where a
/// key is: this backend's alias and, as the location, the token label, key label, CKA_ID and key type as JSON.
public final class HSMKeyBackend: KeyBackend {
    public let name: String
    let libraryPath: String
    let tokenLabel: String
    let configuredLogin: TokenLogin?
    /// Tokens by login: a caller may log in with another PIN than the settings' (`key_backend_options` in the API).
    private let tokens = Mutex<[TokenLogin?: PKCS11Token]>([:])

    /// `userPIN` wins over `securityOfficerPIN` when both are given, as in django-ca.
    public init(alias: String, libraryPath: String, tokenLabel: String, userPIN: String?, securityOfficerPIN: String? = nil) {
        name = alias
        self.libraryPath = libraryPath
        self.tokenLabel = tokenLabel
        configuredLogin = TokenLogin(userPIN: userPIN, securityOfficerPIN: securityOfficerPIN)
    }

    /// The location stored for a key: what finds it again in the token.
    struct Location: Codable {
        var token: String
        var keyLabel: String
        /// nil for keys found by label alone (OCSP responder keys, named after their certificate).
        var keyID: String?
        var keyType: String?

        enum CodingKeys: String, CodingKey {
            case token
            case keyLabel = "key_label"
            case keyID = "key_id"
            case keyType = "key_type"
        }
    }

    /// The token's session pool for a login: a PIN the caller gives is the user's, else the configured login.
    func token(pin: String?) throws -> PKCS11Token {
        let login = pin.flatMap { TokenLogin(userPIN: $0, securityOfficerPIN: nil) } ?? configuredLogin
        let library = try PKCS11Library.open(libraryPath)
        return tokens.withLock { tokens in
            if let token = tokens[login] { return token }
            let token = PKCS11Token(library: library, label: tokenLabel, login: login)
            tokens[login] = token
            return token
        }
    }

    /// `password` is the user PIN when given (`--hsm-user-pin`), else the PIN from CA_KEY_BACKENDS.
    public func createKey(_ algorithm: KeyAlgorithm, label: String, password: String?) throws -> CreatedKey {
        let token = try token(pin: password)
        let key = try token.generate(algorithm, label: label)
        return CreatedKey(reference: try reference(for: key), signer: Certificate.PrivateKey(TokenPrivateKey(token: token, key: key)))
    }

    /// Moves an existing key into the token; `password` is the user PIN when given. The key file it came from is
    /// the user's to delete.
    public func importKey(_ key: Certificate.PrivateKey, label: String, password: String?) throws -> KeyReference {
        let token = try token(pin: password)
        let stored = try token.store(try PrivateKeyComponents(key), publicKey: key.publicKey, label: label)
        return try reference(for: stored)
    }

    func reference(for key: TokenKey) throws -> KeyReference {
        let location = Location(token: tokenLabel, keyLabel: key.label, keyID: key.identifier, keyType: key.type.rawValue)
        return KeyReference(backend: name, location: String(decoding: try JSONEncoder().encode(location), as: UTF8.self))
    }

    public func reference(forLabel label: String) -> KeyReference {
        let location = Location(token: tokenLabel, keyLabel: label, keyID: nil, keyType: nil)
        let encoded = (try? JSONEncoder().encode(location)).map { String(decoding: $0, as: UTF8.self) } ?? label
        return KeyReference(backend: name, location: encoded)
    }

    func location(of reference: KeyReference) throws -> Location {
        guard let location = try? JSONDecoder().decode(Location.self, from: Data(reference.location.utf8)),
            location.keyType.map({ TokenKeyType(rawValue: $0) != nil }) ?? true
        else {
            throw CAError(.keyAccess, "the stored location of an HSM key cannot be read: \(reference.location)")
        }
        return location
    }

    public func loadSigner(_ reference: KeyReference, password: String?) throws -> Certificate.PrivateKey {
        let location = try location(of: reference)
        guard location.token == tokenLabel else {
            throw CAError(.keyAccess, "the key is in token \"\(location.token)\", but key backend \"\(name)\" uses token \"\(tokenLabel)\"")
        }
        let token = try token(pin: password)
        let key = try token.find(label: location.keyLabel, identifier: location.keyID, type: location.keyType.flatMap(TokenKeyType.init))
        return Certificate.PrivateKey(TokenPrivateKey(token: token, key: key))
    }

    /// The token's PIN is a setting, not a per-key password.
    public func isPasswordProtected(_ reference: KeyReference) throws -> Bool { false }

    public func removeKey(_ reference: KeyReference) throws {
        let location = try location(of: reference)
        try token(pin: nil).destroy(label: location.keyLabel, identifier: location.keyID)
    }

    /// Whether the token answers on a logged-in session now: the server's health endpoint reports it.
    public func problems() -> [String] {
        do {
            try token(pin: nil).probe()
            return []
        } catch let error as CAError {
            return ["key backend \"\(name)\" (token \"\(tokenLabel)\"): \(error.message)"]
        } catch {
            return ["key backend \"\(name)\" (token \"\(tokenLabel)\"): \(error)"]
        }
    }

    public func describe(_ reference: KeyReference) -> String {
        guard let location = try? location(of: reference) else { return "HSM (\(name)) \(reference.location)" }
        let details = [location.keyType, location.keyID.map { "id " + $0 }].compactMap { $0 }.joined(separator: ", ")
        return "HSM \(name): token \"\(location.token)\", key label \"\(location.keyLabel)\"\(details.isEmpty ? "" : " (" + details + ")")"
    }
}
