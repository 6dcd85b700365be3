import CACore
import Crypto
import Foundation

/// The `externalAccountBinding` member of a newAccount payload: read, then checked against the CA's record
/// (key identifier, MAC key) and the outer request (url, account key).
///
/// The outer request's values are taken from the binding itself and the MAC key is a fixed one, so that
/// seeds made with that key (see `scripts/fuzz-seeds`) get past the MAC to the bound key's parser.
enum ExternalAccountBindingTarget {
    static let macKey = Array("swift-ca fuzzing EAB MAC key 32b".utf8)

    @Sendable static func run(_ bytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let binding = try? ExternalAccountBinding(jsonObject: object)
        else { return }
        try? binding.verify(expectedKeyID: binding.keyID, macKey: macKey, outerURL: binding.url, accountKey: accountKey)
    }

    /// The outer request's key, which the bound key is compared with once the MAC verifies.
    private static let accountKey = JSONWebKey(p256: P256.Signing.PrivateKey().publicKey)
}
