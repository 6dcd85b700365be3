import Foundation

/// The times `sign-ssh-cert` takes: ISO 8601 (`2027-01-31T12:00:00Z`), or ssh-keygen's `YYYYMMDD[HHMM[SS]]` in UTC.
public enum SSHValidityTime {
    public static func parse(_ text: String, option: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) else { return try TimeText.parse(trimmed, option: option) }
        guard [8, 12, 14].contains(trimmed.count) else {
            throw CAError(.invalidInput, "\(option) \"\(text)\" is not YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS")
        }
        let digits = Array(trimmed)
        func number(_ range: Range<Int>) -> Int { Int(String(digits[range])) ?? -1 }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = digits.count >= 12 ? number(8..<10) : 0
        components.minute = digits.count >= 12 ? number(10..<12) : 0
        components.second = digits.count == 14 ? number(12..<14) : 0
        guard components.isValidDate, let date = components.date else {
            throw CAError(.invalidInput, "\(option) \"\(text)\" is not a valid date")
        }
        return date
    }
}
