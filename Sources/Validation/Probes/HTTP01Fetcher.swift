import NIOCore
import NIOHTTP1
import NIOPosix

/// Fetches the resource an http-01 challenge points at (RFC 8555 §8.3).
///
/// Redirects are not followed: a 3xx response is returned as is. RFC 8555 allows a
/// validator to follow them, but following means connecting to places the caller's
/// address policy has not checked, so that decision belongs to the caller.
public struct HTTP01Fetcher: Sendable {
    /// RFC 8555 key authorizations are well under 1 KiB; anything this large is not one.
    public static let defaultMaximumBodySize = 64 * 1024

    private let eventLoopGroup: any EventLoopGroup
    private let maximumBodySize: Int

    public init(eventLoopGroup: any EventLoopGroup, maximumBodySize: Int = HTTP01Fetcher.defaultMaximumBodySize) {
        self.eventLoopGroup = eventLoopGroup
        self.maximumBodySize = maximumBodySize
    }

    /// Sends `GET path` to the IP address and returns the status and body.
    ///
    /// - Parameters:
    ///   - address: An IPv4 or IPv6 literal; the caller resolves the name.
    ///   - host: The name for the Host header, normally the identifier being validated.
    ///   - timeout: The limit for the whole exchange, connecting included.
    public func fetch(
        address: String,
        port: Int,
        host: String,
        path: String,
        timeout: Duration
    ) async throws(HTTP01FetchError) -> HTTP01Response {
        guard let endpoint = ProbeEndpoint(address: address, port: port) else {
            throw .invalidAddress(address)
        }
        guard Self.isValidPath(path) else {
            throw .invalidPath(path)
        }
        let request = makeRequest(host: host, port: port, path: path)
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: HTTP01Response.self)
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(HTTP01FetchError.timedOut(endpoint: endpoint.displayName, timeout: timeout))
        }
        defer { deadline.cancel() }

        let maximumBodySize = self.maximumBodySize
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP01ResponseCollector(
                            request: request,
                            maximumBodySize: maximumBodySize,
                            endpoint: endpoint.displayName,
                            promise: promise
                        )
                    )
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: endpoint.socketAddress).get()
        } catch {
            let fetchError = Self.connectError(error, endpoint: endpoint, timeout: timeout)
            promise.fail(fetchError)
            throw fetchError
        }
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }

        let response: HTTP01Response
        do {
            response = try await promise.futureResult.get()
        } catch {
            // Waiting for the close means no socket outlives the call.
            try? await channel.closeFuture.get()
            if let fetchError = error as? HTTP01FetchError { throw fetchError }
            throw .connectionFailed(endpoint: endpoint.displayName, reason: String(describing: error))
        }
        try? await channel.closeFuture.get()
        return response
    }

    private func makeRequest(host: String, port: Int, path: String) -> HTTPRequestHead {
        // An IPv6 literal in a Host header must be bracketed (RFC 3986 §3.2.2).
        let hostName = host.contains(":") ? "[\(host)]" : host
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: port == 80 ? hostName : "\(hostName):\(port)")
        headers.add(name: "Accept", value: "*/*")
        headers.add(name: "User-Agent", value: "swift-ca-validator")
        headers.add(name: "Connection", value: "close")
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
    }

    /// An origin-form path (RFC 9112 §3.2.1) without spaces or control characters, which
    /// would otherwise let a caller's input split or smuggle the request line.
    private static func isValidPath(_ path: String) -> Bool {
        path.hasPrefix("/") && path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static func connectError(_ error: any Error, endpoint: ProbeEndpoint, timeout: Duration) -> HTTP01FetchError {
        switch ConnectFailure(error) {
        case .refused: return .connectionRefused(endpoint: endpoint.displayName)
        case .timedOut: return .timedOut(endpoint: endpoint.displayName, timeout: timeout)
        case .other(let reason): return .connectionFailed(endpoint: endpoint.displayName, reason: reason)
        }
    }
}
