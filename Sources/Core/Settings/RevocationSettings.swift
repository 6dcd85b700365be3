import Foundation

/// One entry of `CA_CRL_PROFILES`: a kind of CRL that `generate-crls` and the server keep fresh for every CA.
public struct CRLProfile: Sendable, Equatable {
    public var scope: CRLScope
    /// Only certificates revoked for these reasons; nil for all.
    public var onlySomeReasons: [RevocationReason]?
    /// nextUpdate − thisUpdate, in seconds.
    public var expires: TimeInterval
    /// A CRL is signed again once less than this remains until its nextUpdate.
    public var renewal: TimeInterval

    public init(scope: CRLScope, onlySomeReasons: [RevocationReason]? = nil, expires: TimeInterval = 86_400, renewal: TimeInterval = 43_200) {
        self.scope = scope
        self.onlySomeReasons = onlySomeReasons
        self.expires = expires
        self.renewal = renewal
    }

    /// django-ca's `user` and `ca` CRLs, plus a complete CRL without Issuing Distribution Point, because
    /// OpenVPN and some OpenSSL set-ups reject scoped CRLs.
    public static let defaults: [String: CRLProfile] = [
        "user": CRLProfile(scope: .userCertificates),
        "ca": CRLProfile(scope: .caCertificates),
        "full": CRLProfile(scope: .all),
    ]
}

/// How the OCSP responder signs and how long what it signs stays valid.
public struct OCSPSettings: Sendable, Equatable {
    /// Validity of an automatically created responder certificate, in days (django-ca: 3).
    public var responderCertificateDays = 3
    /// A responder certificate is replaced once it expires sooner than this many seconds (1 day).
    public var responderCertificateRenewal: TimeInterval = 86_400
    /// nextUpdate − thisUpdate of a response, in seconds (1 day).
    public var responseValidity: TimeInterval = 86_400
    /// A pre-signed response is signed again once less than this remains until its nextUpdate (12 h).
    public var responseRenewal: TimeInterval = 43_200
    /// How many signed responses the server keeps in memory.
    public var cacheEntries = 200_000

    public init() {}
}

/// How often the jobs inside `swift-ca serve` run.
public struct ServerJobSettings: Sendable, Equatable {
    /// How often the server looks for revocations and due CRLs, in seconds.
    public var crlCheckInterval: TimeInterval = 30
    /// How often responder certificates are checked for renewal, in seconds.
    public var ocspKeyInterval: TimeInterval = 3_600
    /// How often responses are pre-signed, in seconds.
    public var ocspResponseInterval: TimeInterval = 3_600
    /// How often the server reads revocations made by other processes, in milliseconds.
    public var statusPollMilliseconds = 250
    /// How often expired ACME nonces are deleted, in seconds.
    public var acmeCleanupInterval: TimeInterval = 3_600
    /// CA_JOB_INTERVAL: seconds between scheduler ticks. At each tick a node takes every job that is due
    /// and that no other node holds; the job's own interval and renewal rules decide whether it is due.
    public var schedulerInterval: TimeInterval = 10
    /// CA_JOB_LEASE_SECONDS: how long a node that stopped answering keeps a job before another takes it over.
    /// A node running a job renews its lease at a third of this.
    public var leaseSeconds: TimeInterval = 60
    /// How often watchers of expiring certificates are mailed, in seconds (only with CA_EMAIL_HOST).
    public var notificationInterval: TimeInterval = 3_600

    public init() {}
}
