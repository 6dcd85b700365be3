/// Checks DNS names for dNSName general names and the domains of email addresses.
///
/// Certificates carry ASCII names only (RFC 5280 section 4.2.1.6), so internationalized names must
/// arrive in their A-label (`xn--`) form; converting them needs IDNA tables we do not carry.
enum DomainNameText {
    /// What may precede the labels of a name.
    struct Allowances {
        /// `*.example.com`: a wildcard as the whole leftmost label.
        var wildcard = false
        /// `.example.com`: a leading dot, which name constraints use for "any subdomain".
        var leadingDot = false
    }

    private static let maximumLength = 253
    private static let maximumLabelLength = 63

    /// The validated name in lower case.
    static func validate(_ text: String, allowing allowances: Allowances) throws(NameSyntaxError) -> String {
        guard !text.isEmpty else {
            throw NameSyntaxError("the DNS name is empty")
        }
        guard NameText.isASCII(text) else {
            throw NameSyntaxError(
                "\(NameText.quoted(text)) contains non-ASCII characters; give an internationalized "
                    + "domain name in its A-label form (xn--...)"
            )
        }
        let name = text.lowercased()
        guard name.utf8.count <= maximumLength else {
            throw NameSyntaxError("\(NameText.quoted(text)) is longer than \(maximumLength) characters")
        }
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels[0] == "*", allowances.wildcard {
            labels.removeFirst()
        } else if labels.count > 1, labels[0].isEmpty {
            guard allowances.leadingDot else {
                throw NameSyntaxError(
                    "\(NameText.quoted(text)) starts with \".\", which is only allowed in name constraints"
                )
            }
            labels.removeFirst()
        }
        for label in labels {
            try validateLabel(label, of: text, wildcardAllowed: allowances.wildcard)
        }
        return name
    }

    private static func validateLabel(
        _ label: Substring,
        of text: String,
        wildcardAllowed: Bool
    ) throws(NameSyntaxError) {
        guard !label.isEmpty else {
            throw NameSyntaxError("\(NameText.quoted(text)) contains an empty label (\"..\" or a dot at either end)")
        }
        guard label.utf8.count <= maximumLabelLength else {
            throw NameSyntaxError(
                "the label \(NameText.quoted(label)) of \(NameText.quoted(text)) is longer than "
                    + "\(maximumLabelLength) characters"
            )
        }
        for character in label.unicodeScalars where !isAllowed(character) {
            if character == "*" {
                let rule =
                    wildcardAllowed
                    ? "a wildcard is only allowed as the whole leftmost label (*.example.com)"
                    : "a wildcard is not allowed here"
                throw NameSyntaxError("\(NameText.quoted(text)) contains \"*\"; \(rule)")
            }
            throw NameSyntaxError(
                "\(NameText.quoted(text)) contains \(NameText.quoted(String(character))); only letters, "
                    + "digits, \"-\" and \"_\" are allowed in DNS labels"
            )
        }
        if label.hasPrefix("-") || label.hasSuffix("-") {
            throw NameSyntaxError(
                "the label \(NameText.quoted(label)) of \(NameText.quoted(text)) starts or ends with \"-\""
            )
        }
    }

    /// Letters, digits and hyphen (the LDH rule of RFC 1123), plus underscore, which names such as
    /// `_acme-challenge` and SRV records use in practice.
    private static func isAllowed(_ character: Unicode.Scalar) -> Bool {
        switch character {
        case "a"..."z", "0"..."9", "-", "_": true
        default: false
        }
    }
}
