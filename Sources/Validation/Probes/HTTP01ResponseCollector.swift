import NIOCore
import NIOHTTP1

/// Sends one request once the connection is up and collects the single response to it.
///
/// Completes the promise exactly once; the fetcher closes the channel when it does.
final class HTTP01ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPRequestHead
    private let maximumBodySize: Int
    private let endpoint: String
    private let promise: EventLoopPromise<HTTP01Response>
    private var statusCode: Int?
    private var body: [UInt8] = []

    init(request: HTTPRequestHead, maximumBodySize: Int, endpoint: String, promise: EventLoopPromise<HTTP01Response>) {
        self.request = request
        self.maximumBodySize = maximumBodySize
        self.endpoint = endpoint
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // 1xx responses are interim (RFC 9110 §15.2); the answer is the response after them.
            statusCode = head.status.code < 200 ? nil : Int(head.status.code)
            body = []
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= maximumBodySize else {
                fail(.bodyTooLarge(limit: maximumBodySize), context: context)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let statusCode else { return }
            promise.succeed(HTTP01Response(statusCode: statusCode, body: body))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            fail(.malformedResponse(String(describing: error)), context: context)
        } else {
            fail(.connectionFailed(endpoint: endpoint, reason: String(describing: error)), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Harmless when a response was already delivered: a promise completes only once.
        promise.fail(HTTP01FetchError.connectionClosedBeforeResponse(endpoint: endpoint))
        context.fireChannelInactive()
    }

    private func fail(_ error: HTTP01FetchError, context: ChannelHandlerContext) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
