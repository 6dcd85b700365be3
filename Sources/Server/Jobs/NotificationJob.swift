import CAAuthority
import CACore
import Logging

/// The "notifications" job: `notify-expiring-certs` inside the server. Deliveries are logged; failures are
/// returned as problems for the jobs loop to log and count, and are retried by the next run.
enum NotificationJob {
    static func run(_ authority: Authority, transport: any MailTransport, logger: Logger) async throws -> [String] {
        var problems: [String] = []
        for outcome in try await authority.notifyExpiringCertificates(transport: transport) {
            let subject = "certificate \(outcome.certificate.serial) to \(outcome.email)"
            switch outcome.result {
            case .sent: logger.info("expiry notice (\(outcome.notice.daysLeft) days left) for \(subject) sent")
            case .failed(let error): problems.append("expiry notice for \(subject): \(error.message)")
            case .postponed: logger.debug("expiry notice for \(subject) left for the next run")
            case .due: break
            }
        }
        return problems
    }
}
