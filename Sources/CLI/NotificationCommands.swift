import ArgumentParser
import CAAuthority
import CACore
import CAMail
import Foundation

struct NotifyExpiringCerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-expiring-certs",
        abstract: "Mail the watchers of certificates that reached a threshold of CA_NOTIFICATION_DAYS (for cron; `serve` does this itself).",
        discussion: """
            Each watcher gets one mail per certificate and run, for the nearest threshold not yet notified; \
            thresholds already passed count as notified. Deliveries are recorded, so running this often is safe; \
            a failed delivery is retried by the next run. Revoked and expired certificates are skipped.
            """,
        aliases: ["notify_expiring_certs"])

    @Option(parsing: .upToNextOption, help: "Thresholds in days instead of CA_NOTIFICATION_DAYS (--days 14 7 3 1).")
    var days: [Int] = []
    @Flag(help: "Print the mails that are due; send and record nothing.") var dryRun = false

    func run() async throws {
        try await CommandRunner.run { authority in
            guard days.allSatisfy({ $0 > 0 }) else { throw CAError(.invalidInput, "--days takes positive numbers of days") }
            guard dryRun || authority.settings.email.host != nil else {
                throw CAError(.invalidInput, "CA_EMAIL_HOST is not set, so no mail can be sent (--dry-run shows what is due)")
            }
            let transport = dryRun ? nil : try SMTPTransport(settings: authority.settings.email)
            let outcomes = try await authority.notifyExpiringCertificates(transport: transport, days: days.isEmpty ? nil : days)
            var failures: [String] = []
            var postponed = 0
            for outcome in outcomes {
                let mail = Self.describe(outcome)
                switch outcome.result {
                case .sent: print("sent: \(mail)")
                case .due: print("due: \(mail)")
                case .failed(let error): failures.append("\(mail): \(error.message)")
                case .postponed: postponed += 1
                }
            }
            if postponed > 0 { failures.append("\(postponed) more mail(s) left for the next run") }
            try JobFailures.report(failures)
        }
    }

    /// `example.com (7A:92:...) to ops@example.com: 5 days left (threshold 7)`.
    static func describe(_ outcome: ExpiryNotificationOutcome) -> String {
        let certificate = outcome.certificate
        let serial = certificate.kind == .x509 ? SerialNumberText.colonSeparated(certificate.serial) : "SSH \(certificate.authorityName) \(certificate.serial)"
        let daysLeft = outcome.notice.daysLeft == 1 ? "1 day" : "\(outcome.notice.daysLeft) days"
        return "\(outcome.certificate.commonName) (\(serial)) to \(outcome.email): \(daysLeft) left (threshold \(outcome.notice.threshold))"
    }
}
