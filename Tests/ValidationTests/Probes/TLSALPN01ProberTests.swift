import CACore
import CAValidation
import Foundation
import NIOPosix
import Testing

@Suite(.timeLimit(.minutes(10))) struct TLSALPN01ProberTests {
    let prober = TLSALPN01Prober(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
    let keyAuthorization = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"

    /// Runs `openssl s_server` with the challenge certificate on a free loopback port.
    private func withOpenSSLServer(
        serving challenge: TLSALPNChallengeCertificate,
        applicationProtocols: [String],
        _ body: (Int) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificateFile = directory.url.appendingPathComponent("challenge.pem")
        let keyFile = directory.url.appendingPathComponent("challenge.key")
        try Data(challenge.certificatePEM().utf8).write(to: certificateFile)
        try Data(challenge.privateKeyPEM.utf8).write(to: keyFile)

        let port = try await LoopbackPorts.freePort()
        var arguments = [
            "openssl", "s_server", "-accept", "127.0.0.1:\(port)",
            "-cert", certificateFile.path, "-key", keyFile.path,
        ]
        if !applicationProtocols.isEmpty {
            arguments += ["-alpn", applicationProtocols.joined(separator: ",")]
        }
        let server = try ServerProcess(arguments: arguments, logFile: directory.url.appendingPathComponent("server.log"))
        defer { server.stop() }
        try await LoopbackPorts.waitUntilListening(port: port)
        try await body(port)
    }

    @Test func fetchesChallengeCertificate() async throws {
        let identifier = ChallengeIdentifier.dnsName("challenge.example")
        let challenge = try TLSALPNChallengeCertificateBuilder()
            .makeCertificate(for: identifier, keyAuthorization: keyAuthorization)
        try await withOpenSSLServer(serving: challenge, applicationProtocols: ["acme-tls/1"]) { port in
            let certificate = try await prober.fetchCertificate(
                address: "127.0.0.1", port: port, serverName: identifier.tlsServerName, timeout: .seconds(10)
            )
            #expect(certificate == challenge.certificate)
            try TLSALPNChallengeCertificateCheck(identifier: identifier, keyAuthorization: keyAuthorization)
                .verify(certificate)
        }
    }

    @Test func acceptsReverseMappingServerNameForIPIdentifier() async throws {
        let identifier = try #require(ChallengeIdentifier(ipAddressLiteral: "127.0.0.1"))
        let challenge = try TLSALPNChallengeCertificateBuilder()
            .makeCertificate(for: identifier, keyAuthorization: keyAuthorization)
        try await withOpenSSLServer(serving: challenge, applicationProtocols: ["acme-tls/1"]) { port in
            let certificate = try await prober.fetchCertificate(
                address: "127.0.0.1", port: port, serverName: identifier.tlsServerName, timeout: .seconds(10)
            )
            try TLSALPNChallengeCertificateCheck(identifier: identifier, keyAuthorization: keyAuthorization)
                .verify(certificate)
        }
    }

    @Test func rejectsServerWithoutACMEProtocol() async throws {
        let challenge = try TLSALPNChallengeCertificateBuilder()
            .makeCertificate(for: .dnsName("challenge.example"), keyAuthorization: keyAuthorization)
        try await withOpenSSLServer(serving: challenge, applicationProtocols: []) { port in
            await #expect(throws: TLSALPN01ProbeError.applicationProtocolNotNegotiated(negotiated: nil)) {
                try await prober.fetchCertificate(
                    address: "127.0.0.1", port: port, serverName: "challenge.example", timeout: .seconds(10)
                )
            }
        }
    }

    @Test func reportsConnectionRefused() async throws {
        let port = try await LoopbackPorts.freePort()
        await #expect(throws: TLSALPN01ProbeError.connectionRefused(endpoint: "127.0.0.1:\(port)")) {
            try await prober.fetchCertificate(address: "127.0.0.1", port: port, serverName: "a.example", timeout: .seconds(5))
        }
    }

    // The error names the deadline that fired; the elapsed time is not asserted, because the test task may
    // resume long after it under a loaded run. A hang is caught by the time limit.
    @Test(.timeLimit(.minutes(3))) func timesOutWhenServerNeverAnswers() async throws {
        try await CannedTCPServer.run(response: nil) { server in
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(
                throws: TLSALPN01ProbeError.timedOut(endpoint: "127.0.0.1:\(server.port)", timeout: .milliseconds(500))
            ) {
                try await prober.fetchCertificate(
                    address: "127.0.0.1", port: server.port, serverName: "a.example", timeout: .milliseconds(500)
                )
            }
            #expect(clock.now - started >= .milliseconds(450))
        }
    }

    @Test func reportsHandshakeFailureWithNonTLSServer() async throws {
        let garbage = Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)
        try await CannedTCPServer.run(response: garbage, waitForRequestHead: false) { server in
            await #expect {
                try await prober.fetchCertificate(
                    address: "127.0.0.1", port: server.port, serverName: "a.example", timeout: .seconds(5)
                )
            } throws: { error in
                switch error {
                case TLSALPN01ProbeError.handshakeFailed, TLSALPN01ProbeError.connectionClosedDuringHandshake: true
                default: false
                }
            }
        }
    }

    @Test func rejectsIPLiteralAsServerName() async throws {
        await #expect(throws: TLSALPN01ProbeError.invalidServerName("127.0.0.1")) {
            try await prober.fetchCertificate(address: "127.0.0.1", port: 443, serverName: "127.0.0.1", timeout: .seconds(1))
        }
    }
}
