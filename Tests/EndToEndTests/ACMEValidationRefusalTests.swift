import Foundation
import Testing

/// The validator's refusals, driven by certbot's ACME library (Judges/acme_refusals.py): an answer made with
/// another account key for each challenge type, and names that resolve to loopback or private addresses
/// while CA_ACME_ALLOW_PRIVATE_ADDRESSES is off. A refused challenge takes its authorization and its order
/// with it, and nothing is issued.
@Suite(.timeLimit(.minutes(10))) struct ACMEValidationRefusalTests {
    func drive(_ mode: String, _ installation: ACMEInstallation) throws -> CommandResult {
        try runProgram(
            Binaries.pkilint("python"),
            ["-u", Judges.script("acme_refusals.py"), mode, installation.directoryURL, installation.rootFile,
             String(installation.http01Port), String(installation.tlsALPN01Port), installation.dns.zoneFile],
            deadline: 240)
    }

    /// The order's finalization must be refused too, so no certificate can come out of a refused answer.
    static func refused(_ challenge: String, problem: String) -> String {
        "\(challenge): challenge=invalid authorization=invalid order=invalid problem=\(problem) order-problem=\(problem) "
            + "finalize=403 orderNotReady"
    }

    @Test func wrongAnswersTurnTheChallengeAuthorizationAndOrderInvalid() throws {
        let installation = try ACMEInstallation()
        let result = try drive("wrong-answers", installation)
        let output = result.standardOutput
        #expect(result.status == 0, "\(output) \(result.standardError)")
        for challenge in ["http-01", "dns-01", "tls-alpn-01"] {
            let line = Self.refused(challenge, problem: "incorrectResponse")
            #expect(output.contains(line), "missing \"\(line)\" in:\n\(output)\n\(result.standardError)")
        }
        // The problem says what was wrong, so that a client's operator can fix it.
        for detail in [
            "detail http-01: http-01 for web.example.test: the response is not the key authorization",
            "detail dns-01: dns-01: no TXT record of _acme-challenge.example.test holds the expected digest",
            "detail tls-alpn-01: tls-alpn-01 for tls.example.test: The challenge certificate's acmeIdentifier extension does not contain the SHA-256 digest",
        ] {
            #expect(output.contains(detail), "missing \"\(detail)\" in:\n\(output)")
        }
        let listed = try installation.sandbox.expectSuccess("list-certs", "--revoked", "--expired")
        #expect(!listed.contains("example.test"), "a refused answer issued a certificate: \(listed)")
        #expect(installation.server.stop().status == 0)
    }

    @Test func loopbackAndPrivateAddressesAreNotValidatedWhenNotAllowed() throws {
        let installation = try ACMEInstallation(allowPrivateAddresses: false)
        let result = try drive("private-addresses", installation)
        let output = result.standardOutput
        #expect(result.status == 0, "\(output) \(result.standardError)")
        for challenge in ["http-01 loopback-name", "http-01 private-name", "http-01 loopback-ip", "tls-alpn-01 loopback-name"] {
            let line = Self.refused(challenge, problem: "rejectedIdentifier")
            #expect(output.contains(line), "missing \"\(line)\" in:\n\(output)\n\(result.standardError)")
        }
        for (challenge, name) in [
            ("http-01 loopback-name", "web.example.test"), ("http-01 private-name", "private.example.test"),
            ("http-01 loopback-ip", "127.0.0.1"), ("tls-alpn-01 loopback-name", "tls.example.test"),
        ] {
            let detail = "detail \(challenge): \(name) resolves only to loopback or private addresses, which are not validated "
                + "(CA_ACME_ALLOW_PRIVATE_ADDRESSES)"
            #expect(output.contains(detail), "missing \"\(detail)\" in:\n\(output)")
        }
        // The responders answered correctly: only the policy refused, before any connection was made.
        #expect(output.contains("responders: http-requests=0 tls-connections=0"), "\(output)")
        // dns-01 connects to no address of the name, so it is still validated: the refusals above are the
        // policy's, not a validator that cannot validate at all.
        #expect(output.contains("dns-01 control: challenge=valid authorization=valid order=ready"), "\(output)")
        let listed = try installation.sandbox.expectSuccess("list-certs", "--revoked", "--expired")
        #expect(!listed.contains("example.test") && !listed.contains("127.0.0.1"), "\(listed)")
        #expect(installation.server.stop().status == 0)
    }
}
