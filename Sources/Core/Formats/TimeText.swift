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
}
