import Foundation
import Testing

/// Orders driven by certbot's ACME library (Judges/acme_order.py), including what well-behaved clients never
/// send: bad identifiers, early finalization, a CSR for other names, foreign orders, unauthorised and
/// repeated revocation, bad reasons, key rollover, unknown kids, ARI and `replaces`.
@Suite(.timeLimit(.minutes(10))) struct ACMEOrderTests {
    @Test func ordersAndTheirErrorsFollowRFC8555() throws {
        let installation = try ACMEInstallation()
        let result = try runProgram(
            Binaries.pkilint("python"),
            ["-u", Judges.script("acme_order.py"), installation.directoryURL, installation.rootFile, String(installation.http01Port)])
        let output = result.standardOutput
        #expect(result.status == 0, "\(output) \(result.standardError)")
        let expected = [
            "directory: ['keyChange', 'meta', 'newAccount', 'newNonce', 'newOrder', 'renewalInfo', 'revokeCert']",
            "new-order bad-name: 400 rejectedIdentifier", "new-order unsupported-type: 400 unsupportedIdentifier",
            "new-order empty: 400 malformed", "profiles: ['server', 'short-lived', 'webserver']", "profile-order: 201 webserver",
            "unknown-profile: 400 invalidProfile", "order: Status(pending) ['bad.example.test']", "early-finalize: orderNotReady",
            "authorized: ['valid']", "finalize-other-names: 400 badCSR", "foreign-order: malformed no such order",
            // The leaf, the intermediate and the root: certbot wants at least two (django-ca #83).
            "finalized: Status(valid) certificates=3", "certificate-names: ['bad.example.test']",
            "renewal-info: 200 ['end', 'start'] retry-after=21600", "replaces: 201 True", "replaces-again: 409 alreadyReplaced",
            "revoke-by-stranger: unauthorized", "revoke-by-certificate-key: accepted", "revoke-again: alreadyRevoked",
            "revoke-bad-reason: 400 badRevocationReason", "key-change: 200", "old-key: malformed", "new-key: 200 valid",
            "ip-order: [('ip', '127.0.0.1')] ['http-01', 'tls-alpn-01']", "ip-certificate: ['127.0.0.1']", "revoke-by-authorized-account: accepted",
            "unknown-kid: 400 accountDoesNotExist",
        ]
        for line in expected {
            #expect(output.contains(line), "missing \"\(line)\" in:\n\(output)\n\(result.standardError)")
        }
        // The CSR with other names issued nothing: one ACME certificate, revoked, and the server's own.
        let listed = try installation.sandbox.expectSuccess("list-certs", "--revoked")
        #expect(listed.components(separatedBy: "bad.example.test").count == 2, "\(listed)")
        #expect(listed.contains("127.0.0.1"), "the IP certificate is stored")
        // Both ACME certificates are revoked: one by its key, one by an account authorised for its address.
        #expect(!(try installation.sandbox.expectSuccess("list-certs")).contains("example.test"))
        #expect(!(try installation.sandbox.expectSuccess("list-certs")).contains("127.0.0.1"))
        #expect(!listed.contains("web.example.test"), "\(listed)")
        #expect(installation.server.stop().status == 0)
    }
}
