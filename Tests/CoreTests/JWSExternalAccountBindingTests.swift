import Crypto
import Foundation
import Testing

@testable import CACore

private typealias Support = JWSTestSupport

/// External account bindings as certbot makes them (`--eab-kid`, `--eab-hmac-key`, `--eab-hmac-alg`) and
/// as lego lays them out.
@Suite("JWS external account binding")
struct JWSExternalAccountBindingTests {
    struct Opened {
        var binding: ExternalAccountBinding
        var bindingObject: Any
        var outer: FlattenedJWS
        var accountKey: JSONWebKey
        var macKey: [UInt8]
    }

    /// Verifies the outer request as a server would, and reads the binding from its payload.
    static func open(_ fixture: JWSTestSupport.Fixtures.Binding) throws -> Opened {
        let outer = try Support.parse(fixture.body)
        let accountKey = try outer.verifiedEmbeddedKey()
        let bindingObject = try #require(try outer.payloadJSONObject()["externalAccountBinding"])
        return Opened(
            binding: try ExternalAccountBinding(jsonObject: bindingObject), bindingObject: bindingObject, outer: outer,
            accountKey: accountKey, macKey: try #require(Base64URL.decode(fixture.macKey)))
    }

    @Test("certbot's and lego's bindings verify", arguments: Support.bindings)
    func fixtureBinding(_ fixture: JWSTestSupport.Fixtures.Binding) throws {
        let opened = try Self.open(fixture)
        #expect(opened.binding.keyID == fixture.kid)
        #expect(opened.binding.algorithm.rawValue == fixture.alg)
        #expect(opened.binding.url == fixture.url && opened.outer.header.url == fixture.url)
        try opened.binding.verify(
            expectedKeyID: fixture.kid, macKey: opened.macKey, outerURL: opened.outer.header.url, accountKey: opened.accountKey)
        try ExternalAccountBinding.verify(
            opened.bindingObject, expectedKeyID: fixture.kid, macKey: opened.macKey, outerURL: fixture.url,
            accountKey: opened.accountKey)
    }

    @Test("A wrong MAC key, key identifier, URL or account key is unauthorized", arguments: Support.bindings)
    func mismatches(_ fixture: JWSTestSupport.Fixtures.Binding) throws {
        let opened = try Self.open(fixture)
        let binding = opened.binding
        var wrongMAC = opened.macKey
        wrongMAC[0] ^= 0x80
        let otherKey = try Support.otherP256.jwk
        let url = opened.outer.header.url
        Support.expectFailure(.unauthorized) {
            try binding.verify(expectedKeyID: fixture.kid, macKey: wrongMAC, outerURL: url, accountKey: opened.accountKey)
        }
        Support.expectFailure(.unauthorized) {
            try binding.verify(expectedKeyID: fixture.kid, macKey: [], outerURL: url, accountKey: opened.accountKey)
        }
        Support.expectFailure(.unauthorized) {
            try binding.verify(expectedKeyID: fixture.kid + "x", macKey: opened.macKey, outerURL: url, accountKey: opened.accountKey)
        }
        Support.expectFailure(.unauthorized) {
            try binding.verify(expectedKeyID: fixture.kid, macKey: opened.macKey, outerURL: url + "/", accountKey: opened.accountKey)
        }
        Support.expectFailure(.unauthorized) {
            try binding.verify(expectedKeyID: fixture.kid, macKey: opened.macKey, outerURL: url, accountKey: otherKey)
        }
    }

    @Test("A correctly MAC'd binding over another key, or over something that is not a JWK, is refused")
    func payloadNotTheAccountKey() throws {
        let macKey = Array("a MAC key of thirty-two octets!!".utf8)
        let header: [String: Any] = ["alg": "HS256", "kid": "eab-1", "url": "https://ca.example/acme/new-account"]
        let accountKey = try Support.p256.jwk
        let otherKeyJSON = try Support.otherP256.jwk.canonicalJSON
        let cases: [(String, JWSFailure)] = [(otherKeyJSON, .unauthorized), ("{}", .malformed), ("", .malformed), ("[1]", .malformed)]
        for (payload, failure) in cases {
            let object = try Support.binding(header: header, payload: payload, macKey: macKey)
            Support.expectFailure(failure) {
                try ExternalAccountBinding.verify(
                    object, expectedKeyID: "eab-1", macKey: macKey, outerURL: "https://ca.example/acme/new-account", accountKey: accountKey)
            }
        }
        let good = try Support.binding(header: header, payload: accountKey.canonicalJSON, macKey: macKey)
        try ExternalAccountBinding.verify(
            good, expectedKeyID: "eab-1", macKey: macKey, outerURL: "https://ca.example/acme/new-account", accountKey: accountKey)
    }

    @Test("Inner headers that break RFC 8555 §7.3.4 are malformed")
    func innerHeaderRules() throws {
        let macKey = Array("a MAC key of thirty-two octets!!".utf8)
        let base: [String: Any] = ["alg": "HS256", "kid": "eab-1", "url": "https://ca.example/acme/new-account"]
        let changes: [(inout [String: Any]) -> Void] = [
            { $0["alg"] = "ES256" }, { $0["alg"] = "none" }, { $0["alg"] = nil }, { $0["kid"] = nil }, { $0["kid"] = "" },
            { $0["url"] = nil }, { $0["nonce"] = "bm9uY2U" }, { $0["crit"] = ["exp"] },
        ]
        for change in changes {
            var header = base
            change(&header)
            let object = try Support.binding(header: header, payload: "{}", macKey: macKey)
            Support.expectFailure(.malformed) { _ = try ExternalAccountBinding(jsonObject: object) }
        }
        var general = try Support.binding(header: base, payload: "{}", macKey: macKey) as [String: Any]
        general["signatures"] = []
        for object in [general, "eab", [String: String]()] as [Any] {
            Support.expectFailure(.malformed) { _ = try ExternalAccountBinding(jsonObject: object) }
        }
    }
}
