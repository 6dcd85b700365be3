import CACore
import NIOCore

/// Completes `promise` with the first datagram that comes from the server and carries the query's id.
///
/// Anything else is dropped rather than treated as an error: a stray or spoofed datagram must not end
/// the wait for the real answer.
final class DatagramReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let server: SocketAddress
    private let queryID: UInt16
    private let promise: EventLoopPromise<[UInt8]>

    init(server: SocketAddress, queryID: UInt16, promise: EventLoopPromise<[UInt8]>) {
        self.server = server
        self.queryID = queryID
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == server,
              let id = envelope.data.getInteger(at: envelope.data.readerIndex, as: UInt16.self),
              id == queryID
        else { return }
        promise.succeed(Array(envelope.data.readableBytesView))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSLookupFailure.network("\(error)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSLookupFailure.network("the socket was closed"))
        context.fireChannelInactive()
    }
}

/// Collects one length-prefixed DNS message from a TCP stream (RFC 1035 §4.2.2).
final class StreamReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<[UInt8]>
    private var received = ByteBuffer()

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
              received.readableBytes >= 2 + Int(length),
              let message = received.getBytes(at: received.readerIndex + 2, length: Int(length))
        else { return }
        // Over TCP only the server can answer; checking the id is left to the decoder.
        promise.succeed(message)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSLookupFailure.network("\(error)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSLookupFailure.network("the server closed the TCP connection before answering"))
        context.fireChannelInactive()
    }
}
