/// The value of an `issue` or `issuewild` property (RFC 8659 §4.2): an optional issuer domain name
/// followed by `;`-separated `tag=value` parameters, such as
/// `ca.example; accounturi=https://ca.example/acct/1; validationmethods=dns-01`.
public struct CAAIssueValue: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public var tag: String
        public var value: String

        public init(tag: String, value: String) {
            self.tag = tag
            self.value = value
        }
    }

    /// Lower-cased and without a trailing dot; nil when the value names no issuer, which means
    /// that no CA may issue.
    public var issuerDomainName: String?
    public var parameters: [Parameter]

    public init(issuerDomainName: String?, parameters: [Parameter] = []) {
        self.issuerDomainName = issuerDomainName
        self.parameters = parameters
    }

    /// Parses a value, tolerating spaces and tabs around every part and empty `;` separators.
    public init(parsing text: String) throws(CAAValueError) {
        let (domainPart, parameterPart) = Self.splitAtFirstSemicolon(text)
        let domain = CAAText.trimmingWhitespace(domainPart)
        if domain.isEmpty {
            issuerDomainName = nil
        } else {
            guard Self.isIssuerDomainName(domain) else {
                throw CAAValueError(value: text, reason: "\"\(domain)\" is not a domain name")
            }
            issuerDomainName = CAAText.canonicalDomain(domain)
        }

        parameters = []
        guard let parameterPart else { return }
        for segment in parameterPart.split(separator: ";", omittingEmptySubsequences: false) {
            let parameter = CAAText.trimmingWhitespace(segment)
            if parameter.isEmpty { continue }
            guard let equals = parameter.firstIndex(of: "=") else {
                throw CAAValueError(value: text, reason: "the parameter \"\(parameter)\" has no \"=\"")
            }
            let tag = CAAText.trimmingWhitespace(parameter[..<equals])
            let value = CAAText.trimmingWhitespace(parameter[parameter.index(after: equals)...])
            guard Self.isLabel(tag) else {
                throw CAAValueError(value: text, reason: "the parameter name \"\(tag)\" is not letters, digits and hyphens")
            }
            // RFC 8659 §4.2 allows printable ASCII without spaces. Spaces inside a value are tolerated,
            // as in "dns-01, http-01": the owner's intent is plain, and the parameters only narrow issuance.
            guard value.utf8.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 }) else {
                throw CAAValueError(value: text, reason: "the value of parameter \"\(tag)\" contains control or non-ASCII characters")
            }
            parameters.append(Parameter(tag: String(tag), value: String(value)))
        }
    }

    /// All values of a parameter, matched case-insensitively: a domain owner who writes
    /// `AccountURI=` surely means the restriction, and honouring it can only narrow issuance.
    public func values(of tag: String) -> [String] {
        parameters.filter { $0.tag.lowercased() == tag.lowercased() }.map(\.value)
    }

    private static func splitAtFirstSemicolon(_ text: String) -> (Substring, Substring?) {
        guard let semicolon = text.firstIndex(of: ";") else { return (Substring(text), nil) }
        return (text[..<semicolon], text[text.index(after: semicolon)...])
    }

    private static func isIssuerDomainName(_ text: Substring) -> Bool {
        var name = text
        // A trailing dot is not in the grammar, but zone files are full of absolute names.
        if name.hasSuffix(".") { name.removeLast() }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabel)
    }

    /// RFC 8659 §4.2 `label` and parameter `tag`: letters and digits, hyphens only inside.
    private static func isLabel(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        let isLetterOrDigit: (UInt8) -> Bool = { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        return isLetterOrDigit(first) && isLetterOrDigit(last)
            && text.utf8.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
    }
}

/// An `issue` or `issuewild` value that does not follow the RFC 8659 §4.2 grammar.
public struct CAAValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public let reason: String

    public init(value: String, reason: String) {
        self.value = value
        self.reason = reason
    }

    public var message: String { "The CAA value \"\(value)\" cannot be parsed: \(reason)." }
    public var description: String { message }
}

/// Small text helpers shared by the CAA types.
enum CAAText {
    static func trimmingWhitespace(_ text: Substring) -> Substring {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isWhitespace($0) }),
              let end = text.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return text[start...end]
    }

    /// Lower-cased without a trailing dot, the form in which domains are compared and reported.
    static func canonicalDomain(_ name: some StringProtocol) -> String {
        var text = name.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
