import CACore
import Foundation
import CAValidation
import NIOCore
import NIOPosix
import Testing

private let challengeName = "_acme-challenge.example.test."
private let longToken = String(repeating: "k", count: 600)

private func makeTestZone() -> [String: Any] { [
    "records": [
        ["name": challengeName, "type": "TXT", "value": "token-one"],
        ["name": challengeName, "type": "TXT", "value": ["part-1", "part-2"]],
        ["name": "example.test.", "type": "CAA", "flags": 0, "tag": "issue", "value": "ca.test; accounturi=https://ca.test/acct/1"],
        ["name": "example.test.", "type": "CAA", "flags": 128, "tag": "iodef", "value": "mailto:admin@example.test"],
        ["name": "x.test.", "type": "A", "value": "127.0.0.1"],
        ["name": "x.test.", "type": "AAAA", "value": "2001:db8:0:0:0:0:0:1"],
        ["name": "alias.test.", "type": "CNAME", "value": "x.test."],
        ["name": "big.test.", "type": "TXT", "value": longToken],
    ],
    "servfail": ["broken.test."],
    "drop": ["silent.test."],
] }

/// Each test gets its own server so that tests that rewrite the zone cannot disturb others.
private func withServer(
    zone: [String: Any] = makeTestZone(),
    // Generous: the whole test suite shares two cores with the Python DNS server.
    timeout: Duration = .seconds(10),
    _ body: (DNSClient, DNSTestServer) async throws -> Void
) async throws {
    let server = try await DNSTestServer(zone: zone)
    defer { server.stop() }
    let client = DNSClient(server: "127.0.0.1", port: server.port, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, timeout: timeout)
    try await body(client, server)
}

@Suite(.timeLimit(.minutes(10))) struct DNSClientTests {
    @Test func readsTXTRecordsJoiningTheirStrings() async throws {
        try await withServer { client, _ in
            let texts = try await client.txtRecords(challengeName)
            #expect(Set(texts) == ["token-one", "part-1part-2"])
        }
    }

    @Test func readsCAARecords() async throws {
        try await withServer { client, _ in
            let result = try await client.query("example.test", type: .caa)
            #expect(Set(result.recordData.compactMap(\.caaRecord)) == [
                CAARecord(flags: 0, tag: "issue", value: "ca.test; accounturi=https://ca.test/acct/1"),
                CAARecord(flags: 128, tag: "iodef", value: "mailto:admin@example.test"),
            ])
        }
    }

    @Test func readsAddressesIPv4First() async throws {
        try await withServer { client, _ in
            let direct = try await client.addresses("x.test")
            #expect(direct == ["127.0.0.1", "2001:db8::1"])
            // The server follows the CNAME like a recursive resolver would.
            let throughAlias = try await client.addresses("alias.test")
            #expect(throughAlias == ["127.0.0.1", "2001:db8::1"])
        }
    }

    @Test func unknownNameIsNXDOMAINAndKnownNameWithoutTheTypeIsEmpty() async throws {
        try await withServer { client, _ in
            let unknownName = try await client.query("nope.test", type: .a)
            #expect(unknownName == .noRecords(.nameError))
            let otherType = try await client.query("x.test", type: .txt)
            #expect(otherType == .noRecords(.noError))
            let unknownTexts = try await client.txtRecords("nope.test")
            #expect(unknownTexts.isEmpty)
        }
    }

    @Test func serverFailureIsAFailureAndConvenienceLookupsThrow() async throws {
        try await withServer { client, _ in
            let result = try await client.query("broken.test", type: .txt)
            #expect(result == .failure(.serverError(.serverFailure)))
            await #expect(throws: DNSClientError.lookupFailed(name: "broken.test", type: .txt, failure: .serverError(.serverFailure))) {
                try await client.txtRecords("broken.test")
            }
        }
    }

    @Test func truncatedAnswerIsAskedAgainOverTCP() async throws {
        try await withServer { client, _ in
            let texts = try await client.txtRecords("big.test")
            #expect(texts == [longToken])
        }
    }

    @Test func seesZoneChangesWhileRunning() async throws {
        try await withServer { client, server in
            let before = try await client.txtRecords("fresh.test")
            #expect(before.isEmpty)
            try server.update(zone: ["records": [["name": "fresh.test.", "type": "TXT", "value": "new"]]])
            let after = try await client.txtRecords("fresh.test")
            #expect(after == ["new"])
        }
    }

    // The deadline itself runs on the event loop; the test task may resume long after it under a loaded
    // run (the end-to-end tests hold the shared threads), so only a hang, caught by the time limit, fails.
    @Test(.timeLimit(.minutes(3))) func unansweredQueryTimesOutOnTime() async throws {
        try await withServer(timeout: .milliseconds(600)) { client, _ in
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await client.query("silent.test", type: .txt)
            #expect(result == .failure(.timeout))
            let elapsed = clock.now - start
            #expect(elapsed >= .milliseconds(550), "took \(elapsed)")
        }
    }

    @Test(.timeLimit(.minutes(3))) func portWhereNothingAnswersTimesOut() async throws {
        // A bound socket that never replies: unlike a closed port, it cannot provoke ICMP errors.
        let counter = DatagramCounter()
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        let client = DNSClient(server: "127.0.0.1", port: port, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, timeout: .milliseconds(500))
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await client.query("example.test", type: .a)
        let elapsed = clock.now - start
        try await silent.close()
        #expect(result == .failure(.timeout))
        #expect(elapsed >= .milliseconds(450), "took \(elapsed)")
        #expect(counter.count == 2, "the query is sent once more halfway to the deadline")
        await #expect(throws: DNSClientError.self) { try await client.addresses("example.test") }
    }

    @Test func invalidNameIsThrown() async throws {
        let client = DNSClient(server: "127.0.0.1", port: 9, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, timeout: .seconds(1))
        await #expect(throws: DNSClientError.invalidName(.invalidName("a..test", reason: "it has an empty label"))) {
            try await client.query("a..test", type: .a)
        }
    }

    @Test func caaCheckerClimbsThroughTheRealServer() async throws {
        try await withServer { client, _ in
            let checker = CAAChecker(issuerDomainNames: ["ca.test"]) { name in
                try await client.query(name, type: .caa)
            }
            let allowed = await checker.check(CAAIssuanceRequest(domainName: "www.example.test", accountURI: "https://ca.test/acct/1"))
            #expect(allowed.permitsIssuance, "\(allowed.reason)")
            #expect(allowed.domain == "example.test")
            let otherAccount = await checker.check(CAAIssuanceRequest(domainName: "www.example.test", accountURI: "https://ca.test/acct/2"))
            #expect(otherAccount.outcome == .forbidden)
            let failing = await checker.check(CAAIssuanceRequest(domainName: "broken.test"))
            #expect(failing.outcome == .lookupFailed)
            let unrestricted = await checker.check(CAAIssuanceRequest(domainName: "x.test"))
            #expect(unrestricted.permitsIssuance)
        }
    }
}

/// Counts the datagrams that reach a socket which never answers.
private final class DatagramCounter: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `received` is only touched under `lock`.
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let lock = NSLock()
    private var received = 0

    var count: Int { lock.withLock { received } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lock.withLock { received += 1 }
    }
}
