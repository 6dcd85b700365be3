import CACore
import Foundation

/// An ACME request as the HTTP front end hands it over, independent of the HTTP library.
public struct ACMERequest: Sendable {
    public var method: String
    /// The path below the ACME prefix, e.g. `ABCD/new-account/`.
    public var path: String
    /// `http://host:port/ca/acme/`: the URLs the server writes and the JWS `url` values it expects.
    public var baseURL: String
    public var contentType: String?
    public var body: [UInt8]

    /// The client's address, for the audit log.
    public var remoteAddress = "unknown"

    public init(method: String, path: String, baseURL: String, contentType: String?, body: [UInt8]) {
        self.method = method
        self.path = path
        self.baseURL = baseURL
        self.contentType = contentType
        self.body = body
    }
}

/// What to send back; every response carries a fresh Replay-Nonce (RFC 8555 §6.5).
public struct ACMEResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    static func json(_ object: [String: Any], status: Int = 200, headers: [(String, String)] = []) -> ACMEResponse {
        ACMEResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: ACMEJSON.encode(object))
    }

    static func problem(_ problem: ACMEProblem) -> ACMEResponse {
        ACMEResponse(
            status: problem.status, headers: [("Content-Type", "application/problem+json")] + problem.headers, body: problem.body)
    }
}
