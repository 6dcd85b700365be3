import CAACME
import CAAuthority
import CACore
import Foundation
import Logging
import ServiceLifecycle

/// The jobs `generate-crls`, `generate-ocsp-keys`, `generate-ocsp-responses`, `acme-cleanup` and `notify-expiring-certs`
/// run as commands, run here on their intervals, one after another on the jobs' own database connection. Each runs once at start.
struct PeriodicJobs: Service {
    let authority: Authority
    let responder: OCSPResponder
    let metrics: ServerMetrics
    let logger: Logger
    /// Expiry notifications are mailed only when CA_EMAIL_HOST is set.
    var mail: (any MailTransport)? = nil

    func run() async throws {
        let jobs = authority.settings.jobs
        var nextKeys = Date.distantPast
        var nextCRLs = Date.distantPast
        var nextResponses = Date.distantPast
        var nextCleanup = Date.distantPast
        var nextNotifications = mail == nil ? Date.distantFuture : Date.distantPast
        // Problems that repeat every run (a CA without a password) are logged when they first appear.
        var reported: Set<String> = []
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = Date()
            if now >= nextKeys {
                await runJob("ocsp-keys", reported: &reported) {
                    let outcomes = try await authority.generateResponderKeys()
                    for outcome in outcomes {
                        if case .created(let record) = outcome.result {
                            logger.info("OCSP responder certificate \(record.serial) created for CA \(outcome.authority.name)")
                        }
                    }
                    // Picks up renewals made here and by `generate-ocsp-keys` in other processes.
                    let problems = try await responder.reloadResponders()
                    return outcomes.compactMap { outcome in
                        if case .failed(let error) = outcome.result { return "CA \(outcome.authority.name): \(error.message)" }
                        return nil
                    } + problems
                }
                nextKeys = now.addingTimeInterval(jobs.ocspKeyInterval)
            }
            if now >= nextCRLs {
                await runJob("crls", reported: &reported) {
                    let outcomes = try await authority.generateRevocationLists()
                    return outcomes.compactMap { outcome in
                        switch outcome.result {
                        case .generated(let number):
                            logger.info("CRL \(outcome.profile) #\(number) of CA \(outcome.authority.name) stored")
                            return nil
                        case .current: return nil
                        case .failed(let error): return "CRL \(outcome.profile) of CA \(outcome.authority.name): \(error.message)"
                        }
                    }
                }
                nextCRLs = now.addingTimeInterval(jobs.crlCheckInterval)
            }
            if now >= nextResponses {
                await runJob("ocsp-responses", reported: &reported) {
                    try await authority.generateOCSPResponses().compactMap { outcome in
                        if case .failed(let error) = outcome.result { return "CA \(outcome.authority.name): \(error.message)" }
                        return nil
                    }
                }
                nextResponses = now.addingTimeInterval(jobs.ocspResponseInterval)
            }
            if now >= nextCleanup {
                await runJob("acme-cleanup", reported: &reported) {
                    let outcome = try await ACMECleanup.run(authority)
                    logger.debug(
                        "ACME cleanup: \(outcome.expiredNonces) nonce(s), \(outcome.expiredOrders) order(s), \(outcome.expiredAuthorizations) authorization(s) deleted")
                    return []
                }
                nextCleanup = now.addingTimeInterval(jobs.acmeCleanupInterval)
            }
            if let mail, now >= nextNotifications {
                await runJob("notifications", reported: &reported) {
                    try await NotificationJob.run(authority, transport: mail, logger: logger)
                }
                nextNotifications = now.addingTimeInterval(jobs.notificationInterval)
            }
            let wake = min(nextKeys, nextCRLs, nextResponses, nextCleanup, nextNotifications)
            let delay = max(0.05, wake.timeIntervalSinceNow)
            try? await gracefulShutdownAwareSleep(seconds: delay)
        }
    }

    private func runJob(_ name: String, reported: inout Set<String>, _ body: () async throws -> [String]) async {
        do {
            let problems = try await body()
            for problem in problems where reported.insert(problem).inserted {
                logger.error("\(name): \(problem)")
            }
            metrics.jobRun(name, succeeded: problems.isEmpty)
        } catch {
            let message = (error as? CAError)?.message ?? "\(error)"
            if reported.insert(message).inserted { logger.error("\(name) failed: \(message)") }
            metrics.jobRun(name, succeeded: false)
        }
    }
}

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

/// Sleeps, but returns early when graceful shutdown begins.
func gracefulShutdownAwareSleep(seconds: TimeInterval) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
