import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client takes longer than CA_REQUEST_TIMEOUT to send a request, headers and body, or
/// stays silent that long between requests. An idle timer alone would not do: a client that sends one byte every
/// few seconds (slowloris) is never idle, and would hold its connection, and the memory of its half-read body, for
/// as long as it likes.
///
/// The clock runs from the connection's start, and again from the end of each answer, until the next request has
/// arrived whole; it stops while the server works on a request.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Requests read whole whose answers have not ended yet.
    private var answersOwed = 0
    /// Whether a request's head has arrived and its end has not.
    private var readingRequest = false

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
        case .body:
            break
        case .end:
            readingRequest = false
            answersOwed += 1
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answersOwed = max(0, answersOwed - 1)
            if answersOwed == 0 || readingRequest { arm(context) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
    }
}
