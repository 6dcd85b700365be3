import Foundation

/// Times as the CLI, the API and extension descriptions print them: `2027-01-31T12:00:00Z`, or the day alone.
/// Written with gmtime_r because listings format one date per row and a DateFormatter per call costs more than
/// the database query.
public enum TimeText {
    public static func iso(_ date: Date) -> String {
        let parts = utcParts(date)
        return day(parts) + "T" + padded(parts.tm_hour) + ":" + padded(parts.tm_min) + ":" + padded(parts.tm_sec) + "Z"
    }

    public static func day(_ date: Date) -> String {
        day(utcParts(date))
    }

    static func day(_ parts: tm) -> String {
        String(parts.tm_year + 1900) + "-" + padded(parts.tm_mon + 1) + "-" + padded(parts.tm_mday)
    }

    static func padded(_ value: Int32) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }

    static func utcParts(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
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
}
