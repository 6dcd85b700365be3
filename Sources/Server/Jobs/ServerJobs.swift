import CAACME
import CAAuthority
import CACore
import Logging

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
