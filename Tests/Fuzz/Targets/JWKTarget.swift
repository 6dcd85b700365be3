import CACore

/// A JSON Web Key as newAccount, key change and EAB payloads carry it, with the thumbprint that key
/// authorizations use and a signature check with each algorithm.
enum JWKTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard let key = try? JSONWebKey(json: bytes) else { return }
        _ = key.thumbprint()
        let signingInput = Array("fuzzing.input".utf8)
        for algorithm in JWSAlgorithm.allCases {
            try? key.verify(signature: Array(bytes.prefix(64)), over: signingInput, algorithm: algorithm)
        }
    }
}
