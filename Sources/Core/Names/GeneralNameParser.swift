import Foundation
import SwiftASN1
import X509

/// Parses general names as django-ca takes them in `--alt`, `--permit-name`, `--ca-issuer` and
/// similar options.
///
/// A case-insensitive prefix sets the type: `DNS:`, `email:`, `URI:`, `IP:`, `RID:`, `dirname:`
/// (a subject as ``SubjectParser`` reads it) or `otherName:<oid>;<TYPE>:<value>` (types UTF8, UNIV,
/// IA5, BOOL, UTC, GENTIME, INT, NULL, OctetString as in OpenSSL's ASN1_generate_nconf, plus DER).
/// Without a prefix the type is guessed: an IP address, else a URI if the text contains `://`,
/// else an email address if it contains `@`, else a DNS name.
///
/// DNS names are lower-cased and must be ASCII (internationalized names in their `xn--` form),
/// made of letters, digits, `-` and `_`, with an optional `*.` wildcard label.
public enum GeneralNameParser {
    private enum NameType: String, CaseIterable {
        case dns, email, uri, ip, rid, dirname, othername
    }

    /// Parses a general name for use in a certificate (subject alternative name, issuer URLs).
    ///
    /// - Throws: `CAError(.invalidInput)` naming the input and what is wrong with it.
    public static func parse(_ text: String) throws -> GeneralName {
        try parse(text, allowNetworks: false)
    }

    /// Parses a general name, optionally in the forms only name constraints use.
    ///
    /// - Parameters:
    ///   - text: The name as the user wrote it.
    ///   - allowNetworks: Accept the forms of RFC 5280 section 4.2.1.10: IP networks
    ///     (`IP:10.0.0.0/8`, encoded as address and mask), DNS names with a leading dot
    ///     (`.example.com`), and bare domains for email (`email:example.com`) and URIs
    ///     (`URI:.example.com`).
    /// - Throws: `CAError(.invalidInput)` naming the input and what is wrong with it.
    public static func parse(_ text: String, allowNetworks: Bool) throws -> GeneralName {
        do {
            return try parseName(NameText.trimmingSpaces(text), allowNetworks: allowNetworks)
        } catch {
            throw CAError(.invalidInput, "Cannot parse general name \(NameText.quoted(text)): \(error.reason).")
        }
    }

    private static func parseName(_ text: String, allowNetworks: Bool) throws(NameSyntaxError) -> GeneralName {
        if let colon = text.firstIndex(of: ":"),
            let type = NameType(rawValue: text[..<colon].lowercased())
        {
            let value = NameText.trimmingSpaces(text[text.index(after: colon)...])
            return try parse(value, as: type, allowNetworks: allowNetworks)
        }
        return try parse(text, as: guessType(text), allowNetworks: allowNetworks)
    }

    private static func guessType(_ text: String) -> NameType {
        let addressPart = text.split(separator: "/", maxSplits: 1).first.map(String.init) ?? text
        if IPAddressText.addressBytes(addressPart) != nil {
            return .ip
        }
        if text.contains("://") {
            return .uri
        }
        if text.contains("@") {
            return .email
        }
        return .dns
    }

    private static func parse(
        _ value: String,
        as type: NameType,
        allowNetworks: Bool
    ) throws(NameSyntaxError) -> GeneralName {
        switch type {
        case .dns:
            let allowances = DomainNameText.Allowances(wildcard: true, leadingDot: allowNetworks)
            return .dnsName(try DomainNameText.validate(value, allowing: allowances))
        case .email:
            return .rfc822Name(try parseEmail(value, allowNetworks: allowNetworks))
        case .uri:
            return .uniformResourceIdentifier(try parseURI(value, allowNetworks: allowNetworks))
        case .ip:
            return .ipAddress(
                ASN1OctetString(contentBytes: try parseIPAddress(value, allowNetworks: allowNetworks)[...])
            )
        case .rid:
            return .registeredID(try ObjectIdentifierText.parse(value))
        case .dirname:
            let name: DistinguishedName
            do {
                name = try SubjectParser.parseName(value)
            } catch {
                throw NameSyntaxError("the directory name is not a valid subject: \(error.reason)")
            }
            guard !name.isEmpty else {
                throw NameSyntaxError("the directory name is empty")
            }
            return .directoryName(name)
        case .othername:
            return .otherName(try OtherNameText.parse(value))
        }
    }

    private static func parseEmail(_ value: String, allowNetworks: Bool) throws(NameSyntaxError) -> String {
        if allowNetworks, !value.contains("@") {
            // Name constraints use a bare domain for all mailboxes at one host, ".domain" for its subdomains.
            return try DomainNameText.validate(value, allowing: .init(leadingDot: true))
        }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw NameSyntaxError("the email address \(NameText.quoted(value)) must contain exactly one \"@\"")
        }
        let localPart = parts[0]
        guard !localPart.isEmpty else {
            throw NameSyntaxError("the email address \(NameText.quoted(value)) has nothing before \"@\"")
        }
        // rfc822Name is an IA5String, so mailbox names must be ASCII (RFC 5280 section 4.2.1.6).
        guard localPart.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw NameSyntaxError(
                "the part before \"@\" in \(NameText.quoted(value)) may only contain printable ASCII characters"
            )
        }
        let domain = try DomainNameText.validate(String(parts[1]), allowing: .init())
        return localPart + "@" + domain
    }

    private static func parseURI(_ value: String, allowNetworks: Bool) throws(NameSyntaxError) -> String {
        guard NameText.isASCII(value) else {
            throw NameSyntaxError(
                "the URI \(NameText.quoted(value)) contains non-ASCII characters; percent-encode them "
                    + "and give host names in their A-label form (xn--...)"
            )
        }
        if allowNetworks, !value.contains(":") {
            // In name constraints a URI constraint is a host (example.com) or domain (.example.com).
            return try DomainNameText.validate(value, allowing: .init(leadingDot: true))
        }
        guard let components = URLComponents(string: value) else {
            throw NameSyntaxError("\(NameText.quoted(value)) is not a valid URI")
        }
        guard let scheme = components.scheme, !scheme.isEmpty else {
            throw NameSyntaxError("the URI \(NameText.quoted(value)) has no scheme such as \"https:\"")
        }
        return value
    }

    private static func parseIPAddress(_ value: String, allowNetworks: Bool) throws(NameSyntaxError) -> [UInt8] {
        if value.contains("/") {
            guard allowNetworks else {
                throw NameSyntaxError(
                    "\(NameText.quoted(value)) is a network; networks are only allowed in name constraints"
                )
            }
            return try IPAddressText.networkBytes(value)
        }
        guard let bytes = IPAddressText.addressBytes(value) else {
            throw NameSyntaxError("\(NameText.quoted(value)) is not an IPv4 or IPv6 address")
        }
        return bytes
    }
}
