import Foundation
import Testing
@testable import CACore

@Suite struct ACMESettingsTests {
    @Test func defaultsValidateOnTheStandardPortsAndRefusePrivateAddresses() throws {
        let settings = try SettingsLoader.load(environment: ["HOME": "/h"]).acme
        #expect(settings.http01Port == 80 && settings.tlsALPN01Port == 443)
        #expect(settings.dnsServer == nil && settings.staticHosts.isEmpty && !settings.allowPrivateAddresses)
        #expect(settings.defaultCertificateDays == 45 && settings.maximumCertificateDays == 90)
    }

    @Test func validationSettingsFromTheEnvironment() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_ACME_HTTP01_PORT": "5002", "CA_ACME_TLSALPN01_PORT": "5001",
            "CA_ACME_STATIC_HOSTS": "Web.Example.test=10.0.0.5, *.lab.test=192.0.2.7", "CA_ACME_DNS_SERVER": "127.0.0.1:5353",
            "CA_ACME_ALLOW_PRIVATE_ADDRESSES": "yes",
        ]).acme
        #expect(settings.http01Port == 5002 && settings.tlsALPN01Port == 5001)
        #expect(settings.staticAddress(of: "web.example.test") == "10.0.0.5")
        #expect(settings.staticAddress(of: "a.b.lab.test") == "192.0.2.7")
        #expect(settings.staticAddress(of: "lab.test") == nil && settings.staticAddress(of: "other.test") == nil)
        #expect(settings.dnsServer?.host == "127.0.0.1" && settings.dnsServer?.port == 5353)
        #expect(settings.allowPrivateAddresses)
        #expect(ACMESettings.parseServer("[::1]:53")?.host == "::1")
        #expect(ACMESettings.parseServer("::1")?.port == 53)
    }

    @Test(arguments: [
        ("CA_ACME_HTTP01_PORT", "70000"), ("CA_ACME_STATIC_HOSTS", "no-address"), ("CA_ACME_DNS_SERVER", "host:port"),
        ("CA_ACME_ALLOW_PRIVATE_ADDRESSES", "maybe"),
    ])
    func badValuesAreRefusedByName(name: String, value: String) {
        #expect {
            try SettingsLoader.load(environment: ["HOME": "/h", name: value])
        } throws: { error in
            (error as? CAError)?.message.contains(name) ?? false
        }
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("10.1.2.3", true), ("172.20.0.1", true), ("192.168.1.1", true), ("169.254.0.9", true),
        ("100.64.0.1", true), ("0.0.0.0", true), ("224.0.0.1", true), ("::1", true), ("::", true), ("fd00::1", true),
        ("fe80::1", true), ("::ffff:127.0.0.1", true), ("not an address", true),
        ("192.0.2.1", false), ("8.8.8.8", false), ("172.32.0.1", false), ("2001:db8::1", false), ("::ffff:8.8.8.8", false),
    ])
    func privateAddressesAreRecognised(address: String, isPrivate: Bool) {
        #expect(AddressPolicy.isPrivate(address) == isPrivate)
    }

    @Test func innerKeyChangeJWSMustEmbedItsKeyAndCarryNoNonce() throws {
        let key = JWSTestSupport.p256
        var header = try JWSTestSupport.header(alg: "ES256", key: key)
        header["nonce"] = nil
        let inner = try JWSTestSupport.jsonObject(try JWSTestSupport.body(header: header, key: key))
        let parsed = try FlattenedJWS(jsonObject: inner, isInnerKeyChange: true)
        #expect(try parsed.verifiedEmbeddedKey() == key.jwk)

        let withNonce = try JWSTestSupport.jsonObject(try JWSTestSupport.body(header: try JWSTestSupport.header(alg: "ES256", key: key), key: key))
        #expect(throws: JWSError.self) { try FlattenedJWS(jsonObject: withNonce, isInnerKeyChange: true) }
        // An outer request without a nonce is still badNonce.
        #expect(throws: JWSError.self) { try FlattenedJWS(jsonObject: inner) }
    }
}
