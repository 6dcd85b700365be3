import CAACME
import CAAuthority
import CACore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `swift-ca serve`: publishes issuer certificates, CRLs and OCSP responses over plain HTTP (they are signed,
/// RFC 5280 §4.2.1.13 and RFC 6960 need no TLS) and runs the periodic jobs.
///
/// Four database connections, each used by one kind of work: the OCSP responder, the CRL and issuer
/// publisher, ACME, and the jobs, so that a long CRL regeneration never stalls OCSP answers.
public enum CAServer {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
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
        defer {
            // Services have stopped when `run` returns; the connections close on a detached task.
            Task {
                await jobsAuthority.close()
                await responderAuthority.close()
                await publisherAuthority.close()
                await acmeAuthority.close()
            }
        }
        let metrics = ServerMetrics()
        let responder = OCSPResponder(authority: responderAuthority)
        for problem in try await responder.reloadResponders() { logger.warning("\(problem)") }

        let router = RequestRouter(
            prefix: "/" + settings.urlPath, responder: responder, publisher: RevocationPublisher(authority: publisherAuthority),
            acme: ACMEService(authority: acmeAuthority),
            metrics: metrics, logger: logger)
        let host = options.host
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await router.respond(to: request) },
            configuration: ApplicationConfiguration(address: .hostname(host, port: options.port), serverName: "swift-ca"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                announce("http://\(shownHost):\(port)/")
            },
            logger: logger)
        let jobs = PeriodicJobs(authority: jobsAuthority, responder: responder, metrics: metrics, logger: logger)
        let poller = StatusPoller(
            responder: responder, interval: TimeInterval(settings.jobs.statusPollMilliseconds) / 1000, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application, jobs, poller], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
