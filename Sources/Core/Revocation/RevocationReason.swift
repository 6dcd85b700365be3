/// RFC 5280 §5.3.1 CRLReason, spelled as django-ca's `--reason` values. `value` is the CRLReason code.
public enum RevocationReason: String, CaseIterable, Sendable, Codable {
    case unspecified
    case keyCompromise = "key_compromise"
    case caCompromise = "ca_compromise"
    case affiliationChanged = "affiliation_changed"
    case superseded
    case cessationOfOperation = "cessation_of_operation"
    case certificateHold = "certificate_hold"
    case removeFromCRL = "remove_from_crl"
    case privilegeWithdrawn = "privilege_withdrawn"
    case aaCompromise = "aa_compromise"

    public var value: Int {
        switch self {
        case .unspecified: return 0
        case .keyCompromise: return 1
        case .caCompromise: return 2
        case .affiliationChanged: return 3
        case .superseded: return 4
        case .cessationOfOperation: return 5
        case .certificateHold: return 6
        case .removeFromCRL: return 8
        case .privilegeWithdrawn: return 9
        case .aaCompromise: return 10
        }
    }

    /// Accepts django-ca's names and the RFC's camelCase (`keyCompromise`).
    public init(name: String) throws {
        let compact = name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
        guard let reason = Self.allCases.first(where: { $0.rawValue.replacingOccurrences(of: "_", with: "") == compact }) else {
            throw CAError(
                .invalidInput,
                "unknown revocation reason \"\(name)\"; use one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = reason
    }
}
