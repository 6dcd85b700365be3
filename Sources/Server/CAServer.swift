import CAACME
import CAAuthority
import CAMail
import CAStore
import CACore
import CAValidation
import Foundation
import Hummingbird
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `swift-ca serve`: publishes issuer certificates, CRLs and OCSP responses (signed, so plain HTTP serves them,
/// RFC 5280 §4.2.1.13 and RFC 6960), serves ACME (over HTTPS with `--tls-*`), and runs the periodic jobs.
///
/// Five database connections, each used by one kind of work: the OCSP responder, the CRL and issuer
/// publisher, ACME issuance, ACME bookkeeping (deferred durability, see `ACMEService`), and the jobs, so
/// that a long CRL regeneration never stalls OCSP answers.
public enum CAServer {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// PEM certificate chain and key: `port` then speaks HTTPS (RFC 8555 §6.1 wants ACME over TLS).
        public var tls: (certificatePath: String, keyPath: String)?
        /// With TLS, a second listener for plain HTTP, where OCSP and CRL clients expect them.
        public var plainPort: Int?
        public init() {}
    }

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
        let jobsAuthority = try await Authority.open(settings: settings)
        let responderAuthority = try await Authority.open(settings: settings)
        let publisherAuthority = try await Authority.open(settings: settings)
        let acmeAuthority = try await Authority.open(settings: settings)
        let acmeBookkeeping = try await Store.openSQLite(path: settings.databasePath, durability: .deferred)
        defer {
            // Services have stopped when `run` returns; the connections close on a detached task.
            Task {
                await jobsAuthority.close()
                await responderAuthority.close()
                await publisherAuthority.close()
                await acmeAuthority.close()
                await acmeBookkeeping.shutdown()
            }
        }
        let metrics = ServerMetrics()
        let responder = OCSPResponder(authority: responderAuthority)
        for problem in try await responder.reloadResponders() { logger.warning("\(problem)") }

        let validator = NetworkChallengeValidator(settings: settings.acme, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let router = RequestRouter(
            prefix: "/" + settings.urlPath, responder: responder, publisher: RevocationPublisher(authority: publisherAuthority),
            acme: ACMEService(authority: acmeAuthority, bookkeeping: acmeBookkeeping, validator: validator),
            metrics: metrics, logger: logger)
        var listeners: [any Service] = []
        if let tls = options.tls {
            var secure = router
            secure.scheme = "https"
            listeners.append(
                try listener(router: secure, host: options.host, port: options.port, tls: try tlsConfiguration(tls), logger: logger, announce: announce))
            if let plainPort = options.plainPort {
                listeners.append(try listener(router: router, host: options.host, port: plainPort, tls: nil, logger: logger, announce: announce))
            }
        } else {
            listeners.append(try listener(router: router, host: options.host, port: options.port, tls: nil, logger: logger, announce: announce))
        }
        let mail = settings.email.host == nil ? nil : try SMTPTransport(settings: settings.email)
        let jobs = PeriodicJobs(authority: jobsAuthority, responder: responder, metrics: metrics, logger: logger, mail: mail)
        let poller = StatusPoller(
            responder: responder, interval: TimeInterval(settings.jobs.statusPollMilliseconds) / 1000, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: listeners + [jobs, poller], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private static func listener(
        router: RequestRouter, host: String, port: Int, tls: TLSConfiguration?, logger: Logger,
        announce: @escaping @Sendable (String) -> Void
    ) throws -> any Service {
        let scheme = tls == nil ? "http" : "https"
        return Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await router.respond(to: request) },
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "swift-ca"),
            onServerRunning: { channel in
                let actualPort = channel.localAddress?.port ?? port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                announce("\(scheme)://\(shownHost):\(actualPort)/")
            },
            logger: logger)
    }

    private static func tlsConfiguration(_ files: (certificatePath: String, keyPath: String)) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw CAError(.invalidInput, "\(files.certificatePath) holds no certificate") }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return configuration
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.invalidInput, "cannot load the TLS certificate \(files.certificatePath) and key \(files.keyPath): \(error)")
        }
    }
}
