import Foundation

/// Lengths of time as django-ca's settings write them (pydantic's `timedelta`): ISO 8601 durations (`P1D`,
/// `PT12H`, `P1DT2H30M`), Python's own `str(timedelta)` form (`1 day, 0:00:00`, `12:00:00`), or a bare number
/// whose unit depends on the setting, so the caller names it.
public enum DurationText {
    /// Seconds, or nil when `text` is none of the accepted forms.
    public static func seconds(_ text: String, numberUnit: TimeInterval) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Double(trimmed), number.isFinite { return number * numberUnit }
        if trimmed.uppercased().hasPrefix("P") { return iso8601(String(trimmed.dropFirst()).uppercased()) }
        return clock(trimmed)
    }

    /// `nW`, or `[nD][T[nH][nM][nS]]` after the `P`: years and months are refused because their length varies.
    static func iso8601(_ body: String) -> TimeInterval? {
        var total: TimeInterval = 0
        var number = ""
        var inTimePart = false
        var sawComponent = false
        for character in body {
            if character.isNumber || character == "." || character == "," {
                number.append(character == "," ? "." : character)
                continue
            }
            if character == "T" {
                guard !inTimePart, number.isEmpty else { return nil }
                inTimePart = true
                continue
            }
            guard let value = Double(number) else { return nil }
            let unit: TimeInterval
            switch (character, inTimePart) {
            case ("W", false): unit = 7 * 86_400
            case ("D", false): unit = 86_400
            case ("H", true): unit = 3_600
            case ("M", true): unit = 60
            case ("S", true): unit = 1
            default: return nil
            }
            total += value * unit
            number = ""
            sawComponent = true
        }
        return sawComponent && number.isEmpty ? total : nil
    }

    /// `[D day[s], ][H]H:MM:SS[.ffffff]`.
    static func clock(_ text: String) -> TimeInterval? {
        var days: TimeInterval = 0
        var rest = Substring(text)
        if let comma = text.firstIndex(of: ",") {
            let dayPart = text[..<comma].split(separator: " ")
            guard dayPart.count == 2, let count = Double(dayPart[0]), ["day", "days"].contains(dayPart[1]) else { return nil }
            days = count
            rest = text[text.index(after: comma)...].drop(while: { $0 == " " })
        }
        let fields = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let hours = Double(fields[0]), let minutes = Double(fields[1]), let seconds = Double(fields[2]),
            hours >= 0, (0..<60).contains(minutes), (0..<60).contains(seconds)
        else { return nil }
        return days * 86_400 + hours * 3_600 + minutes * 60 + seconds
    }
}
