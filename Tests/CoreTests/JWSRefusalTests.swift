import Crypto
import Foundation
import Testing

@testable import CACore

private typealias Support = JWSTestSupport

/// Requests an ACME server must refuse, and the failure each is refused with.
@Suite("JWS refusals")
struct JWSRefusalTests {
    /// certbot's ES256 newAccount request: a JWS with an embedded key.
    static func certbotRequest(form: String = "jwk", key: String = "es256") throws -> (JWSTestSupport.Fixtures.Request, JSONWebKey) {
        let fixtures = try Support.fixtures.get()
        let request = try #require(fixtures.requests.first { $0.form == form && $0.key == key && !$0.payload.isEmpty })
        return (request, try JSONWebKey(jsonObject: try fixtures.key(key).jwk))
    }

    static func rebuilt(_ body: String, changing member: String, to value: String?) throws -> String {
        var members = try Support.members(of: body)
        members[member] = value
        return try Support.jsonText(members)
    }

    @Test("A changed payload, protected header or signature no longer verifies", arguments: ["jwk", "kid"])
    func tampering(_ form: String) throws {
        for keyName in ["es256", "es384", "rs256", "ed25519"] {
            let (request, key) = try Self.certbotRequest(form: form, key: keyName)
            let members = try Support.members(of: request.body)

            let payload = try Self.rebuilt(request.body, changing: "payload", to: Support.b64(#"{"contact":["mailto:evil@example.com"]}"#))
            Support.expectFailure(.badSignature) { try Support.parse(payload).verify(with: key) }

            var header = try Support.protectedHeader(of: request.body)
            header["url"] = "https://ca.example/acme/revoke-cert"
            let protected = try Self.rebuilt(request.body, changing: "protected", to: Support.b64(try Support.jsonText(header)))
            Support.expectFailure(.badSignature) { try Support.parse(protected).verify(with: key) }

            var signature = try #require(Base64URL.decode(members["signature"] ?? ""))
            signature[signature.count / 2] ^= 0x01
            let flipped = try Self.rebuilt(request.body, changing: "signature", to: Base64URL.encode(signature))
            Support.expectFailure(.badSignature) { try Support.parse(flipped).verify(with: key) }

            let truncated = try Self.rebuilt(request.body, changing: "signature", to: Base64URL.encode(signature.dropLast()))
            Support.expectFailure(.badSignature) { try Support.parse(truncated).verify(with: key) }
        }
    }

    @Test("An ECDSA signature in DER instead of r‖s is badSignature")
    func derSignature() throws {
        guard case .p256(let privateKey) = Support.p256 else {
            Issue.record("Support.p256 is not a P-256 key")
            return
        }
        let header = try Support.header(alg: "ES256", key: Support.p256)
        let body = try Support.body(header: header, key: Support.p256)
        var members = try Support.members(of: body)
        let input = Array("\(members["protected"] ?? "").\(members["payload"] ?? "")".utf8)
        members["signature"] = Base64URL.encode(Array(try privateKey.signature(for: input).derRepresentation))
        let jws = try Support.parse(try Support.jsonText(members))
        Support.expectFailure(.badSignature) { try jws.verify(with: try Support.p256.jwk) }
        try Support.parse(body).verify(with: try Support.p256.jwk)
    }

    @Test("An alg that does not fit the key is badSignatureAlgorithm")
    func algorithmForAnotherKey() throws {
        for (alg, key) in [("ES384", Support.p256), ("ES256", Support.p384), ("RS256", Support.p256), ("EdDSA", Support.p256), ("ES256", Support.ed25519)] {
            let jws = try Support.parse(try Support.body(header: try Support.header(alg: alg, key: key), key: key))
            Support.expectFailure(.badSignatureAlgorithm) { _ = try jws.verifiedEmbeddedKey() }
        }
        // A kid request verified with an account key of another type.
        let (request, _) = try Self.certbotRequest(form: "kid", key: "es256")
        let rsaKey = try JSONWebKey(jsonObject: JSONWebKeyTestsData.rsa)
        Support.expectFailure(.badSignatureAlgorithm) { try Support.parse(request.body).verify(with: rsaKey) }
    }

    @Test("alg none, MAC algorithms and unsupported signatures are badSignatureAlgorithm with the accepted list",
          arguments: ["none", "HS256", "HS512", "RS384", "RS512", "PS256", "ES512", "Ed25519", "es256", ""])
    func refusedAlgorithms(_ alg: String) throws {
        var members = try Support.members(of: try Support.body(header: try Support.header(alg: alg, key: Support.p256), key: Support.p256))
        if alg == "none" { members["signature"] = "" }
        let body = try Support.jsonText(members)
        let error = Support.expectFailure(.badSignatureAlgorithm) { _ = try Support.parse(body) }
        #expect(error?.supportedAlgorithms == ["RS256", "ES256", "ES384", "EdDSA"])
        #expect(error?.problemType == "urn:ietf:params:acme:error:badSignatureAlgorithm")
    }

    @Test("Header rules: jwk and kid exclusive, nonce present and base64url, url present, no extensions")
    func headerRules() throws {
        let base = try Support.header(alg: "ES256", key: Support.p256)
        func failure(_ change: (inout [String: Any]) -> Void) throws -> JWSFailure? {
            var header = base
            change(&header)
            do {
                _ = try Support.parse(try Support.body(header: header, key: Support.p256))
                return nil
            } catch let error as JWSError {
                return error.failure
            }
        }
        #expect(try failure { $0["kid"] = "https://ca.example/acme/account/1" } == .malformed)
        #expect(try failure { $0["jwk"] = nil } == .malformed)
        #expect(try failure { $0["jwk"] = nil; $0["kid"] = "" } == .malformed)
        #expect(try failure { $0["jwk"] = nil; $0["kid"] = 7 } == .malformed)
        #expect(try failure { $0["jwk"] = "key" } == .malformed)
        #expect(try failure { $0["nonce"] = nil } == .badNonce)
        #expect(try failure { $0["nonce"] = "bm9uY2U=" } == .malformed)
        #expect(try failure { $0["nonce"] = "" } == .malformed)
        #expect(try failure { $0["nonce"] = 1 } == .malformed)
        #expect(try failure { $0["url"] = nil } == .malformed)
        #expect(try failure { $0["url"] = ["https://ca.example"] } == .malformed)
        #expect(try failure { $0["alg"] = nil } == .malformed)
        #expect(try failure { $0["alg"] = 256 } == .malformed)
        #expect(try failure { $0["crit"] = ["b64"]; $0["b64"] = false } == .malformed)
        #expect(try failure { $0["typ"] = "JOSE"; $0["x-extra"] = 1 } == nil)
        #expect(try failure { _ in } == nil)
    }

    @Test("The general serialization, an unprotected header and missing members are malformed")
    func serialization() throws {
        let (request, _) = try Self.certbotRequest()
        let members = try Support.members(of: request.body)
        let general: [String: Any] = [
            "payload": members["payload"] ?? "",
            "signatures": [["protected": members["protected"] ?? "", "signature": members["signature"] ?? ""]],
        ]
        var withHeader: [String: Any] = members
        withHeader["header"] = ["kid": "x"]
        var both: [String: Any] = members
        both["signatures"] = general["signatures"]
        var bodies = [try Support.jsonText(general), try Support.jsonText(withHeader), try Support.jsonText(both)]
        for member in ["protected", "payload", "signature"] {
            bodies.append(try Self.rebuilt(request.body, changing: member, to: nil))
        }
        bodies.append(try Self.rebuilt(request.body, changing: "protected", to: ""))
        var numberPayload: [String: Any] = members
        numberPayload["payload"] = 5
        bodies.append(try Support.jsonText(numberPayload))
        for body in bodies {
            Support.expectFailure(.malformed) { _ = try Support.parse(body) }
        }
        // Members RFC 7515 does not define are ignored (§7.2.1).
        var extra: [String: Any] = members
        extra["comment"] = "ignored"
        _ = try Support.parse(try Support.jsonText(extra))
    }

    @Test("Padding or the standard alphabet in any member is malformed")
    func base64Padding() throws {
        let (request, _) = try Self.certbotRequest(key: "rs256")
        let members = try Support.members(of: request.body)
        for member in ["protected", "payload", "signature"] {
            let value = members[member] ?? ""
            for changed in [value + "=", value + "==", value + "A+/A", " " + value] {
                let body = try Self.rebuilt(request.body, changing: member, to: changed)
                Support.expectFailure(.malformed) { _ = try Support.parse(body) }
            }
        }
    }

    @Test("Bodies that are not JSON objects, headers and payloads that are not JSON objects, are malformed")
    func notObjects() throws {
        for body in ["", "hello", "[]", "\"jws\"", "3", "null", "{", "{\"protected\":}", "\u{FEFF}{}", "{\"a\":\"\u{0}\"}"] {
            Support.expectFailure(.malformed) { _ = try Support.parse(body) }
        }
        Support.expectFailure(.malformed) { _ = try FlattenedJWS(json: [0x7B, 0x00, 0x7D, 0x00]) }  // "{}" in UTF-16LE
        Support.expectFailure(.malformed) { _ = try FlattenedJWS(json: [0x7B, 0xFF, 0x7D]) }  // not UTF-8
        for header in ["[]", "not json", "\"ES256\"", ""] {
            let body = try Support.jsonText(["protected": Support.b64(header), "payload": "", "signature": ""])
            Support.expectFailure(.malformed) { _ = try Support.parse(body) }
        }
        for payload in ["[]", "not json", "\"x\"", "null"] {
            let jws = try Support.parse(try Support.body(header: try Support.header(alg: "ES256", key: Support.p256), payload: payload, key: Support.p256))
            try jws.verify(with: try Support.p256.jwk)
            Support.expectFailure(.malformed) { _ = try jws.payloadJSONObject() }
        }
    }

    @Test("Bodies over the size cap are refused before parsing")
    func sizeCap() throws {
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: FlattenedJWS.maximumSize + 1)
        let error = Support.expectFailure(.malformed) { _ = try FlattenedJWS(json: huge) }
        #expect(error?.message.contains("\(FlattenedJWS.maximumSize)") == true)
        let deep = Array((String(repeating: "[", count: 60_000) + String(repeating: "]", count: 60_000)).utf8)
        Support.expectFailure(.malformed) { _ = try FlattenedJWS(json: deep) }
        let deepObject = Array((String(repeating: #"{"a":"#, count: 20_000) + "1" + String(repeating: "}", count: 20_000)).utf8)
        Support.expectFailure(.malformed) { _ = try FlattenedJWS(json: deepObject) }
    }

    @Test("Every failure maps to an RFC 8555 problem type")
    func problemTypes() {
        let expected: [JWSFailure: String] = [
            .malformed: "malformed", .badSignature: "malformed", .badSignatureAlgorithm: "badSignatureAlgorithm",
            .badPublicKey: "badPublicKey", .badNonce: "badNonce", .unauthorized: "unauthorized",
        ]
        for failure in JWSFailure.allCases {
            #expect(failure.problemType == "urn:ietf:params:acme:error:" + (expected[failure] ?? "?"))
            let error = JWSError(failure, "message")
            #expect((error.supportedAlgorithms != nil) == (failure == .badSignatureAlgorithm))
            #expect(error.caError == CAError(.invalidInput, "message"))
        }
    }
}

/// Random and mutated input: the parser must throw a JWSError, never crash, and never accept a body
/// whose signed content differs from what was signed.
@Suite("JWS garbage input")
struct JWSGarbageInputTests {
    @Test("Thousands of random buffers are refused without crashing")
    func randomBuffers() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,"protected""payload""signature"eyJ-_=0123456789 ABCabc\"#.utf8)
        for round in 0..<3_000 {
            let length = Int.random(in: 0...600, using: &generator)
            let bytes: [UInt8] = (0..<length).map { _ in
                // Half the buffers draw from JSON-ish characters, to get past the first byte more often.
                round % 2 == 0 ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator) ?? 0
            }
            do {
                let jws = try FlattenedJWS(json: bytes)
                Issue.record("random bytes parsed as a JWS: \(jws.header)")
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("Mutated certbot requests either fail or verify with the original signed content")
    func mutatedRequests() throws {
        var generator = SystemRandomNumberGenerator()
        let fixtures = try Support.fixtures.get()
        for request in fixtures.requests {
            let key = try JSONWebKey(jsonObject: try fixtures.key(request.key).jwk)
            let original = try Support.parse(request.body)
            let bytes = Array(request.body.utf8)
            for _ in 0..<150 {
                var mutated = bytes
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: 0..<mutated.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: mutated[index] = UInt8.random(in: 0...255, using: &generator)
                    case 1: mutated.remove(at: index)
                    default: mutated.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                    }
                    if mutated.isEmpty { break }
                }
                do {
                    let jws = try FlattenedJWS(json: mutated)
                    try jws.verify(with: key)
                    #expect(jws.signingInput == original.signingInput && jws.signature == original.signature)
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
        }
    }
}
