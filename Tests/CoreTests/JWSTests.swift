import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

private typealias Support = JWSTestSupport

/// Requests signed by certbot's acme package (josepy) and, for EdDSA, by Python's `cryptography`.
@Suite("JWS requests made by certbot")
struct JWSFixtureTests {
    @Test("The fixtures load and cover every algorithm, both key forms and POST-as-GET")
    func fixturesLoad() throws {
        let fixtures = try Support.fixtures.get()
        let parsed = try fixtures.requests.map { try Support.parse($0.body) }
        #expect(Set(parsed.map(\.header.algorithm)) == Set(JWSAlgorithm.allCases))
        #expect(parsed.contains { $0.header.jwk != nil } && parsed.contains { $0.header.keyID != nil })
        #expect(parsed.contains { $0.isPostAsGet })
        #expect(fixtures.bindings.count >= 4, "\(fixtures.generator)")
    }

    @Test("Each request parses, its header says what certbot signed, and its signature verifies", arguments: Support.requests)
    func request(_ request: JWSTestSupport.Fixtures.Request) throws {
        let fixtureKey = try Support.fixtures.get().key(request.key)
        let key = try JSONWebKey(jsonObject: fixtureKey.jwk)
        let jws = try Support.parse(request.body)

        #expect(jws.header.algorithm == key.signatureAlgorithm)
        #expect(jws.header.url == request.url)
        #expect(Base64URL.decode(jws.header.nonce)?.count == 16)
        #expect(jws.payload == Array(request.payload.utf8))
        #expect(jws.isPostAsGet == request.payload.isEmpty)
        switch request.form {
        case "jwk":
            #expect(jws.header.keyID == nil)
            let embedded = try jws.verifiedEmbeddedKey()
            #expect(embedded == key)
            #expect(embedded.thumbprint() == fixtureKey.thumbprint)
        default:
            #expect(jws.header.jwk == nil)
            #expect(jws.header.keyID == request.kid)
            try jws.verify(with: key)
            Support.expectFailure(.malformed) { _ = try jws.verifiedEmbeddedKey() }
        }
        if request.payload.isEmpty {
            Support.expectFailure(.malformed) { _ = try jws.payloadJSONObject() }
        } else {
            let object = try jws.payloadJSONObject()
            #expect(object["contact"] != nil || object["identifiers"] != nil)
        }
    }

    @Test("Another key of the same type does not verify a request", arguments: Support.requests)
    func otherKey(_ request: JWSTestSupport.Fixtures.Request) throws {
        let fixtures = try Support.fixtures.get()
        let jws = try Support.parse(request.body)
        let algorithm = try JSONWebKey(jsonObject: try fixtures.key(request.key).jwk).signatureAlgorithm
        for other in fixtures.keys where other.name != request.key {
            let otherKey = try JSONWebKey(jsonObject: other.jwk)
            // The two RSA fixtures share RS256; every other pair differs in algorithm.
            Support.expectFailure(otherKey.signatureAlgorithm == algorithm ? .badSignature : .badSignatureAlgorithm) {
                try jws.verify(with: otherKey)
            }
        }
    }
}

/// JWK parsing, thumbprints and key authorizations.
@Suite("JWS keys and thumbprints")
struct JWSKeyTests {
    /// RFC 7638 §3.1's example key.
    static let rfc7638Key: [String: String] = [
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    ]

