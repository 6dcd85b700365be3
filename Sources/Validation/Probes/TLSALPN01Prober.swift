import CACore
import NIOCore
import NIOPosix
import NIOSSL
import X509

/// Connects to a server the way a tls-alpn-01 validator does (RFC 8737 §3) and returns
/// the certificate it presents for the acme-tls/1 protocol.
///
/// The certificate is not verified here: challenge certificates are self-signed. Pass
/// it to `TLSALPNChallengeCertificateCheck` to decide whether it answers the challenge.
public struct TLSALPN01Prober: Sendable {
    /// The ALPN protocol ID registered by RFC 8737 §6.2.
    public static let applicationProtocol = "acme-tls/1"

    private let eventLoopGroup: any EventLoopGroup
    private let rsaKeyTransport: Bool

    /// - Parameter rsaKeyTransport: TLS 1.2 with RSA key transport only. BoringSSL refuses a server
    ///   certificate whose key usage does not fit the key exchange, and some clients (lego 4.9) make RSA
    ///   challenge certificates with keyEncipherment only, which fits RSA key transport and nothing else.
    ///   The challenge check does not depend on the key exchange, so a validator may retry this way.
    public init(eventLoopGroup: any EventLoopGroup, rsaKeyTransport: Bool = false) {
        self.eventLoopGroup = eventLoopGroup
        self.rsaKeyTransport = rsaKeyTransport
    }

    /// Performs a TLS handshake offering only acme-tls/1 and returns the peer's leaf certificate.
    ///
    /// - Parameters:
    ///   - address: An IPv4 or IPv6 literal; the caller resolves the name.
    ///   - serverName: The SNI name: the DNS identifier, or for an IP identifier its
    ///     reverse-mapping name (`ChallengeIdentifier.tlsServerName`, RFC 8738 §6).
    ///   - timeout: The limit for the whole exchange, connecting included.
    public func fetchCertificate(
        address: String,
        port: Int,
        serverName: String,
        timeout: Duration
    ) async throws(TLSALPN01ProbeError) -> Certificate {
        guard let endpoint = ProbeEndpoint(address: address, port: port) else {
            throw .invalidAddress(address)
        }
        // SNI may not carry an IP literal (RFC 6066 §3); NIOSSL would reject it anyway.
        guard !serverName.isEmpty, ChallengeIdentifier(ipAddressLiteral: serverName) == nil else {
            throw .invalidServerName(serverName)
        }
        let sslContext: NIOSSLContext
        do {
            sslContext = try NIOSSLContext(configuration: Self.tlsConfiguration(rsaKeyTransport: rsaKeyTransport))
        } catch {
            throw .handshakeFailed(endpoint: endpoint.displayName, reason: String(describing: error))
        }

        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: Certificate.self)
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(TLSALPN01ProbeError.timedOut(endpoint: endpoint.displayName, timeout: timeout))
        }
        defer { deadline.cancel() }

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        TLSHandshakeObserver(endpoint: endpoint.displayName, promise: promise)
                    )
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: endpoint.socketAddress).get()
        } catch {
            let probeError = Self.connectError(error, endpoint: endpoint, serverName: serverName, timeout: timeout)
            promise.fail(probeError)
            throw probeError
        }
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }

        let certificate: Certificate
        do {
            certificate = try await promise.futureResult.get()
        } catch {
            // Waiting for the close means no socket outlives the call.
            try? await channel.closeFuture.get()
            if let probeError = error as? TLSALPN01ProbeError { throw probeError }
            throw .handshakeFailed(endpoint: endpoint.displayName, reason: String(describing: error))
        }
        try? await channel.closeFuture.get()
        return certificate
    }

    private static func tlsConfiguration(rsaKeyTransport: Bool) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if rsaKeyTransport {
            configuration.maximumTLSVersion = .tlsv12
            configuration.cipherSuites = "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA"
        }
        // RFC 8737 §3: the client offers acme-tls/1 and nothing else.
        configuration.applicationProtocols = [applicationProtocol]
        // Challenge certificates are self-signed; the challenge check judges them instead.
        configuration.certificateVerification = .none
        return configuration
    }

    private static func connectError(
        _ error: any Error,
        endpoint: ProbeEndpoint,
        serverName: String,
        timeout: Duration
    ) -> TLSALPN01ProbeError {
        if let sslError = error as? NIOSSLExtraError, sslError == .invalidSNIHostname {
            return .invalidServerName(serverName)
        }
        switch ConnectFailure(error) {
        case .refused: return .connectionRefused(endpoint: endpoint.displayName)
        case .timedOut: return .timedOut(endpoint: endpoint.displayName, timeout: timeout)
        case .other(let reason): return .connectionFailed(endpoint: endpoint.displayName, reason: reason)
        }
    }
}
