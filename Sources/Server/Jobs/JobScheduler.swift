import CACore
import CAAuthority
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
/// Every CA_JOB_INTERVAL a node tries to claim each of its jobs (`Authority.claimJob`): it wins only if the job
/// is due and no live lease is held. While a run goes on, the lease is renewed beside it; if
/// the node dies, its lease runs out after CA_JOB_LEASE_SECONDS and the next node to tick takes the job.
struct JobScheduler: Service {
    let jobs: [PeriodicJob]
    /// Holds the leases: claims, renewals and releases are its transactions.
    let authority: Authority
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
            guard try await authority.claimJob(job.name, node: node, leaseSeconds: settings.leaseSeconds) else { return }
        } catch {
            reported.log("\(job.name): cannot claim the job: \((error as? CAError)?.message ?? "\(error)")", logger: logger)
            return
        }
        let started = ContinuousClock.now
        let succeeded = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await execute(job, reported: reported) }
            group.addTask { await keepLease(job) }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
        metrics.jobRun(job.name, succeeded: succeeded)
        let duration = ContinuousClock.now - started
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        logger.info(
            "job \(job.name) ran in \(String(format: "%.0f", milliseconds)) ms\(succeeded ? "" : " with problems")",
            metadata: [
                "node": .string(node), "job": .string(job.name), "succeeded": .stringConvertible(succeeded),
                "milliseconds": .string(String(format: "%.0f", milliseconds)),
            ])
        do {
            try await authority.finishJob(job.name, node: node, nextDue: Date().addingTimeInterval(job.interval))
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
            let kept = (try? await authority.renewJobLease(job.name, node: node, leaseSeconds: settings.leaseSeconds)) ?? false
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

/// Sleeps, but returns early when graceful shutdown begins.
func gracefulShutdownAwareSleep(seconds: TimeInterval) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
