import CACore

/// An ACME request body: a flattened JWS whose protected header, payload and signature the service reads
/// before it knows the account.
enum JWSTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard let request = try? FlattenedJWS(json: bytes) else { return }
        _ = try? request.payloadJSONObject()
        if let key = try? request.verifiedEmbeddedKey() {
            _ = key.thumbprint()
        }
    }
}
