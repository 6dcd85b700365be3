import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// RFC 5280 §4.2.1.10: a certificate whose names fall outside a CA's name constraints fails path validation
/// at every relying party. Checking before signing turns that silent breakage into a clear refusal.
extension Authority {
    /// Throws `CAError(.policy)` naming the first alternative name that a CA of the chain (issuing CA up to
    /// the root) excludes or does not permit. Only DNS, email, IP and URI names are checked: the forms
    /// relying parties enforce.
    public func checkNameConstraints(_ names: [GeneralName], authority: AuthorityRecord) async throws {
        try Self.checkNameConstraints(names, chain: try await chain(of: authority), authority: authority)
    }

    /// The same check against a chain already read (issuance reads it once for this and for its answer).
    static func checkNameConstraints(_ names: [GeneralName], chain: [Certificate], authority: AuthorityRecord) throws {
        guard !names.isEmpty else { return }
        for certificate in chain {
            guard let constraints = try? certificate.extensions.nameConstraints else { continue }
            for name in names {
                let permitted = constraints.permittedSubtrees.filter { NameConstraintMatcher.sameType($0, name) }
                let excluded = constraints.excludedSubtrees.contains { NameConstraintMatcher.matches(name, subtree: $0) }
                let outside = !permitted.isEmpty && !permitted.contains { NameConstraintMatcher.matches(name, subtree: $0) }
                if excluded || outside {
                    let caName = SubjectFormatter.commonName(of: certificate.subject) ?? authority.name
                    throw CAError(
                        .policy,
                        "\(GeneralNameFormatter.format(name)) is not allowed by the name constraints of CA \"\(caName)\"")
                }
            }
        }
    }

    /// Whether signing with this CA needs a password that the server does not have (CA_PASSWORDS), so that a
    /// form can ask for it instead of failing.
    public func keyNeedsPassword(_ authority: AuthorityRecord) throws -> Bool {
        let reference = KeyReference(backend: authority.keyBackend, location: authority.keyLocation)
        guard try keyBackend.isPasswordProtected(reference) else { return false }
        return settings.configuredPassword(forSerial: authority.serial) == nil
    }
}

/// Subtree matching as RFC 5280 §4.2.1.10 defines it for the name forms relying parties check.
enum NameConstraintMatcher {
    static func sameType(_ left: GeneralName, _ right: GeneralName) -> Bool {
        switch (left, right) {
        case (.dnsName, .dnsName), (.rfc822Name, .rfc822Name), (.ipAddress, .ipAddress),
            (.uniformResourceIdentifier, .uniformResourceIdentifier):
            return true
        default:
            return false
        }
    }

    static func matches(_ name: GeneralName, subtree: GeneralName) -> Bool {
        switch (name, subtree) {
        case (.dnsName(let host), .dnsName(let domain)):
            return domainMatches(host, domain)
        case (.rfc822Name(let address), .rfc822Name(let constraint)):
            return emailMatches(address, constraint)
        case (.uniformResourceIdentifier(let uri), .uniformResourceIdentifier(let domain)):
            guard let host = URLComponents(string: uri)?.host else { return false }
            // For URIs a leading period means "any subdomain"; without one the host must be equal.
            return domain.hasPrefix(".") ? domainMatches(host, domain) : host.lowercased() == domain.lowercased()
        case (.ipAddress(let address), .ipAddress(let network)):
            return addressMatches(Array(address.bytes), Array(network.bytes))
        default:
            return false
        }
    }

    /// `example.com` covers itself and every subdomain; `.example.com` covers subdomains only.
    static func domainMatches(_ host: String, _ domain: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let domain = domain.lowercased()
        if domain.isEmpty { return true }
        if domain.hasPrefix(".") { return host.hasSuffix(domain) }
        return host == domain || host.hasSuffix("." + domain)
    }

    /// A full mailbox matches exactly; a host matches mailboxes at that host; `.example.com` any host below.
    static func emailMatches(_ address: String, _ constraint: String) -> Bool {
        let address = address.lowercased()
        let constraint = constraint.lowercased()
        if constraint.contains("@") { return address == constraint }
        guard let at = address.lastIndex(of: "@") else { return false }
        let host = String(address[address.index(after: at)...])
        return constraint.hasPrefix(".") ? host.hasSuffix(constraint) : host == constraint
    }

    /// The constraint holds an address followed by a mask of the same length.
    static func addressMatches(_ address: [UInt8], _ network: [UInt8]) -> Bool {
        guard network.count == address.count * 2 else { return false }
        let base = network[..<address.count]
        let mask = network[address.count...]
        return zip(zip(address, base), mask).allSatisfy { pair, mask in pair.0 & mask == pair.1 & mask }
    }
}
