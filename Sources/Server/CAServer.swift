import CAACME
import CAAccess
import CAAuthority
import CAMail
import CAStore
import CACore
import CAValidation
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import CARESTAPI
import CAWebUI

/// `swift-ca serve`: publishes issuer certificates, CRLs and OCSP responses (signed, so plain HTTP serves them,
/// RFC 5280 §4.2.1.13 and RFC 6960), serves ACME (over HTTPS with `--tls-*`), and runs the periodic jobs.
///
/// One store and one authority serve every front end and job of the process: the store hands each transaction
/// a connection of its own (see `Store`), so no front end takes turns on the database by hand.
public enum CAServer {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// PEM certificate chain and key: `port` then speaks HTTPS (RFC 8555 §6.1 wants ACME over TLS).
        public var tls: (certificatePath: String, keyPath: String)?
        /// With TLS, a second listener for plain HTTP, where OCSP and CRL clients expect them.
        public var plainPort: Int?
        public var role = Role.all
        public init() {}
    }

    public typealias Role = NodeRole

    /// Runs until SIGTERM or SIGINT, then finishes requests in flight and stops.
    ///
    /// - Parameter announce: Called once the socket listens, with the base URL (the port is the real one
    ///   when 0 was asked for).
    public static func run(
        settings: Settings, options: Options, logger: Logger, announce: @escaping @Sendable (String) -> Void
    ) async throws {
        // Request handlers then run on the event loop that read the request instead of hopping to Swift's
        // own thread pool and back: on two cores that hop cost more than answering from the OCSP cache.
        // Blocking work stays off the loops (SQLite runs on its own threads).
        if !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            logger.debug("Swift concurrency keeps its own executor")
        }
        let authority = try await Authority.open(settings: settings, signsWithCAKeys: options.role == .all)
        defer {
            // Services have stopped when `run` returns; the connections close on a detached task.
            Task { await authority.close() }
        }
        let metrics = ServerMetrics()
        let responder = OCSPResponder(authority: authority)
        for problem in try await responder.reloadResponders() { logger.warning("\(problem)") }

        // One access control for the API and the web interface, so that both share its cache of bcrypt results.
        let access = AccessControl(store: authority.store, settings: settings.access)
        let validator = NetworkChallengeValidator(settings: settings.acme, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        var router = RequestRouter(
            prefix: "/" + settings.urlPath, responder: responder, publisher: RevocationPublisher(authority: authority),
            acme: ACMEService(authority: authority, validator: validator),
            restAPI: settings.access.restAPIEnabled ? RESTAPI(authority: authority, access: access, logger: logger) : nil,
            webInterface: settings.access.webInterfaceEnabled ? WebInterface(authority: authority, access: access, logger: logger) : nil,
            metrics: metrics, logger: logger)
        router.keyBackendProblems = { authority.keyBackendProblems() }
        router.limits = settings.limits
        let node = nodeName()
        router.node = node
        var listeners: [any Service] = []
        if let tls = options.tls {
            var secure = router
            secure.scheme = "https"
            listeners.append(
                try listener(router: secure, host: options.host, port: options.port, tls: try tlsConfiguration(tls), limits: settings.limits, logger: logger, announce: announce))
            if let plainPort = options.plainPort {
                listeners.append(try listener(router: router, host: options.host, port: plainPort, tls: nil, limits: settings.limits, logger: logger, announce: announce))
            }
        } else {
            listeners.append(try listener(router: router, host: options.host, port: options.port, tls: nil, limits: settings.limits, logger: logger, announce: announce))
        }
        let responderReload = ResponderReload(responder: responder, interval: min(settings.jobs.ocspKeyInterval, 60), logger: logger)
        let mail = settings.email.host == nil ? nil : try SMTPTransport(settings: settings.email)
        let jobs = JobScheduler(
            jobs: ServerJobs.make(authority: authority, responder: responder, role: options.role, mail: mail, logger: logger),
            authority: authority, node: node, settings: settings.jobs, metrics: metrics, logger: logger,
            everyTick: { await responderReload.runIfDue() })
        let poller = StatusPoller(
            responder: responder, interval: TimeInterval(settings.jobs.statusPollMilliseconds) / 1000, logger: logger)
        var background: [any Service] = [jobs, poller]
        if options.role == .all {
            background.append(SigningQueueWorker(
                authority: authority, node: node, interval: TimeInterval(settings.jobs.statusPollMilliseconds) / 1000,
                heartbeatInterval: settings.jobs.schedulerInterval, logger: logger))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: listeners + background, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Names this node in job leases: host, process and a random part, so that a restarted process is a new holder.
    private static func nodeName() -> String {
        let host = ProcessInfo.processInfo.hostName
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(UInt32.random(in: 0...UInt32.max))"
    }

    private static func listener(
        router: RequestRouter, host: String, port: Int, tls: TLSConfiguration?, limits: RequestLimits, logger: Logger,
        announce: @escaping @Sendable (String) -> Void
    ) throws -> any Service {
        let scheme = tls == nil ? "http" : "https"
        let requestTime = TimeAmount.milliseconds(Int64(limits.requestSeconds * 1000))
        var http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadlineHandler(limit: requestTime)], idleTimeout: requestTime)
        http.httpDecoder = .init(maxHeaderFieldSize: limits.headerBytes, maxHeaderListSize: limits.headerBytes)
        return Application(
            responder: CallbackResponder<PeerRequestContext> { request, context in
                await router.respond(to: request, remoteAddress: context.peerAddress)
            },
            server: try tls.map { try .tls(.http1(configuration: http), tlsConfiguration: $0) } ?? .http1(configuration: http),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "swift-ca",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.connections)),
            onServerRunning: { channel in
                let actualPort = channel.localAddress?.port ?? port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                announce("\(scheme)://\(shownHost):\(actualPort)/")
            },
            logger: logger)
    }

    /// TLS 1.2 offers one suite per key type: ECDHE (forward secrecy) with AES-128-GCM (an AEAD cipher). BoringSSL's
    /// defaults also offer CBC suites and RSA key exchange, which testssl.sh rates as weak; and with several
    /// suites the client would choose among them, since swift-nio-ssl cannot make the server's order win, which
    /// testssl.sh rates HIGH. TLS 1.3's suites are all AEAD with forward secrecy.
    static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ]

    private static func tlsConfiguration(_ files: (certificatePath: String, keyPath: String)) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw CAError(.invalidInput, "\(files.certificatePath) holds no certificate") }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            configuration.cipherSuiteValues = Self.tls12CipherSuites
            return configuration
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.invalidInput, "cannot load the TLS certificate \(files.certificatePath) and key \(files.keyPath): \(error)")
        }
    }
}

/// Hummingbird's basic context plus the peer's address, which the audit log and login throttling need.
struct PeerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peerAddress: String

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
