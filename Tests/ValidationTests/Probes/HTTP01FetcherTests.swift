import CAValidation
import Foundation
import NIOPosix
import Testing

@Suite(.timeLimit(.minutes(10))) struct HTTP01FetcherTests {
    let fetcher = HTTP01Fetcher(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
    let keyAuthorization = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
    let challengePath = "/.well-known/acme-challenge/LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

    /// Runs `python3 -m http.server` over a temporary directory holding the challenge file
    /// and a file too large to be a key authorization.
    private func withPythonServer(_ body: (Int) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let challengeDirectory = directory.url.appendingPathComponent("site/.well-known/acme-challenge")
        try FileManager.default.createDirectory(at: challengeDirectory, withIntermediateDirectories: true)
        try Data(keyAuthorization.utf8).write(
            to: challengeDirectory.appendingPathComponent("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0")
        )
        try Data(repeating: UInt8(ascii: "a"), count: 70_000).write(to: challengeDirectory.appendingPathComponent("large"))

        let port = try await LoopbackPorts.freePort()
        let server = try ServerProcess(
            arguments: [
                "python3", "-m", "http.server", String(port),
                "--bind", "127.0.0.1", "--directory", directory.url.appendingPathComponent("site").path,
            ],
            logFile: directory.url.appendingPathComponent("server.log")
        )
        defer { server.stop() }
        try await LoopbackPorts.waitUntilListening(port: port)
        try await body(port)
    }

    @Test func fetchesKeyAuthorization() async throws {
        try await withPythonServer { port in
            let response = try await fetcher.fetch(
                address: "127.0.0.1", port: port, host: "example.org", path: challengePath, timeout: .seconds(5)
            )
            #expect(response.statusCode == 200)
            #expect(response.bodyText == keyAuthorization)
        }
    }

    @Test func returnsNotFound() async throws {
        try await withPythonServer { port in
            let response = try await fetcher.fetch(
                address: "127.0.0.1", port: port, host: "example.org",
                path: "/.well-known/acme-challenge/missing", timeout: .seconds(5)
            )
            #expect(response.statusCode == 404)
        }
    }

    @Test func rejectsBodyLargerThanLimit() async throws {
        try await withPythonServer { port in
            await #expect(throws: HTTP01FetchError.bodyTooLarge(limit: 65536)) {
                try await fetcher.fetch(
                    address: "127.0.0.1", port: port, host: "example.org",
                    path: "/.well-known/acme-challenge/large", timeout: .seconds(5)
                )
            }
        }
    }

    @Test func sendsExpectedRequest() async throws {
        try await CannedTCPServer.run(response: Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)) { server in
            let response = try await fetcher.fetch(
                address: "127.0.0.1", port: server.port, host: "Example.ORG", path: "/a/b?c=d", timeout: .seconds(5)
            )
            #expect(response == HTTP01Response(statusCode: 200, body: Array("ok".utf8)))
            let request = try await server.firstRequest.get()
            #expect(request.hasPrefix("GET /a/b?c=d HTTP/1.1\r\n"))
            #expect(request.contains("Host: Example.ORG:\(server.port)\r\n"))
            #expect(request.contains("Accept: */*\r\n"))
            #expect(request.contains("User-Agent: swift-ca-validator\r\n"))
            #expect(request.contains("Connection: close\r\n"))
        }
    }

    @Test func decodesChunkedBodyAndSkipsInterimResponse() async throws {
        let reply = "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        try await CannedTCPServer.run(response: Array(reply.utf8)) { server in
            let response = try await fetcher.fetch(
                address: "127.0.0.1", port: server.port, host: "example.org", path: "/", timeout: .seconds(5)
            )
            #expect(response.statusCode == 200)
            #expect(response.bodyText == "hello world")
        }
    }

    @Test func readsBodyDelimitedByClose() async throws {
        try await CannedTCPServer.run(response: Array("HTTP/1.1 200 OK\r\n\r\nuntil-eof".utf8)) { server in
            let response = try await fetcher.fetch(
                address: "127.0.0.1", port: server.port, host: "example.org", path: "/", timeout: .seconds(5)
            )
            #expect(response.bodyText == "until-eof")
        }
    }

    @Test func doesNotFollowRedirects() async throws {
        let reply = "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/\r\nContent-Length: 0\r\n\r\n"
        try await CannedTCPServer.run(response: Array(reply.utf8)) { server in
            let response = try await fetcher.fetch(
                address: "127.0.0.1", port: server.port, host: "example.org", path: "/", timeout: .seconds(5)
            )
            #expect(response.statusCode == 302)
        }
    }

    @Test func rejectsMalformedResponse() async throws {
        try await CannedTCPServer.run(response: Array("NOT HTTP AT ALL\r\n\r\n".utf8)) { server in
            await #expect {
                try await fetcher.fetch(address: "127.0.0.1", port: server.port, host: "example.org", path: "/", timeout: .seconds(5))
            } throws: { error in
                guard case HTTP01FetchError.malformedResponse = error else { return false }
                return true
            }
        }
    }

    @Test func reportsEarlyClose() async throws {
        try await CannedTCPServer.run(response: []) { server in
            await #expect(throws: HTTP01FetchError.connectionClosedBeforeResponse(endpoint: "127.0.0.1:\(server.port)")) {
                try await fetcher.fetch(address: "127.0.0.1", port: server.port, host: "example.org", path: "/", timeout: .seconds(5))
            }
        }
    }

    @Test func reportsConnectionRefused() async throws {
        let port = try await LoopbackPorts.freePort()
        await #expect(throws: HTTP01FetchError.connectionRefused(endpoint: "127.0.0.1:\(port)")) {
            try await fetcher.fetch(address: "127.0.0.1", port: port, host: "example.org", path: "/", timeout: .seconds(5))
        }
    }

    // The error names the deadline that fired; the elapsed time is not asserted, because the test task may
    // resume long after it under a loaded run. A hang is caught by the time limit.
    @Test(.timeLimit(.minutes(3))) func timesOutWhenServerNeverAnswers() async throws {
        try await CannedTCPServer.run(response: nil) { server in
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(throws: HTTP01FetchError.timedOut(endpoint: "127.0.0.1:\(server.port)", timeout: .milliseconds(500))) {
                try await fetcher.fetch(
                    address: "127.0.0.1", port: server.port, host: "example.org", path: "/", timeout: .milliseconds(500)
                )
            }
            #expect(clock.now - started >= .milliseconds(450))
        }
    }

    @Test func rejectsInvalidInput() async throws {
        await #expect(throws: HTTP01FetchError.invalidAddress("example.org")) {
            try await fetcher.fetch(address: "example.org", port: 80, host: "example.org", path: "/", timeout: .seconds(1))
        }
        await #expect(throws: HTTP01FetchError.invalidPath("/a b")) {
            try await fetcher.fetch(address: "127.0.0.1", port: 80, host: "example.org", path: "/a b", timeout: .seconds(1))
        }
    }

    @Test func errorsCarryUserFacingMessages() {
        #expect(HTTP01FetchError.connectionRefused(endpoint: "[::1]:80").message == "The connection to [::1]:80 was refused.")
        #expect(HTTP01FetchError.bodyTooLarge(limit: 65536).message.contains("65536"))
    }
}
