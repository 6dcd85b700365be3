import CAAuthority
import CACore
import Foundation
import Logging
import ServiceLifecycle

/// Reads revocations made by any process every CA_JOB_STATUS_POLL_MILLISECONDS, so that the responder's
/// cache never answers "good" for a revoked certificate for longer than that.
struct StatusPoller: Service {
    let responder: OCSPResponder
    let interval: TimeInterval
    let logger: Logger

    func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await responder.pollStatusChanges()
                failing = false
            } catch {
                if !failing { logger.error("reading status changes failed: \(error)") }
                failing = true
            }
            try? await gracefulShutdownAwareSleep(seconds: interval)
        }
    }
}

/// Rereads responder certificates and keys on this node: whichever node renewed them, every node must
/// start answering with the new ones.
final class ResponderReload: @unchecked Sendable {
    // @unchecked: `lastReload` is only touched by the scheduler's task.
    private let responder: OCSPResponder
    private let interval: TimeInterval
    private let logger: Logger
    private var lastReload = Date()

    init(responder: OCSPResponder, interval: TimeInterval, logger: Logger) {
        self.responder = responder
        self.interval = interval
        self.logger = logger
    }

    func runIfDue(now: Date = Date()) async {
        guard now.timeIntervalSince(lastReload) >= interval else { return }
        lastReload = now
        do {
            try await responder.reloadResponders(now: now)
        } catch {
            logger.error("reloading OCSP responder certificates failed: \((error as? CAError)?.message ?? "\(error)")")
        }
    }
}
