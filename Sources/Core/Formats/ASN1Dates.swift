import Foundation
import SwiftASN1

/// Dates as RFC 5280 §4.1.2.5.2 writes GeneralizedTime: UTC, whole seconds.
public enum ASN1Dates {
    public static func generalizedTime(_ date: Date) throws -> GeneralizedTime {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        do {
            return try GeneralizedTime(
                year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                hours: Int(parts.tm_hour), minutes: Int(parts.tm_min), seconds: Int(parts.tm_sec), fractionalSeconds: 0)
        } catch {
            throw CAError(.invalidInput, "the time \(date) cannot be written as a GeneralizedTime")
        }
    }

    /// A time as django-ca's options take it: `2027-01-31T12:00:00` (UTC), the same with `Z` or an offset, or a
    /// date (midnight UTC).
    public static func parse(_ text: String, option: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let formatter = ISO8601DateFormatter()
        let withZone: [ISO8601DateFormatter.Options] = [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]]
        for options in withZone {
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return date }
        }
        // Without a zone the time is UTC, as django-ca reads it with USE_TZ.
        formatter.timeZone = TimeZone(identifier: "UTC")
        for options: ISO8601DateFormatter.Options in [
            [.withFullDate, .withTime, .withDashSeparatorInDate, .withColonSeparatorInTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw CAError(.invalidInput, "\(option) \"\(text)\" is not a time such as 2027-01-31T12:00:00 or 2027-01-31")
    }

    public static func date(_ time: GeneralizedTime) -> Date {
        var parts = tm()
        parts.tm_year = Int32(time.year - 1900)
        parts.tm_mon = Int32(time.month - 1)
        parts.tm_mday = Int32(time.day)
        parts.tm_hour = Int32(time.hours)
        parts.tm_min = Int32(time.minutes)
        parts.tm_sec = Int32(time.seconds)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)) + time.fractionalSeconds)
    }
}
