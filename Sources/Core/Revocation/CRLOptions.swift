import Foundation
import X509

/// Which certificates of a CA a CRL covers.
public enum CRLScope: Sendable, Hashable {
    /// Every certificate the CA issued: a complete CRL without an Issuing Distribution Point.
    case all
    /// Only end-entity certificates (`onlyContainsUserCerts`).
    case userCertificates
    /// Only CA certificates (`onlyContainsCACerts`), often called an ARL.
    case caCertificates
}

/// Everything about a CRL except its entries.
public struct CRLOptions: Sendable {
    /// Which certificates the CRL covers. Anything but ``CRLScope/all`` adds a critical Issuing Distribution
    /// Point, so that relying parties do not take the partial CRL for a complete one.
    public var scope: CRLScope
    /// The revocation reasons the CRL covers; `nil` means all reasons. When set, the CRL carries an Issuing
    /// Distribution Point and ``CRLBuilder/append(_:)`` refuses entries revoked for other reasons.
    public var onlySomeReasons: ReasonFlags?
    /// The CRL's issue date.
    public var thisUpdate: Date
    /// By when the next CRL will be issued. RFC 5280 §5.1.2.5 requires conforming CAs to set it.
    public var nextUpdate: Date
    /// The CRL Number, increasing with every CRL of a scope (RFC 5280 §5.2.3).
    public var number: Int
    /// The hash of the signature algorithm; `nil` picks the one matching the CA key.
    public var hash: SignatureHash?
    /// Where the CRL is published, written as the Issuing Distribution Point's full name. It is written
    /// only when the CRL carries that extension, i.e. when it is limited by scope or reasons. A CRL shard must set
    /// it: relying parties match it against the CRL Distribution Points of the certificate they check.
    public var distributionPoint: [GeneralName]?
    /// The CRL Number of the complete CRL this one updates: set, the CRL is a delta CRL (RFC 5280 §5.2.4).
    public var baseNumber: Int?
    /// Where the delta CRLs of this complete CRL are published (the Freshest CRL extension, §5.2.6).
    public var freshestCRL: [GeneralName]?

    public init(
        scope: CRLScope = .all, onlySomeReasons: ReasonFlags? = nil, thisUpdate: Date, nextUpdate: Date, number: Int,
        hash: SignatureHash? = nil, distributionPoint: [GeneralName]? = nil, baseNumber: Int? = nil,
        freshestCRL: [GeneralName]? = nil
    ) {
        self.scope = scope
        self.onlySomeReasons = onlySomeReasons
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.number = number
        self.hash = hash
        self.distributionPoint = distributionPoint
        self.baseNumber = baseNumber
        self.freshestCRL = freshestCRL
    }

    /// The Issuing Distribution Point these options call for, or `nil` for a complete CRL.
    var issuingDistributionPoint: IssuingDistributionPoint? {
        guard scope != .all || onlySomeReasons != nil else { return nil }
        return IssuingDistributionPoint(
            fullName: distributionPoint,
            onlyContainsUserCertificates: scope == .userCertificates,
            onlyContainsCACertificates: scope == .caCertificates,
            onlySomeReasons: onlySomeReasons)
    }

    func validate() throws {
        guard number >= 0 else {
            throw CAError(.invalidInput, "the CRL number must not be negative, got \(number)")
        }
        guard nextUpdate >= thisUpdate else {
            throw CAError(
                .invalidInput,
                "the next update of a CRL (\(nextUpdate)) must not be before its this update (\(thisUpdate))")
        }
        if let onlySomeReasons {
            guard !onlySomeReasons.isEmpty else {
                throw CAError(.invalidInput, "a CRL limited to some reasons needs at least one reason")
            }
            // Bit 0 of ReasonFlags is a placeholder that names no reason.
            guard !onlySomeReasons.contains(.unused) else {
                throw CAError(.invalidInput, "\"unused\" is not a revocation reason a CRL can be limited to")
            }
        }
        if let distributionPoint, distributionPoint.isEmpty {
            throw CAError(.invalidInput, "the distribution point of a CRL needs at least one name")
        }
        if let baseNumber {
            // RFC 5280 §5.2.4: a delta and its base share one sequence of numbers, the delta's being the larger.
            guard baseNumber >= 0, baseNumber < number else {
                throw CAError(
                    .invalidInput, "a delta CRL's number (\(number)) must be larger than its base CRL's (\(baseNumber))")
            }
            guard freshestCRL == nil else {
                throw CAError(.invalidInput, "a delta CRL cannot point at further delta CRLs (RFC 5280 §5.2.6)")
            }
        }
        if let freshestCRL, freshestCRL.isEmpty {
            throw CAError(.invalidInput, "the Freshest CRL extension needs at least one name")
        }
    }
}
