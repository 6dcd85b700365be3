import CACore
import Testing

@Suite struct ChallengeIdentifierTests {
    @Test func parsesIPLiterals() {
        #expect(ChallengeIdentifier(ipAddressLiteral: "192.0.2.1") == .ipAddress([192, 0, 2, 1]))
        #expect(ChallengeIdentifier(ipAddressLiteral: "::1") == .ipAddress(Array(repeating: 0, count: 15) + [1]))
        #expect(ChallengeIdentifier(ipAddressLiteral: "example.org") == nil)
        #expect(ChallengeIdentifier(ipAddressLiteral: "fe80::1%eth0") == nil)
    }

    @Test func reverseMappingServerNames() throws {
        #expect(ChallengeIdentifier.dnsName("example.org").tlsServerName == "example.org")
        let v4 = try #require(ChallengeIdentifier(ipAddressLiteral: "192.0.2.1"))
        #expect(v4.tlsServerName == "1.2.0.192.in-addr.arpa")
        let v6 = try #require(ChallengeIdentifier(ipAddressLiteral: "2001:db8::567:89ab"))
        #expect(v6.tlsServerName == "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }
}
