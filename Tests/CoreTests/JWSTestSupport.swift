import Crypto
import Foundation
import Testing
import X509
import _CryptoExtras

@testable import CACore

/// Fixtures and JWS construction for the JWS tests, kept in one namespace so they cannot clash with other
/// test files.
enum JWSTestSupport {
    /// Fixtures/JWS/requests.json, written by Fixtures/JWS/generate.py with certbot's acme package and josepy.
    struct Fixtures: Decodable {
        struct Key: Decodable {
            var name: String
            var jwk: [String: String]
            var thumbprint: String
            /// Base64 DER SubjectPublicKeyInfo, as Python's `cryptography` writes it.
            var spki: String
        }

        struct Request: Decodable, CustomTestStringConvertible {
            var name: String
            var key: String
            /// "jwk" or "kid".
            var form: String
            var url: String
            var kid: String?
            /// The payload text certbot signed; empty for POST-as-GET.
            var payload: String
            /// The JSON body certbot would POST.
            var body: String
            var testDescription: String { name }
        }

        struct Binding: Decodable, CustomTestStringConvertible {
            var name: String
            var key: String
            var kid: String
            var alg: String
            var macKey: String
            var url: String
            /// A newAccount request whose payload carries the binding.
            var body: String
            var testDescription: String { name }
        }

        struct RefusedKey: Decodable {
            var jwk: [String: String]
            var body: String?
        }

        struct Refused: Decodable {
            var rsa1024: RefusedKey
            var privateEC: RefusedKey
            var privateRSA: RefusedKey
        }

        var generator: String
        var keys: [Key]
        var requests: [Request]
        var bindings: [Binding]
        var refused: Refused

        func key(_ name: String) throws -> Key {
            try #require(keys.first { $0.name == name }, "no fixture key \(name)")
        }
    }

    static let fixturePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/JWS/requests.json")

    static let fixtures = Result(catching: {
        try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: fixturePath))
    })

    /// Read at test-collection time for parameterized tests; empty if the file is missing, which the
    /// `fixturesLoad` test reports.
    static var requests: [Fixtures.Request] { (try? fixtures.get().requests) ?? [] }
    static var bindings: [Fixtures.Binding] { (try? fixtures.get().bindings) ?? [] }
    static var keyNames: [String] { (try? fixtures.get().keys.map(\.name)) ?? [] }

    static func jsonObject(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func jsonText(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func b64(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }

    /// The body's members as strings, to rebuild it with one of them changed.
    static func members(of body: String) throws -> [String: String] {
        try #require(try jsonObject(body) as? [String: String])
    }

    /// The body's protected header as JSON.
    static func protectedHeader(of body: String) throws -> [String: Any] {
        let protected = try #require(Base64URL.decode(try members(of: body)["protected"] ?? ""))
        return try #require(try JSONSerialization.jsonObject(with: Data(protected)) as? [String: Any])
    }

    /// Runs `body` expecting a `JWSError` with `failure`; returns it for more checks.
    @discardableResult
    static func expectFailure(
        _ failure: JWSFailure, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> JWSError? {
        do {
            try body()
            Issue.record("expected \(failure), but nothing was thrown", sourceLocation: sourceLocation)
            return nil
        } catch let error as JWSError {
            #expect(error.failure == failure, "\(error.message)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected a JWSError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// A key that signs flattened JWSs made here, for cases no outside client produces.
    enum SigningKey {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)

        var jwk: JSONWebKey {
            get throws {
                switch self {
                case .p256(let key): return JSONWebKey(p256: key.publicKey)
                case .p384(let key): return JSONWebKey(p384: key.publicKey)
                case .ed25519(let key): return JSONWebKey(ed25519: key.publicKey)
                case .rsa(let key): return try JSONWebKey(publicKey: Certificate.PublicKey(key.publicKey))
                }
            }
        }

        func sign(_ input: [UInt8]) throws -> [UInt8] {
            switch self {
            case .p256(let key): return Array(try key.signature(for: input).rawRepresentation)
            case .p384(let key): return Array(try key.signature(for: input).rawRepresentation)
            case .ed25519(let key): return Array(try key.signature(for: input))
            case .rsa(let key): return Array(try key.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        }
    }

    static let p256 = SigningKey.p256(P256.Signing.PrivateKey())
    static let otherP256 = SigningKey.p256(P256.Signing.PrivateKey())
    static let p384 = SigningKey.p384(P384.Signing.PrivateKey())
    static let ed25519 = SigningKey.ed25519(Curve25519.Signing.PrivateKey())

    /// A header with `alg`, this key's `jwk`, a nonce and a URL; tests add, change or remove members.
    static func header(alg: String, key: SigningKey) throws -> [String: Any] {
        ["alg": alg, "jwk": try key.jwk.members, "nonce": "bm9uY2U", "url": "https://ca.example/acme/new-account"]
    }

    /// A flattened JWS over `header` and `payload`, signed with `key` whatever the header says.
    static func body(header: [String: Any], payload: String = "{}", key: SigningKey) throws -> String {
        let protected = b64(try jsonText(header))
        let encodedPayload = b64(payload)
        let signature = try key.sign(Array("\(protected).\(encodedPayload)".utf8))
        return try jsonText(["protected": protected, "payload": encodedPayload, "signature": Base64URL.encode(signature)])
    }

    static func parse(_ body: String) throws(JWSError) -> FlattenedJWS {
        try FlattenedJWS(json: Array(body.utf8))
    }

    /// An external account binding MAC'd here, with `header` and `payload` as given.
    static func binding(header: [String: Any], payload: String, macKey: [UInt8]) throws -> [String: String] {
        let protected = b64(try jsonText(header))
        let encodedPayload = b64(payload)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(protected).\(encodedPayload)".utf8), using: SymmetricKey(data: macKey))
        return ["protected": protected, "payload": encodedPayload, "signature": Base64URL.encode(Array(mac))]
    }
}
