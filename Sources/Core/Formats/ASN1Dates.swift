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
