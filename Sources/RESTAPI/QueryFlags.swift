import CACore
import Foundation
import Hummingbird

/// The query parameters of a request, read strictly: a flag that is not a boolean or a limit that is not
/// a number is a 400 naming it, never silently ignored.
struct QueryFlags {
    private var values: [String: String] = [:]
    private var order: [String] = []

    init(_ request: Request) throws {
        for item in (request.uri.query ?? "").split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decoded(pair[0])
            let value = pair.count == 2 ? Self.decoded(pair[1]) : ""
            // PostgreSQL cannot store or compare text with NUL; it is never part of a name, serial or search.
            if name.contains("\u{0}") || value.contains("\u{0}") {
                throw CAError(.invalidInput, "query parameters must not contain NUL characters")
            }
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
    }

    /// `+` is a space in query strings (HTML forms), then percent-decoding.
    private static func decoded(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    func value(_ name: String) -> String? {
        values[name]
    }

    func flag(_ name: String) throws -> Bool? {
        guard let text = values[name] else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw CAError(.invalidInput, "\"\(name)\" must be true or false")
        }
    }

    func integer(_ name: String) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Int(text) else { throw CAError(.invalidInput, "\"\(name)\" must be an integer") }
        return number
    }

    /// This request's URL with one parameter set to a new value, for the Link header of the next page.
    func url(path: String, replacing name: String, with value: String) -> String {
        var parameters = order.filter { $0 != name }.map { ($0, values[$0] ?? "") }
        parameters.append((name, value))
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let query = parameters.map { key, value in
            (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }
        return path + "?" + query.joined(separator: "&")
    }
}
