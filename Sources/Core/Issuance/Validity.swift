import Foundation

/// How long a certificate is valid. Certificates start a few minutes in the past so that a relying party
/// whose clock is slightly behind accepts a brand-new certificate; times are whole minutes as in django-ca.
public enum Validity {
    public static let backdating: TimeInterval = 5 * 60

    public static func notBefore(now: Date) -> Date {
        truncatedToMinute(now.addingTimeInterval(-backdating))
    }

    public static func notAfter(now: Date, days: Int) -> Date {
        truncatedToMinute(now.addingTimeInterval(TimeInterval(days) * 86_400))
    }

    static func truncatedToMinute(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }
}
