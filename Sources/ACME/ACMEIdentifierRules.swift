import CACore
import CAStore
import Foundation

/// Which identifiers an order may name and how they are compared: DNS names (RFC 8555 §7.1.3, wildcards
/// §7.1.4) and IP addresses (RFC 8738).
enum ACMEIdentifierRules {
    /// The identifier in its canonical form (lower-case name, canonical address text), or rejectedIdentifier.
    static func normalized(_ identifier: ACMEIdentifier) throws -> ACMEIdentifier {
        switch identifier.type {
        case "dns":
            let name = identifier.value.lowercased()
            guard isValidName(name) else {
                throw ACMEProblem(.rejectedIdentifier, "\"\(identifier.value)\" is not a valid DNS name")
            }
            return ACMEIdentifier(type: "dns", value: name)
        case "ip":
            guard let canonical = canonicalAddress(identifier.value) else {
                throw ACMEProblem(.rejectedIdentifier, "\"\(identifier.value)\" is not an IPv4 or IPv6 address")
            }
            return ACMEIdentifier(type: "ip", value: canonical)
        default:
            throw ACMEProblem(.unsupportedIdentifier, "identifier type \"\(identifier.type)\" is not supported (dns, ip)")
        }
    }

    /// dns-01 proves control of a whole zone, so it is the only method for wildcards; RFC 8738 defines no
    /// dns-01 for IP addresses.
    static func challengeTypes(for identifier: ACMEIdentifier) -> [String] {
        if identifier.type == "ip" { return ["http-01", "tls-alpn-01"] }
        if identifier.value.hasPrefix("*.") { return ["dns-01"] }
        return ["dns-01", "http-01", "tls-alpn-01"]
    }

    /// LDH labels of 1–63 characters, at most 253 in all, at least two labels; `*` only as a whole leftmost
    /// label, above at least two more. Trailing dots and IP-like names are refused.
    static func isValidName(_ name: String) -> Bool {
        guard name.utf8.count <= 253, !name.hasSuffix(".") else { return false }
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" {
            labels.removeFirst()
            guard labels.count >= 2 else { return false }
        }
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            guard label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else { return false }
        }
        // A name whose last label is all digits would be read as an address by some software.
        return !(labels.last?.allSatisfy(\.isNumber) ?? true)
    }

    /// The one text form of an address, so that `::1` and `0::1` are one identifier.
    static func canonicalAddress(_ text: String) -> String? {
        IPAddressText.addressBytes(text).flatMap(IPAddressText.formatAddress)
    }
}
