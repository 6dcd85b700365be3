import Foundation

/// Decides which expiry warning, if any, is due for one certificate and one watcher (CA_NOTIFICATION_DAYS).
///
/// A threshold N applies once the certificate has at most N days left. Of the thresholds that apply, only
/// the nearest (smallest) is mailed; larger ones count as notified, so a watcher added late, or a job that
/// did not run for a week, produces one mail, not one per threshold passed. What was sent before is given
/// as the smallest threshold ever notified: a threshold is due only while it is below that. This also holds
/// when CA_NOTIFICATION_DAYS changes between runs.
public struct ExpiryNotificationSchedule: Sendable, Equatable {
    /// Distinct positive thresholds in days, ascending.
    public let thresholds: [Int]

    public init(days: [Int]) {
        thresholds = Set(days.filter { $0 > 0 }).sorted()
    }

    /// What one run mails: the threshold and the days left it reports.
    public struct Notice: Sendable, Equatable {
        public let threshold: Int
        public let daysLeft: Int
    }

    /// Whole days left, rounded up, so that "at most N days left" is `daysLeft <= N`; nil once expired.
    public static func daysLeft(until notAfter: Date, now: Date) -> Int? {
        let seconds = notAfter.timeIntervalSince(now)
        guard seconds > 0 else { return nil }
        return Int((seconds / 86_400).rounded(.up))
    }

    /// Certificates that expire after this date are not due for any threshold yet; nil without thresholds.
    public func horizon(now: Date) -> Date? {
        thresholds.last.map { now.addingTimeInterval(TimeInterval($0) * 86_400) }
    }

    /// The threshold to mail now, or nil when none applies or the nearest one was already notified.
    public func dueThreshold(daysLeft: Int, lowestNotified: Int?) -> Int? {
        guard let nearest = thresholds.first(where: { daysLeft <= $0 }) else { return nil }
        if let lowestNotified, lowestNotified <= nearest { return nil }
        return nearest
    }

    /// The notice due for a certificate expiring at `notAfter`; nil when it expired or nothing is due.
    public func due(notAfter: Date, now: Date, lowestNotified: Int?) -> Notice? {
        guard let daysLeft = Self.daysLeft(until: notAfter, now: now),
            let threshold = dueThreshold(daysLeft: daysLeft, lowestNotified: lowestNotified)
        else { return nil }
        return Notice(threshold: threshold, daysLeft: daysLeft)
    }
}
