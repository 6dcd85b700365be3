import CACore
import NIOCore

/// Collects the server's replies for the session that waits on them. Every method runs on the channel's
/// event loop. The first failure (a broken reply, a closed connection, the session's deadline) is kept and
/// answers every later wait, so the session reports what went wrong first, not its consequences.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var parser = SMTPReplyParser()
    private var received = CircularBuffer<SMTPReply>()
    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var failure: (any Error)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            for reply in try parser.consume(buffer.readableBytesView) {
                if let promise = waiting.popFirst() {
                    promise.succeed(reply)
                } else {
                    received.append(reply)
                }
            }
        } catch {
            fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPConnectionClosed())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    /// The next reply, in the order the server sent them.
    func nextReply(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let reply = received.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        return promise.futureResult
    }

    func fail(_ error: any Error) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() { promise.fail(failure ?? error) }
    }
}

/// The server closed the connection while a reply was awaited.
struct SMTPConnectionClosed: Error {}

/// The session's time limit passed.
struct SMTPSessionTimedOut: Error {}
