import NIOCore
import NIOPosix

/// A loopback server that answers every connection with fixed bytes once it has read a
/// request head, or never answers at all, so tests can play misbehaving peers.
struct CannedTCPServer: Sendable {
    let port: Int
    /// The head of the first request any connection sent.
    let firstRequest: EventLoopFuture<String>
    private let channel: any Channel

    /// - Parameters:
    ///   - response: The bytes to send; nil means accept and stay silent.
    ///   - waitForRequestHead: When false, answers the first bytes received, which suits
    ///     clients that do not speak HTTP.
    static func start(response: [UInt8]?, waitForRequestHead: Bool = true) async throws -> CannedTCPServer {
        let group = MultiThreadedEventLoopGroup.singleton
        let requestPromise = group.next().makePromise(of: String.self)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        CannedResponder(response: response, waitForRequestHead: waitForRequestHead, requestPromise: requestPromise)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            throw TestSetupError("The canned server has no local port.")
        }
        return CannedTCPServer(port: port, firstRequest: requestPromise.futureResult, channel: channel)
    }

    func stop() async throws {
        try await channel.close()
    }

    /// Starts a server, runs `body` against it and stops it whether or not `body` throws.
    static func run(
        response: [UInt8]?,
        waitForRequestHead: Bool = true,
        _ body: (CannedTCPServer) async throws -> Void
    ) async throws {
        let server = try await start(response: response, waitForRequestHead: waitForRequestHead)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}

private final class CannedResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let response: [UInt8]?
    private let waitForRequestHead: Bool
    private let requestPromise: EventLoopPromise<String>
    private var received: [UInt8] = []
    private var answered = false

    init(response: [UInt8]?, waitForRequestHead: Bool, requestPromise: EventLoopPromise<String>) {
        self.response = response
        self.waitForRequestHead = waitForRequestHead
        self.requestPromise = requestPromise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        let text = String(decoding: received, as: UTF8.self)
        guard !answered, text.contains("\r\n\r\n") || !waitForRequestHead else { return }
        answered = true
        requestPromise.succeed(text)
        guard let response else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: response))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        requestPromise.fail(TestSetupError("The connection closed before a request head arrived."))
        context.fireChannelInactive()
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
