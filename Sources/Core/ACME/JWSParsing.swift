import Foundation

/// JSON plumbing shared by the JWS, JWK and external account binding parsers. Every failure is a
/// `JWSError(.malformed)` naming the structure (`what`) it happened in.
enum JWSParsing {
    /// Parses JSON text that must be an object.
    ///
    /// Text with a NUL byte is refused before parsing: valid UTF-8 JSON never has one (a NUL in a string
    /// is written `\u0000`), and Foundation reads text with NULs as UTF-16 or UTF-32 (RFC 8259 §8.1 allows
    /// only UTF-8). Of duplicate member names Foundation keeps the last, as RFC 7515 §4 allows.
    static func object(json bytes: some Collection<UInt8>, what: String) throws(JWSError) -> [String: Any] {
        guard !bytes.contains(0) else {
            throw JWSError(.malformed, "\(what) is not UTF-8 JSON text")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw JWSError(.malformed, "\(what) is not valid JSON")
        }
        guard let object = value as? [String: Any] else {
            throw JWSError(.malformed, "\(what) is not a JSON object")
        }
        return object
    }

    /// The member's string value; nil when it is absent.
    static func optionalString(_ member: String, in object: [String: Any], what: String) throws(JWSError) -> String? {
        guard let value = object[member] else { return nil }
        guard let string = value as? String else {
            throw JWSError(.malformed, "the \"\(member)\" member of \(what) is not a string")
        }
        return string
    }

    static func string(_ member: String, in object: [String: Any], what: String) throws(JWSError) -> String {
        guard let string = try optionalString(member, in: object, what: what) else {
            throw JWSError(.malformed, "\(what) has no \"\(member)\" member")
        }
        return string
    }

    /// The bytes of a required base64url member.
    static func base64URL(_ member: String, in object: [String: Any], what: String) throws(JWSError) -> [UInt8] {
        let text = try string(member, in: object, what: what)
        guard let bytes = Base64URL.decode(text) else {
            throw JWSError(.malformed, "the \"\(member)\" member of \(what) is not base64url without padding")
        }
        return bytes
    }

    /// `text` in quotes for an error message, shortened so that a hostile value cannot fill a log line.
    static func quoted(_ text: String) -> String {
        let limit = 40
        let printable = String(text.unicodeScalars.prefix(limit).map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return "\"" + printable + (text.unicodeScalars.count > limit ? "…\"" : "\"")
    }
}
