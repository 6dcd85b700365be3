import CAACME
import CAAuthority
import CACore
import CAStore
import Foundation
import Logging
import ServiceLifecycle

/// One periodic job: what `generate-crls`, `generate-ocsp-keys`, `generate-ocsp-responses`, `acme-cleanup`
/// do as commands. `run` returns the problems worth logging (a CA without a password, say).
struct PeriodicJob: Sendable {
    let name: String
    /// Time from the end of one run, on any node, to the next.
    let interval: TimeInterval
    let run: @Sendable () async throws -> [String]
}

/// Runs the periodic jobs across every node that shares the database, each exactly once per interval.
///
/// Every CA_JOB_INTERVAL a node tries to claim each of its jobs (`Store.claimJob`): it wins only if the job
/// is due and no live lease is held. While a run goes on, the lease is renewed on a separate connection; if
/// the node dies, its lease runs out after CA_JOB_LEASE_SECONDS and the next node to tick takes the job.
struct JobScheduler: Service {
    let jobs: [PeriodicJob]
    /// The connection for leases only: job bodies use the authority's, and a store serves one task at a time.
    let leases: Store
    let node: String
    let settings: ServerJobSettings
    let metrics: ServerMetrics
    let logger: Logger
    /// Runs at every tick on this node alone, whoever holds the jobs (reloading responder certificates
    /// that another node renewed, for instance).
    let everyTick: @Sendable () async -> Void

    func run() async throws {
        // Problems that repeat every run (a CA without a password) are logged when they first appear.
        let reported = ReportedProblems()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for job in jobs {
                guard !Task.isShuttingDownGracefully else { break }
                await runIfDue(job, reported: reported)
            }
            await everyTick()
            try? await gracefulShutdownAwareSleep(seconds: settings.schedulerInterval)
        }
    }

    private func runIfDue(_ job: PeriodicJob, reported: ReportedProblems) async {
        do {
            guard try await leases.claimJob(job.name, node: node, now: Date(), leaseSeconds: settings.leaseSeconds) else { return }
        } catch {
            reported.log("\(job.name): cannot claim the job: \((error as? CAError)?.message ?? "\(error)")", logger: logger)
            return
        }
        let succeeded = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await execute(job, reported: reported) }
            group.addTask { await keepLease(job) }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
        metrics.jobRun(job.name, succeeded: succeeded)
        do {
            try await leases.finishJob(job.name, node: node, nextDue: Date().addingTimeInterval(job.interval))
        } catch {
            reported.log("\(job.name): cannot release the job: \((error as? CAError)?.message ?? "\(error)")", logger: logger)
        }
    }

    private func execute(_ job: PeriodicJob, reported: ReportedProblems) async -> Bool? {
        do {
            let problems = try await job.run()
            for problem in problems { reported.log("\(job.name): \(problem)", logger: logger) }
            return problems.isEmpty
        } catch {
            reported.log("\(job.name) failed: \((error as? CAError)?.message ?? "\(error)")", logger: logger)
            return false
        }
    }

    /// Renews the lease at a third of its length until cancelled; returns nil because it never decides the result.
    private func keepLease(_ job: PeriodicJob) async -> Bool? {
        let period = max(1, settings.leaseSeconds / 3)
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(period * 1_000_000_000))
            guard !Task.isCancelled else { break }
            let kept = (try? await leases.renewJobLease(job.name, node: node, now: Date(), leaseSeconds: settings.leaseSeconds)) ?? false
            if !kept { logger.warning("\(job.name): the lease ran out while the job was running; another node may run it too") }
        }
        return nil
    }
}

/// Logs each distinct problem once per process.
final class ReportedProblems: @unchecked Sendable {
    // @unchecked: `seen` is guarded by `lock`.
    private let lock = NSLock()
    private var seen: Set<String> = []

    func log(_ problem: String, logger: Logger) {
        if lock.withLock({ seen.insert(problem).inserted }) { logger.error("\(problem)") }
    }
}

/// The jobs a node runs, by role: a public node holds no CA key, so it runs only what needs none.
enum ServerJobs {
    static func make(
        authority: Authority, responder: OCSPResponder, role: CAServer.Role, mail: (any MailTransport)?, logger: Logger
    ) -> [PeriodicJob] {
        let intervals = authority.settings.jobs
        var jobs: [PeriodicJob] = []
        if role == .all {
            jobs.append(PeriodicJob(name: "ocsp-keys", interval: intervals.ocspKeyInterval) {
                let outcomes = try await authority.generateResponderKeys()
                var problems: [String] = []
                for outcome in outcomes {
                    switch outcome.result {
                    case .created(let record):
                        logger.info("OCSP responder certificate \(record.serial) created for CA \(outcome.authority.name)")
                    case .failed(let error):
                        problems.append("CA \(outcome.authority.name): \(error.message)")
                    default:
                        break
                    }
                }
                // Answers with the new certificates here at once; other nodes reload on their own ticks.
                return problems + (try await responder.reloadResponders())
            })
            jobs.append(PeriodicJob(name: "crls", interval: intervals.crlCheckInterval) {
                try await authority.generateRevocationLists().compactMap { outcome in
                    switch outcome.result {
                    case .generated(let number):
                        logger.info("CRL \(outcome.profile) #\(number) of CA \(outcome.authority.name) stored")
                        return nil
                    case .current: return nil
                    case .failed(let error): return "CRL \(outcome.profile) of CA \(outcome.authority.name): \(error.message)"
                    }
                }
            })
            jobs.append(PeriodicJob(name: "ocsp-responses", interval: intervals.ocspResponseInterval) {
                try await authority.generateOCSPResponses().compactMap { outcome in
                    if case .failed(let error) = outcome.result { return "CA \(outcome.authority.name): \(error.message)" }
                    return nil
                }
            })
        }
        // Expiry notifications need no CA key, and run only when CA_EMAIL_HOST names a mail server.
        if let mail {
            jobs.append(PeriodicJob(name: "notifications", interval: intervals.notificationInterval) {
                try await NotificationJob.run(authority, transport: mail, logger: logger)
            })
        }
        jobs.append(PeriodicJob(name: "acme-cleanup", interval: intervals.acmeCleanupInterval) {
            let outcome = try await ACMECleanup.run(authority)
            logger.debug(
                "ACME cleanup: \(outcome.expiredNonces) nonce(s), \(outcome.expiredOrders) order(s), \(outcome.expiredAuthorizations) authorization(s) deleted")
            return []
        })
        return jobs
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
                    try await authority.store.recordNodeSeen(node: node, role: CAServer.Role.all.rawValue, at: lastHeartbeat)
                }
                // A claim outlasts any signature; if this node dies holding it, another takes it after that.
                while let entry = try await authority.store.claimQueuedSigning(node: node, now: Date(), claimSeconds: 60) {
                    switch try await ACMEQueuedSigning.process(entry, authority: authority) {
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
