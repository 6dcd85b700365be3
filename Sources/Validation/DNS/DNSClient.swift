import CACore
import NIOCore
import NIOPosix

/// A stub resolver client: sends one query to one recursive DNS server and waits for its answer.
///
/// Each query uses a fresh UDP socket on a random port with a random id, and sends the datagram a
/// second time halfway to the deadline if no answer has come, still accepting a late answer to the
/// first. A truncated answer (TC bit) is asked again over TCP. The whole query, retries included,
/// ends by `timeout`, and every socket it opened is closed by the time it returns.
public final class DNSClient: Sendable {
    public let serverHost: String
    public let serverPort: Int
    public let timeout: Duration
    private let eventLoopGroup: any EventLoopGroup

    /// - Parameter host: the server's IP address; a host name is resolved with the system resolver
    ///   (a blocking call) on every query.
    public init(server host: String, port: Int = 53, eventLoopGroup: any EventLoopGroup, timeout: Duration) {
        self.serverHost = host
        self.serverPort = port
        self.eventLoopGroup = eventLoopGroup
        self.timeout = timeout
    }

    /// Looks up the records of one type.
    ///
    /// Returns `.failure` rather than throwing when the server cannot be reached, answers with an
    /// error code, does not answer in time, or answers with something unreadable, so that callers
    /// deciding on issuance handle every way of not knowing in one place.
    /// - Throws: `DNSClientError.invalidName` if `name` cannot be queried; `CancellationError`.
    public func query(_ name: String, type: DNSRecordType) async throws -> DNSLookupResult {
        let query: DNSQuery
        do {
            query = try DNSQuery(name: name, type: type)
        } catch {
            throw DNSClientError.invalidName(error)
        }
        let deadline = NIODeadline.now() + TimeAmount(timeout)

        do {
            let server = try serverAddress()
            var reply = try await exchangeOverUDP(query, with: server, deadline: deadline)
            if try DNSHeader(decoding: reply).isTruncated {
                reply = try await exchangeOverTCP(query, with: server, deadline: deadline)
            }
            let response = try DNSResponse(decoding: reply, answering: query)
            return DNSLookupResult(response: response, type: type)
        } catch let failure as DNSLookupFailure {
            return .failure(failure)
        } catch let error as DNSMessageError {
            return .failure(.malformedResponse(error))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Socket errors from NIO (bind, connect, send).
            return .failure(.network("\(error)"))
        }
    }

    /// The joined strings of each TXT record, as dns-01 validation compares them (RFC 8555 §8.4).
    /// A name without TXT records yields an empty list.
    public func txtRecords(_ name: String) async throws -> [String] {
        try await recordData(name, type: .txt).compactMap { data in
            if case .txt(let text) = data { return text }
            return nil
        }
    }

    /// The IPv4 addresses, then the IPv6 addresses, of a name.
    public func addresses(_ name: String) async throws -> [String] {
        let version4 = try await recordData(name, type: .a)
        let version6 = try await recordData(name, type: .aaaa)
        return (version4 + version6).compactMap { data in
            switch data {
            case .a(let address), .aaaa(let address): address
            default: nil
            }
        }
    }

    private func recordData(_ name: String, type: DNSRecordType) async throws -> [DNSRecordData] {
        let result = try await query(name, type: type)
        if case .failure(let failure) = result {
            throw DNSClientError.lookupFailed(name: name, type: type, failure: failure)
        }
        return result.recordData
    }

    private func serverAddress() throws -> SocketAddress {
        if let address = try? SocketAddress(ipAddress: serverHost, port: serverPort) {
            return address
        }
        return try SocketAddress.makeAddressResolvingHost(serverHost, port: serverPort)
    }

    private func exchangeOverUDP(_ query: DNSQuery, with server: SocketAddress, deadline: NIODeadline) async throws -> [UInt8] {
        let eventLoop = eventLoopGroup.next()
        let reply = eventLoop.makePromise(of: [UInt8].self)
        let localAddress = server.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            DatagramReplyHandler(server: server, queryID: query.id, promise: reply)
                        )
                    }
                }
                .bind(host: localAddress, port: 0)
                .get()
        } catch {
            reply.fail(error)
            throw error
        }

        let datagram = AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: query.encoded()))
        let send: @Sendable () -> Void = {
            channel.writeAndFlush(datagram).whenFailure { error in
                reply.fail(DNSLookupFailure.network("\(error)"))
            }
        }
        send()
        // UDP may lose the datagram or its answer; one resend is cheap and often saves the lookup.
        let halfway = NIODeadline.uptimeNanoseconds(
            (NIODeadline.now().uptimeNanoseconds / 2) + (deadline.uptimeNanoseconds / 2)
        )
        let resend = eventLoop.scheduleTask(deadline: halfway, send)
        defer { resend.cancel() }
        return try await awaitReply(reply, on: channel, deadline: deadline)
    }

    private func exchangeOverTCP(_ query: DNSQuery, with server: SocketAddress, deadline: NIODeadline) async throws -> [UInt8] {
        let remaining = deadline - NIODeadline.now()
        guard remaining > .zero else { throw DNSLookupFailure.timeout }
        let eventLoop = eventLoopGroup.next()
        let reply = eventLoop.makePromise(of: [UInt8].self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(remaining)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(StreamReplyHandler(promise: reply))
                    }
                }
                .connect(to: server)
                .get()
        } catch ChannelError.connectTimeout {
            reply.fail(DNSLookupFailure.timeout)
            throw DNSLookupFailure.timeout
        } catch {
            reply.fail(error)
            throw error
        }

        let message = query.encoded()
        var framed = ByteBuffer()
        framed.writeInteger(UInt16(message.count))
        framed.writeBytes(message)
        channel.writeAndFlush(framed).whenFailure { error in
            reply.fail(DNSLookupFailure.network("\(error)"))
        }
        return try await awaitReply(reply, on: channel, deadline: deadline)
    }

    /// Waits for `reply` until `deadline`, then closes the channel whatever happened.
    private func awaitReply(
        _ reply: EventLoopPromise<[UInt8]>,
        on channel: any Channel,
        deadline: NIODeadline
    ) async throws -> [UInt8] {
        // Completing a promise a second time is ignored, so the timer, the handler and cancellation
        // may race freely: the first to finish decides.
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            reply.fail(DNSLookupFailure.timeout)
        }
        let outcome: Result<[UInt8], any Error>
        do {
            outcome = .success(try await withTaskCancellationHandler {
                try await reply.futureResult.get()
            } onCancel: {
                reply.fail(CancellationError())
            })
        } catch {
            outcome = .failure(error)
        }
        timer.cancel()
        // Awaited so that the socket is gone when the query returns; a failed close changes nothing.
        try? await channel.close()
        return try outcome.get()
    }
}
