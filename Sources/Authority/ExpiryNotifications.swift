import CACore
import CAStore
import Foundation

/// What one run of the notification job did for one certificate and watcher.
public struct ExpiryNotificationOutcome: Sendable {
    public enum Result: Sendable {
        case sent
        /// A dry run: this mail is due but was not sent.
        case due
        case failed(MailDeliveryError)
        /// Not tried: an earlier delivery of this run found the server unusable. The next run tries again.
        case postponed
    }

    public let certificate: ExpiringCertificate
    public let email: String
    public let notice: ExpiryNotificationSchedule.Notice
    public let result: Result
}

extension Authority {
    /// Mails each watcher of a certificate that crossed a threshold of CA_NOTIFICATION_DAYS (or `days`) the
    /// one notice due (`ExpiryNotificationSchedule`), and records each delivery once the server accepted it.
    /// Revoked and expired certificates are skipped. A failed delivery is reported, not recorded, so the
    /// next run tries again; once the server itself fails, the rest of the run is postponed.
    ///
    /// - Parameter transport: nil for a dry run, which reports what is due and sends nothing.
    public func notifyExpiringCertificates(
        transport: (any MailTransport)?, days: [Int]? = nil, now: Date = Date()
    ) async throws -> [ExpiryNotificationOutcome] {
        let schedule = ExpiryNotificationSchedule(days: days ?? settings.notificationDays)
        guard let horizon = schedule.horizon(now: now) else { return [] }
        let sender = try transport.map { _ in try notificationSender() }
        var outcomes: [ExpiryNotificationOutcome] = []
        var serverFailed = false
        let watchedCertificates = try await store.read { transaction in
            (try await transaction.watchedExpiries(after: now, until: horizon) + (try await transaction.watchedSSHExpiries(after: now, until: horizon)))
                .sorted { $0.certificate.notAfter < $1.certificate.notAfter }
        }
        for watched in watchedCertificates {
            guard let notice = schedule.due(notAfter: watched.certificate.notAfter, now: now, lowestNotified: watched.lowestNotified)
            else { continue }
            func outcome(_ result: ExpiryNotificationOutcome.Result) -> ExpiryNotificationOutcome {
                ExpiryNotificationOutcome(certificate: watched.certificate, email: watched.email, notice: notice, result: result)
            }
            guard let transport, let sender else {
                outcomes.append(outcome(.due))
                continue
            }
            guard !serverFailed else {
                outcomes.append(outcome(.postponed))
                continue
            }
            do {
                let watcher = try EmailAddress(parsing: watched.email)
                let message = ExpiryNotice.message(
                    for: watched.certificate, daysLeft: notice.daysLeft, watcher: watcher, from: sender, date: now)
                try await transport.send(message)
            } catch let error as MailDeliveryError {
                serverFailed = error.scope == .server
                outcomes.append(outcome(.failed(error)))
                continue
            } catch {
                outcomes.append(outcome(.failed(MailDeliveryError(.message, "\(error)"))))
                continue
            }
            try await store.write { try await $0.recordExpiryNotification(
                for: watched.certificate, email: watched.email, threshold: notice.threshold, sentAt: Date()) }
            outcomes.append(outcome(.sent))
        }
        return outcomes
    }

    private func notificationSender() throws -> EmailAddress {
        guard let from = settings.email.from else {
            throw CAError(.invalidInput, "CA_EMAIL_FROM is not set; give the sender address of notification mails")
        }
        return from
    }
}
