/// Finds the relevant CAA record set for a request and applies `CAAPolicy` to it.
///
/// The lookup is injected so that the search and the policy can be tested without a network, and so
/// that the caller chooses the resolver. A recursive resolver follows CNAMEs itself, so the search
/// here only climbs the name tree (RFC 8659 §3).
public struct CAAChecker: Sendable {
    /// Looks up the CAA records of one name, given without a trailing dot.
    public typealias Lookup = @Sendable (String) async throws -> DNSLookupResult

    public let policy: CAAPolicy
    private let lookup: Lookup

    public init(policy: CAAPolicy, lookup: @escaping Lookup) {
        self.policy = policy
        self.lookup = lookup
    }

    public init(issuerDomainNames: [String], lookup: @escaping Lookup) {
        self.init(policy: CAAPolicy(issuerDomainNames: issuerDomainNames), lookup: lookup)
    }

    public func check(_ request: CAAIssuanceRequest) async -> CAADecision {
        let candidates = Self.candidateDomains(for: request.lookupDomain)
        guard !candidates.isEmpty else {
            return CAADecision(outcome: .forbidden, domain: nil, reason: "\"\(request.domainName)\" is not a domain name whose CAA records can be checked")
        }

        for domain in candidates {
            let result: DNSLookupResult
            do {
                result = try await lookup(domain)
            } catch {
                return lookupFailed(domain, "\(error)")
            }
            switch result {
            case .failure(let failure):
                return lookupFailed(domain, failure.message)
            case .noRecords:
                continue
            case .records(let records):
                // A CAA query answered through a CNAME also carries the alias records; skip those.
                let caaRecords = records.compactMap(\.data.caaRecord)
                if !caaRecords.isEmpty {
                    return policy.evaluate(caaRecords, foundAt: domain, for: request)
                }
            }
        }
        return CAADecision(outcome: .permitted, domain: nil, reason: "No CAA records restrict issuance for \(request.lookupDomain)")
    }

    /// The name itself, then each parent, ending above the root: the root's records would apply to
    /// every name on the Internet, and RFC 8659 §3 stops the search before it.
    public static func candidateDomains(for domain: String) -> [String] {
        let labels = CAAText.canonicalDomain(domain).split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty, labels.allSatisfy({ !$0.isEmpty }) else { return [] }
        return labels.indices.map { labels[$0...].joined(separator: ".") }
    }

    private func lookupFailed(_ domain: String, _ reason: String) -> CAADecision {
        CAADecision(outcome: .lookupFailed, domain: domain, reason: "CAA records for \(domain) could not be looked up (\(reason)), so issuance is refused")
    }
}
