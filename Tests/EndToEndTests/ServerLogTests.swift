import Foundation
import Testing

/// `serve`'s log: one line per request (method, path, status, time, node) and per job run, as text by default and as
/// JSON lines with CA_LOG_FORMAT=json; CA_LOG_LEVEL=warning silences both; no password, token or key in either.
@Suite(.timeLimit(.minutes(10))) struct ServerLogTests {
    /// Requests that carry secrets: a bearer token, HTTP Basic with a password, a login form with it.
    static func makeRequests(_ api: APIFixture) throws {
        #expect(try HTTPExchange.run(api.sandbox, [api.server.baseURL + "/healthz"], saveAs: "health").status == 200)
        #expect(try api.call("GET", "/api/ca/", auth: api.bearer("viewer")).status == 200)
        #expect(try api.call("GET", "/api/ca/", auth: api.basic("viewer")).status == 200)
        _ = try HTTPExchange.run(
            api.sandbox, ["-d", "username=viewer-user&password=\(APIFixture.password.replacingOccurrences(of: " ", with: "+"))",
                          api.server.baseURL + "/admin/login"], saveAs: "login")
    }

    static func expectNoSecrets(_ log: String, _ api: APIFixture, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!log.contains(APIFixture.password) && !log.contains("correct+horse"), "the password is logged", sourceLocation: sourceLocation)
        for token in api.tokens.values { #expect(!log.contains(token), "a token is logged", sourceLocation: sourceLocation) }
        #expect(!log.contains("PRIVATE KEY"), sourceLocation: sourceLocation)
    }

    @Test func jsonLinesNameEveryRequestAndJobWithoutSecrets() throws {
        let api = try APIFixture(startServer: false)
        api.sandbox.extraEnvironment["CA_LOG_FORMAT"] = "json"
        api.sandbox.extraEnvironment["CA_JOB_INTERVAL"] = "1"
        api.server = try RunningServer(api.sandbox)
        try Self.makeRequests(api)
        // The jobs run once at start; give the scheduler a tick to log them.
        Thread.sleep(forTimeInterval: 2)
        let stopped = api.server.stop()
        #expect(stopped.status == 0)
        var requests: [[String: String]] = []
        var jobs: [[String: String]] = []
        for line in stopped.log.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not a JSON line: \(line)")
            #expect(object["time"] != nil && object["level"] != nil && object["message"] != nil)
            if object["path"] != nil { requests.append(object) }
            if object["job"] != nil { jobs.append(object) }
        }
        let health = try #require(requests.first { $0["path"] == "/healthz" })
        #expect(health["method"] == "GET" && health["status"] == "200" && health["level"] == "info")
        #expect(!(health["node"] ?? "").isEmpty && Double(health["milliseconds"] ?? "") != nil, "\(health)")
        #expect(requests.contains { $0["path"] == "/api/ca/" && $0["status"] == "200" })
        #expect(requests.contains { $0["path"] == "/admin/login" && $0["method"] == "POST" })
        #expect(jobs.contains { $0["job"] == "crls" } && jobs.contains { $0["job"] == "ocsp-keys" }, "\(jobs)")
        Self.expectNoSecrets(stopped.log, api)
    }

    @Test func textLinesByDefaultAndQuietAboveInfo() throws {
        let api = try APIFixture()
        try Self.makeRequests(api)
        let stopped = api.server.stop()
        #expect(stopped.log.contains("GET /healthz 200 "), "\(stopped.log)")
        #expect(stopped.log.contains("node="), "\(stopped.log)")
        Self.expectNoSecrets(stopped.log, api)

        let quiet = try APIFixture(startServer: false)
        quiet.sandbox.extraEnvironment["CA_LOG_LEVEL"] = "warning"
        quiet.server = try RunningServer(quiet.sandbox)
        try Self.makeRequests(quiet)
        let quietLog = quiet.server.stop().log
        #expect(!quietLog.contains("GET /healthz"), "\(quietLog)")
    }
}
