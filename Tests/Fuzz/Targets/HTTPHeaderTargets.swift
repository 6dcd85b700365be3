import CACore

/// What the server reads from a request's head itself, outside the HTTP framework's own parsing.
enum HTTPHeaderTargets {
    /// The `Authorization` header of the REST API (the web interface logs in with a form instead).
    @Sendable static func runAuthorization(_ bytes: [UInt8]) {
        _ = try? AuthorizationHeader(parsing: bytes.lenientText)
    }

    /// The path after `ocsp/<serial>/<scope>/` of an OCSP GET; what it decodes to goes on to the OCSP request
    /// target's parser and signer, as in production.
    @Sendable static func runOCSPGetPath(_ bytes: [UInt8]) {
        guard let request = OCSPGetPath.requestBytes(bytes.lenientText) else { return }
        OCSPRequestTarget.run(request)
    }
}
