import NIOCore
import NIOSSL
import NIOTLS
import X509

/// Waits for the TLS handshake to finish and hands over the peer's leaf certificate,
/// provided the server agreed to the acme-tls/1 protocol.
final class TLSHandshakeObserver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let endpoint: String
    private let promise: EventLoopPromise<Certificate>

    init(endpoint: String, promise: EventLoopPromise<Certificate>) {
        self.endpoint = endpoint
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiatedProtocol) = event {
            promise.completeWith(Result { try peerCertificate(context: context, negotiatedProtocol: negotiatedProtocol) })
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func peerCertificate(context: ChannelHandlerContext, negotiatedProtocol: String?) throws -> Certificate {
        // RFC 8737 §3: without acme-tls/1 the certificate may be the server's ordinary one,
        // so it proves nothing about the challenge.
        guard negotiatedProtocol == TLSALPN01Prober.applicationProtocol else {
            throw TLSALPN01ProbeError.applicationProtocolNotNegotiated(negotiated: negotiatedProtocol)
        }
        guard let leaf = try context.pipeline.syncOperations.nioSSL_peerCertificate() else {
            throw TLSALPN01ProbeError.missingPeerCertificate
        }
        do {
            return try Certificate(derEncoded: leaf.toDERBytes())
        } catch {
            throw TLSALPN01ProbeError.unparseablePeerCertificate(String(describing: error))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(TLSALPN01ProbeError.handshakeFailed(endpoint: endpoint, reason: Self.describe(error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Harmless after success: a promise completes only once.
        promise.fail(TLSALPN01ProbeError.connectionClosedDuringHandshake(endpoint: endpoint))
        context.fireChannelInactive()
    }

    private static func describe(_ error: any Error) -> String {
        if case NIOSSLError.handshakeFailed(let reasons) = error {
            return String(describing: reasons)
        }
        return String(describing: error)
    }
}