    @Test("RFC 7638 §3.1: the example key's thumbprint and canonical JSON")
    func rfc7638Example() throws {
        let key = try JSONWebKey(jsonObject: Self.rfc7638Key)
        #expect(key.thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(key.canonicalJSON.hasPrefix(#"{"e":"AQAB","kty":"RSA","n":"0vx7"#))
        #expect(key.algorithm == .rsa(bits: 2048))
        #expect(key.keyAuthorization(token: "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA")
            == "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test("josepy's thumbprint equals ours, and the key equals the one cryptography writes as SPKI", arguments: Support.keyNames)
    func fixtureKey(_ name: String) throws {
        let fixture = try Support.fixtures.get().key(name)
        let key = try JSONWebKey(jsonObject: fixture.jwk)
        #expect(key.thumbprint() == fixture.thumbprint)
        let spki = try #require(Data(base64Encoded: fixture.spki))
        let certificateKey = try Certificate.PublicKey(derEncoded: Array(spki))
        #expect(key.publicKey == certificateKey)
        #expect(try JSONWebKey(publicKey: certificateKey) == key)
        #expect(try JSONWebKey(json: Array(key.canonicalJSON.utf8)) == key)
    }

    @Test("Member order, optional members and a leading zero in n leave the key and thumbprint unchanged")
    func equivalentForms() throws {
        let key = try JSONWebKey(jsonObject: Self.rfc7638Key)
        var padded = Self.rfc7638Key
        padded["n"] = Base64URL.encode([0] + (Base64URL.decode(padded["n"] ?? "") ?? []))
        padded["use"] = "sig"
        let paddedKey = try JSONWebKey(jsonObject: padded)
        #expect(paddedKey == key && paddedKey.thumbprint() == key.thumbprint())
        let reordered = try JSONWebKey(json: Array(#"{"e":"AQAB","n":"\#(Self.rfc7638Key["n"] ?? "")","kty":"RSA"}"#.utf8))
        #expect(reordered == key)
    }

    @Test("Keys made here round-trip through JWK members, SPKI and thumbprint")
    func swiftKeys() throws {
        for signingKey in [Support.p256, Support.p384, Support.ed25519] {
            let key = try signingKey.jwk
            let reread = try JSONWebKey(jsonObject: key.members)
            #expect(reread == key && reread.thumbprint() == key.thumbprint())
            #expect(try JSONWebKey(publicKey: key.publicKey) == key)
            #expect(KeyAlgorithm(publicKey: key.publicKey) == key.algorithm)
        }
        #expect(try Support.p256.jwk != Support.otherP256.jwk)
    }

    @Test("RSA below 2048 bits is badPublicKey, from josepy's JWK and in certbot's request")
    func weakRSA() throws {
        let refused = try Support.fixtures.get().refused.rsa1024
        let error = Support.expectFailure(.badPublicKey) { _ = try JSONWebKey(jsonObject: refused.jwk) }
        #expect(error?.message.contains("1024 bits") == true)
        Support.expectFailure(.badPublicKey) { _ = try Support.parse(refused.body ?? "") }
    }

    @Test("A JWK with private members is malformed", arguments: ["privateEC", "privateRSA", "oct"])
    func privateMembers(_ which: String) throws {
        let refused = try Support.fixtures.get().refused
        let jwk: [String: String]
        switch which {
        case "privateEC": jwk = refused.privateEC.jwk
        case "privateRSA": jwk = refused.privateRSA.jwk
        default: jwk = ["kty": "oct", "k": "c2VjcmV0"]
        }
        let error = Support.expectFailure(.malformed) { _ = try JSONWebKey(jsonObject: jwk) }
        #expect(error?.message.contains("private key member") == true)
    }

    @Test("Unsupported key types and curves are badPublicKey")
    func unsupportedKeys() throws {
        let coordinate32 = Base64URL.encode([UInt8](repeating: 1, count: 32))
        let coordinate66 = Base64URL.encode([UInt8](repeating: 1, count: 66))
        let cases: [[String: String]] = [
            ["kty": "EC", "crv": "P-521", "x": coordinate66, "y": coordinate66],
            ["kty": "EC", "crv": "secp256k1", "x": coordinate32, "y": coordinate32],
            ["kty": "OKP", "crv": "X25519", "x": coordinate32],
            ["kty": "OKP", "crv": "Ed448", "x": Base64URL.encode([UInt8](repeating: 1, count: 57))],
            ["kty": "oct"],
            ["kty": "DSA"],
        ]
        for jwk in cases {
            Support.expectFailure(.badPublicKey) { _ = try JSONWebKey(jsonObject: jwk) }
        }
        let p521 = P521.Signing.PrivateKey().publicKey
        Support.expectFailure(.badPublicKey) { _ = try JSONWebKey(publicKey: Certificate.PublicKey(p521)) }
    }

    @Test("EC points off the curve and RSA keys BoringSSL refuses are badPublicKey")
    func invalidKeys() throws {
        let p256 = try Support.p256.jwk.members
        var offCurve = p256
        offCurve["y"] = p256["x"]
        Support.expectFailure(.badPublicKey) { _ = try JSONWebKey(jsonObject: offCurve) }
        for exponent in ["AQ", "Ag", "AAE"] {  // 1, 2, 1 with a leading zero
            var rsa = JSONWebKeyTestsData.rsa
            rsa["e"] = exponent
            Support.expectFailure(.badPublicKey) { _ = try JSONWebKey(jsonObject: rsa) }
        }
        var huge = JSONWebKeyTestsData.rsa
        huge["n"] = Base64URL.encode([UInt8](repeating: 0xC5, count: 1025))
        Support.expectFailure(.badPublicKey) { _ = try JSONWebKey(jsonObject: huge) }
    }

    @Test("Wrong lengths, missing members and wrong types are malformed")
    func malformedKeys() throws {
        let p256 = try Support.p256.jwk.members
        var short = p256
        short["x"] = Base64URL.encode([UInt8](repeating: 1, count: 31))
        var long = p256
        long["y"] = Base64URL.encode([UInt8](repeating: 1, count: 33))
        var missing = p256
        missing["y"] = nil
        var padded = p256
        padded["x"] = (p256["x"] ?? "") + "="
        var noType = p256
        noType["kty"] = nil
        let ed25519Short: [String: String] = ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode([UInt8](repeating: 1, count: 31))]
        for jwk in [short, long, missing, padded, noType, ed25519Short] {
            Support.expectFailure(.malformed) { _ = try JSONWebKey(jsonObject: jwk) }
        }
        let numberX: [String: Any] = ["kty": "EC", "crv": "P-256", "x": 5, "y": p256["y"] ?? ""]
        for value in [numberX, "not a key", [p256], NSNull()] as [Any] {
            Support.expectFailure(.malformed) { _ = try JSONWebKey(jsonObject: value) }
        }
    }
}

/// RFC 7638 §3.1's key, for tests that vary its members.
enum JSONWebKeyTestsData {
    static let rsa = JWSKeyTests.rfc7638Key
}

@Suite("JWS base64url")
struct JWSBase64URLTests {
    @Test("RFC 4648 §10 test vectors, without padding")
    func vectors() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test("Padding, the standard alphabet, whitespace, impossible lengths and stray bits are refused")
    func strictDecoding() {
        for text in ["Zg==", "Zg=", "Zm8=", "+/+/", "Zm9v\n", " Zm9v", "Zm9vY", "Zh", "Zm9", "Zm9vYmF=", "é"] {
            #expect(Base64URL.decode(text) == nil, "\(text)")
        }
    }

    @Test("Random bytes round-trip and match Foundation's base64 with the URL alphabet")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            let foundation = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(encoded == foundation)
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }
}
