/// Decides whether a relevant CAA record set (RFC 8659 §3) lets this CA issue for a request.
///
/// Pure and synchronous: finding the relevant set is `CAAChecker`'s job.
public struct CAAPolicy: Sendable {
    /// Property tags this CA acts on. A critical record with any other tag forbids issuance.
    public static let understoodTags: Set<String> = ["issue", "issuewild", "iodef"]

    /// The names by which this CA identifies itself in `issue` values, compared case-insensitively.
    public let issuerDomainNames: [String]

    public init(issuerDomainNames: [String]) {
        self.issuerDomainNames = issuerDomainNames.map(CAAText.canonicalDomain)
    }

    public func evaluate(
        _ records: [CAARecord],
        foundAt domain: String,
        for request: CAAIssuanceRequest
    ) -> CAADecision {
        let domain = CAAText.canonicalDomain(domain)
        let target = request.isWildcard ? "wildcard certificates for \(request.lookupDomain)" : request.lookupDomain

        if let critical = records.first(where: { $0.isCritical && !Self.understoodTags.contains($0.normalizedTag) }) {
            return forbidden(domain, "CAA record at \(domain) has the critical property \"\(critical.tag)\", which this CA does not understand, so it may not issue for \(request.lookupDomain)")
        }

        // RFC 8659 §4.3: for a wildcard, issuewild properties take precedence over issue ones.
        let wildcardRecords = records.filter { $0.normalizedTag == "issuewild" }
        let useIssuewild = request.isWildcard && !wildcardRecords.isEmpty
        let tag = useIssuewild ? "issuewild" : "issue"
        let properties = useIssuewild ? wildcardRecords : records.filter { $0.normalizedTag == "issue" }

        guard !properties.isEmpty else {
            return CAADecision(outcome: .permitted, domain: domain, reason: "CAA records at \(domain) have no issue property, so they do not restrict issuance for \(target)")
        }

        var refusals: [Refusal] = []
        for property in properties {
            switch authorization(of: property.value, for: request) {
            case .authorized(let issuer):
                return CAADecision(outcome: .permitted, domain: domain, reason: "CAA \(tag) record at \(domain) allows \(issuer) to issue \(target)")
            case .refused(let refusal):
                refusals.append(refusal)
            }
        }
        return forbidden(domain, Self.explanation(of: refusals, tag: tag, domain: domain, target: target))
    }

    private enum Authorization {
        case authorized(issuer: String)
        case refused(Refusal)
    }

    /// Why one property does not authorize the request; ordered from most to least specific.
    private enum Refusal {
        case wrongAccount(issuer: String, allowed: [String])
        case wrongMethod(issuer: String, allowed: [String])
        case malformed(CAAValueError)
        case otherIssuer(String)
        case noIssuer

        var specificity: Int {
            switch self {
            case .wrongAccount: 0
            case .wrongMethod: 1
            case .malformed: 2
            case .otherIssuer: 3
            case .noIssuer: 4
            }
        }
    }

    private func authorization(of value: String, for request: CAAIssuanceRequest) -> Authorization {
        let parsed: CAAIssueValue
        do {
            parsed = try CAAIssueValue(parsing: value)
        } catch {
            // A value that cannot be read is never taken as permission.
            return .refused(.malformed(error))
        }
        guard let issuer = parsed.issuerDomainName else { return .refused(.noIssuer) }
        guard issuerDomainNames.contains(issuer) else { return .refused(.otherIssuer(issuer)) }

        // A parameter given twice must be satisfied twice, which keeps an odd record restrictive.
        let accounts = parsed.values(of: "accounturi")
        if !accounts.isEmpty, !accounts.allSatisfy({ $0 == request.accountURI }) {
            return .refused(.wrongAccount(issuer: issuer, allowed: accounts))
        }
        let methodLists = parsed.values(of: "validationmethods")
        let permitsMethod: (String) -> Bool = { list in
            guard let method = request.validationMethod else { return false }
            return list.split(separator: ",").map { CAAText.trimmingWhitespace($0) }.contains(Substring(method))
        }
        if !methodLists.isEmpty, !methodLists.allSatisfy(permitsMethod) {
            return .refused(.wrongMethod(issuer: issuer, allowed: methodLists))
        }
        return .authorized(issuer: issuer)
    }

    private static func explanation(of refusals: [Refusal], tag: String, domain: String, target: String) -> String {
        let prefix = "CAA \(tag) record at \(domain)"
        // Properties naming this CA explain best what the domain owner wants changed.
        switch refusals.min(by: { $0.specificity < $1.specificity }) {
        case .wrongAccount(let issuer, let allowed):
            return "\(prefix) allows \(issuer) to issue \(target) only to the ACME account \(allowed.joined(separator: " and "))"
        case .wrongMethod(let issuer, let allowed):
            return "\(prefix) allows \(issuer) to issue \(target) only with the validation methods \(allowed.joined(separator: " and "))"
        case .malformed(let error):
            return "\(prefix) cannot be parsed (\(error.reason)) and no other record allows this CA to issue \(target)"
        case .otherIssuer, .noIssuer, nil:
            let others = refusals.compactMap { refusal -> String? in
                if case .otherIssuer(let issuer) = refusal { return issuer }
                return nil
            }
            if others.isEmpty {
                return "\(prefix) forbids every CA to issue \(target)"
            }
            let unique = others.reduce(into: [String]()) { list, issuer in
                if !list.contains(issuer) { list.append(issuer) }
            }
            return "\(prefix) allows only \(unique.joined(separator: ", ")) to issue \(target)"
        }
    }

    private func forbidden(_ domain: String, _ reason: String) -> CAADecision {
        CAADecision(outcome: .forbidden, domain: domain, reason: reason)
    }
}
