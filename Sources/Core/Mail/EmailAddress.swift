import Foundation

/// An e-mail address as watchers and CA_EMAIL_FROM are written: `user@example.com` or
/// `Name <user@example.com>` (RFC 5322 §3.4, without comments, groups or quoted local parts).
///
/// The address itself must be ASCII: SMTP servers without SMTPUTF8 reject anything else, and a watcher
/// that can never be mailed is better refused when it is added. The display name may be any text.
public struct EmailAddress: Sendable, Equatable, Hashable {
    /// `local@domain`, the domain in lower case: what goes into MAIL FROM and RCPT TO.
    public let address: String
    public let displayName: String?

    public init(parsing text: String) throws(CAError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Self.invalid(text)
        }
        var name: String?
        var bare = trimmed
        if let open = trimmed.firstIndex(of: "<") {
            guard trimmed.hasSuffix(">"), trimmed.lastIndex(of: "<") == open, trimmed.filter({ $0 == ">" }).count == 1 else {
                throw Self.invalid(text)
            }
            bare = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            name = try Self.displayName(String(trimmed[..<open]).trimmingCharacters(in: .whitespaces), of: text)
        }
        address = try Self.validatedAddress(bare, of: text)
        displayName = name
    }

    /// The address as a header field shows it: the name quoted or encoded (RFC 2047) when it must be.
    public var headerValue: String {
        guard let displayName else { return address }
        return MIMEHeaderText.phrase(displayName) + " <" + address + ">"
    }

    static func invalid(_ text: String) -> CAError {
        CAError(.invalidInput, "\"\(text)\" is not an e-mail address (user@example.com or Name <user@example.com>)")
    }

    /// `Name`, `"Doe, Jane"` (quotes and backslash escapes removed) or nothing.
    private static func displayName(_ text: String, of original: String) throws(CAError) -> String? {
        guard text.hasPrefix("\""), text.count >= 2 else { return text.isEmpty ? nil : text }
        guard text.hasSuffix("\"") else { throw invalid(original) }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                throw invalid(original)
            } else {
                result.append(character)
            }
        }
        guard !escaped else { throw invalid(original) }
        return result.isEmpty ? nil : result
    }

    /// A dot-atom local part (RFC 5322 §3.2.3) of at most 64 characters, `@`, and a DNS name.
    private static func validatedAddress(_ text: String, of original: String) throws(CAError) -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, text.utf8.count <= 254 else { throw invalid(original) }
        let local = parts[0]
        let atomCharacters = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)
        let localIsDotAtom = !local.isEmpty && local.utf8.count <= 64
            && !local.hasPrefix(".") && !local.hasSuffix(".") && !local.contains("..")
            && local.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "." || atomCharacters.contains(scalar)
            }
        guard localIsDotAtom, parts[1].contains(".") else { throw invalid(original) }
        do {
            let domain = try DomainNameText.validate(String(parts[1]), allowing: .init())
            return local + "@" + domain
        } catch {
            throw CAError(.invalidInput, "\"\(original)\" is not an e-mail address: \(error.reason)")
        }
    }
}
