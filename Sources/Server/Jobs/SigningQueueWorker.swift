import CAAuthority
import CAStore
import CACore
import Foundation
import Logging
import ServiceLifecycle

/// On nodes with CA keys: signs what public nodes queued, polling as often as the status poller, so that an
/// ACME client polling its order sees it valid about a second after finalizing. It also says, every
/// CA_JOB_INTERVAL, that this signing node is alive: public nodes queue work only while one is.
struct SigningQueueWorker: Service {
    let authority: Authority
    let node: String
    let interval: TimeInterval
    let heartbeatInterval: TimeInterval
    let logger: Logger

    func run() async throws {
        var failing = false
        var lastHeartbeat = Date.distantPast
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if Date().timeIntervalSince(lastHeartbeat) >= heartbeatInterval {
                    lastHeartbeat = Date()
                    try await authority.recordSigningNodeSeen(node: node, at: lastHeartbeat)
                }
                // A claim outlasts any signature; if this node dies holding it, another takes it after that.
                while let entry = try await authority.claimQueuedSigning(node: node, claimSeconds: 60) {
                    switch try await authority.signQueued(entry) {
                    case .issued(let serial): logger.info("queued \(entry.purpose) \(entry.reference) signed: certificate \(serial)")
                    case .refused(let reason): logger.notice("queued \(entry.purpose) \(entry.reference) refused: \(reason)")
                    }
                }
                failing = false
            } catch {
                if !failing { logger.error("signing queued requests failed: \((error as? CAError)?.message ?? "\(error)")") }
                failing = true
            }
            try? await gracefulShutdownAwareSleep(seconds: interval)
        }
    }
}
