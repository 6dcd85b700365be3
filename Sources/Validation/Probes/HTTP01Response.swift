/// What a server answered to an http-01 challenge request (RFC 8555 §8.3).
public struct HTTP01Response: Hashable, Sendable {
    /// The HTTP status code of the final (non-1xx) response.
    public let statusCode: Int
    /// The response body, after chunked transfer decoding.
    public let body: [UInt8]

    public init(statusCode: Int, body: [UInt8]) {
        self.statusCode = statusCode
        self.body = body
    }

    /// The body as UTF-8 text, or nil when it is not valid UTF-8.
    public var bodyText: String? {
        // Decoding repairs invalid sequences; a lossless round trip means there were none.
        let text = String(decoding: body, as: UTF8.self)
        return Array(text.utf8) == body ? text : nil
    }
}
