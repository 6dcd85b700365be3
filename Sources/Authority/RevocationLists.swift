import CACore
import CAStore
import Foundation
import X509

/// What `dump-crl`, `generate-crls` and the server ask for: a complete CRL of a scope, one shard of the CRL of
/// end-entity certificates, or the delta CRL on a stored complete CRL.
public struct RevocationListRequest: Sendable {
    public var scope: CRLScope = .all
    /// nextUpdate − thisUpdate.
    public var validity: TimeInterval = 86_400
    /// Only these reasons (adds them to the Issuing Distribution Point); nil for all.
    public var onlySomeReasons: [RevocationReason]?
    public var hash: SignatureHash?
    /// One partition of the CA's CRL of end-entity certificates (`--crl-shards`); nil for a complete CRL.
    public var shard: Int?
    /// The delta CRL on the stored complete CRL of this scope (`--crl-deltas`).
    public var delta = false

    public init() {}

    public init(profile: CRLProfile) {
        scope = profile.scope
        validity = profile.expires
        onlySomeReasons = profile.onlySomeReasons
    }

    /// One shard, covering end-entity certificates as the CRL it partitions does.
    public init(shard: Int, validity: TimeInterval) {
        scope = .userCertificates
        self.shard = shard
        self.validity = validity
    }

    /// The key under which the latest CRL of this kind is kept: numbers grow per CA and key, a complete CRL and its
    /// deltas sharing one sequence.
    public var scopeKey: String {
        if let shard { return "shard-\(shard)" }
        return delta ? completeScopeKey + Self.deltaSuffix : completeScopeKey
    }

    /// The key of the complete CRL of this scope: the base of its deltas.
    public var completeScopeKey: String {
        let base: String
        switch scope {
        case .all: base = "all"
        case .userCertificates: base = "user"
        case .caCertificates: base = "ca"
        }
        guard let reasons = onlySomeReasons, !reasons.isEmpty else { return base }
        return base + ";" + reasons.map(\.rawValue).sorted().joined(separator: ",")
    }

    /// Appended to a complete CRL's key for its delta's.
    public static let deltaSuffix = "#delta"

    /// Where the server publishes the complete CRL of this scope; nil for scopes it does not publish (limited to
    /// some reasons), which therefore have no delta CRLs either.
    func publishedURL(in urls: URLLayout, authority serial: String) -> String? {
        guard shard == nil, onlySomeReasons?.isEmpty ?? true else { return nil }
        switch scope {
        case .all: return urls.completeCRL(of: serial)
        case .userCertificates: return urls.crlForCertificates(of: serial)
        case .caCertificates: return urls.crlForAuthorities(of: serial)
        }
    }
}

extension Authority {
    /// Signs a CRL of the CA's revoked certificates. The CRL number is taken and recorded in its own
    /// transaction first, so it only ever grows, even when two processes sign at once.
    ///
    /// - Parameter progress: Called with the entries written so far, every 65,536 of them (for a terminal's progress line).
    public func makeRevocationList(
        authority identifier: String?, request: RevocationListRequest, password: String?,
        progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> SignedRevocationList {
        try await makeRevocationList(
            for: try await resolveAuthority(identifier), request: request, password: password, progress: progress)
    }

    /// Signs a CRL and stores it as the one the server publishes (what the CRL job does), unless a CRL with a higher
    /// number was stored meanwhile. The number's reservation need not reach the disk on its own: the store that
    /// follows does, and takes it along; a crash between the two loses a number no CRL was published with.
    public func signAndStoreRevocationList(
        authority identifier: String?, request: RevocationListRequest, password: String?
    ) async throws -> SignedRevocationList {
        try await signAndStoreRevocationList(for: try await resolveAuthority(identifier), request: request, password: password)
    }

    func signAndStoreRevocationList(
        for authority: AuthorityRecord, request: RevocationListRequest, password: String?
    ) async throws -> SignedRevocationList {
        let signed = try await makeRevocationList(for: authority, request: request, password: password, reservation: .deferred)
        _ = try await store.write { transaction in try await transaction.storeSignedRevocationList(signed.record) }
        return signed
    }

    /// - Parameter reservation: How the number's reservation is committed: durably, unless the CRL will be stored.
    func makeRevocationList(
        for authority: AuthorityRecord, request: RevocationListRequest, password: String?,
        reservation: Store.Durability = .everyCommit, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> SignedRevocationList {
        if let reasons = request.onlySomeReasons,
            let invalid = reasons.first(where: { $0 == .unspecified || $0 == .removeFromCRL })
        {
            throw CAError(.invalidInput, "--only-some-reasons cannot name \(invalid.rawValue) (RFC 5280 §5.2.5)")
        }
        let configuration = try authority.configurationValue()
        let urls = try RevocationListLayout.urls(for: authority, urlPath: settings.urlPath)
        var distributionPoint: [GeneralName]?
        if let shard = request.shard {
            guard let count = configuration.crlShards, let urls else {
                throw CAError(.invalidInput, "CA \"\(authority.name)\" has no CRL shards (edit-ca --crl-shards N gives it some)")
            }
            guard (0..<count).contains(shard) else {
                throw CAError(.invalidInput, "CA \"\(authority.name)\" has \(count) CRL shards, numbered 0 to \(count - 1); there is no shard \(shard)")
            }
            guard request.scope == .userCertificates, request.onlySomeReasons == nil, !request.delta else {
                throw CAError(
                    .invalidInput, "a CRL shard lists every revoked end-entity certificate of its partition: it takes no scope, reasons or delta")
            }
            distributionPoint = [.uniformResourceIdentifier(urls.crlShard(shard, of: authority.serial))]
        }
        var base: RevocationListRecord?
        if request.delta {
            guard configuration.crlDeltas == true else {
                throw CAError(.invalidInput, "CA \"\(authority.name)\" publishes no delta CRLs (edit-ca --crl-deltas turns them on)")
            }
            // The base's number and status-change id, not its bytes: those can be tens of megabytes.
            let stored = try await store.read { try await $0.revocationListVersion(authority: authority.serial, scope: request.completeScopeKey) }
            guard let stored, stored.statusChangeID != nil,
                urls.flatMap({ request.publishedURL(in: $0, authority: authority.serial) }) != nil
            else {
                throw CAError(
                    .invalidInput,
                    "no complete CRL of scope \(request.completeScopeKey) of CA \"\(authority.name)\" is stored to be the base of a delta CRL; "
                        + "deltas exist for the scopes of CA_CRL_PROFILES once generate-crls (or serve) has stored their CRLs")
            }
            base = stored
        }
        var freshestCRL: [GeneralName]?
        if !request.delta, configuration.crlDeltas == true, let urls,
            let published = request.publishedURL(in: urls, authority: authority.serial)
        {
            freshestCRL = [.uniformResourceIdentifier(urls.deltaCRL(of: published))]
        }

        let issuer = try issuer(for: authority, password: password)
        let thisUpdate = Date()
        let nextUpdate = thisUpdate.addingTimeInterval(request.validity)
        let scopeKey = request.scopeKey
        let sequence = request.shard != nil ? scopeKey : request.completeScopeKey
        let sharing = request.shard != nil ? [] : [request.completeScopeKey + RevocationListRequest.deltaSuffix]
        let number = try await store.write(durability: reservation) { transaction in
            let number = try await transaction.nextRevocationListNumber(authority: authority.serial, scope: sequence, sharing: sharing)
            try await transaction.reserveRevocationListNumber(authority: authority.serial, sequence: sequence, number: number)
            return number
        }
        var reasonFlags: ReasonFlags?
        if let reasons = request.onlySomeReasons, !reasons.isEmpty {
            reasonFlags = try ReasonFlags(names: reasons.map(\.rawValue))
        }
        let hash = request.hash ?? configuration.signatureHash
        let options = CRLOptions(
            scope: request.scope, onlySomeReasons: reasonFlags, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
            number: number, hash: hash, distributionPoint: distributionPoint, baseNumber: base?.number, freshestCRL: freshestCRL)
        let builder = LockedCRLBuilder(
            try CRLBuilder(issuer: issuer, options: options), only: request.onlySomeReasons.map(Set.init), progress: progress)
        // Read before the entries: every change up to it is in them, so a delta on this CRL lists the changes after it.
        let statusChangeID = try await store.read { try await $0.latestStatusChangeID() }
        if let base, let baseChangeID = base.statusChangeID {
            let changed = try await store.read {
                try await $0.revocationsAfter(statusChangeID: baseChangeID, authority: authority.serial, notExpiredAt: thisUpdate)
            }
            if request.scope != .caCertificates { changed.certificates.forEach(builder.add) }
            if request.scope != .userCertificates { changed.authorities.forEach(builder.add) }
        } else {
            if request.scope != .caCertificates {
                try await store.read {
                    try await $0.forEachRevokedCertificate(authority: authority.serial, shard: request.shard, notExpiredAt: thisUpdate, into: builder)
                }
            }
            if request.scope != .userCertificates {
                for child in try await store.read({ try await $0.revokedChildAuthorities(of: authority.serial) }) { builder.add(child) }
            }
        }
        let (der, entryCount) = try builder.finish()
        return SignedRevocationList(
            authority: authority,
            record: RevocationListRecord(
                authoritySerial: authority.serial, scope: scopeKey, number: number, thisUpdate: thisUpdate,
                nextUpdate: nextUpdate, crlDER: der, statusChangeID: statusChangeID),
            entryCount: entryCount)
    }

    /// The bytes of a stored hex serial; empty if it is not hex (the CRL builder then refuses the entry).
    /// Written over the UTF-8 bytes without bounds checks on every step: a CRL over a million
    /// certificates decodes a million serials.
    static func serialBytes(_ hex: String) -> [UInt8] {
        var text = hex
        return text.withUTF8 { digits -> [UInt8] in
            let odd = digits.count % 2
            let count = (digits.count + 1) / 2
            var valid = true
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
                var digitIndex = 0
                for byteIndex in 0..<count {
                    var value: UInt8 = 0
                    for _ in 0..<(byteIndex == 0 && odd == 1 ? 1 : 2) {
                        let nibble = Hex.digitValue(digits[digitIndex])
                        if nibble > 15 { valid = false }
                        value = value << 4 | (nibble & 0x0F)
                        digitIndex += 1
                    }
                    output[byteIndex] = value
                }
                initialized = count
            }
            return valid ? bytes : []
        }
    }

    /// OpenSSL's index.txt for a CA, so that `openssl ocsp -index` can answer for it.
    public func writeOCSPIndex(authority identifier: String?, _ line: @escaping @Sendable (String) -> Void) async throws {
        let authority = try await resolveAuthority(identifier)
        let now = Date()
        let failure = FirstError()
        try await store.read { transaction in try await transaction.forEachCertificateStatus(authority: authority.serial) { status in
            let state: OpenSSLIndexLine.Status
            if let revocation = status.revocation {
                state = .revoked(
                    at: revocation.revokedAt, reason: revocation.reason,
                    invalidityDate: revocation.compromisedAt)
            } else {
                state = status.notAfter <= now ? .expired : .valid
            }
            do {
                let subject = try SubjectParser.parse(status.subject)
                line(try OpenSSLIndexLine(
                    status: state, serialNumber: Self.serialBytes(status.serial), notAfter: status.notAfter, subject: subject
                ).text())
            } catch {
                failure.record(error)
            }
        } }
        if let error = failure.error { throw error }
    }
}

/// A CRL just signed, with the number and dates it carries.
public struct SignedRevocationList: Sendable {
    public let authority: AuthorityRecord
    public let record: RevocationListRecord
    /// How many revoked certificates it lists.
    public let entryCount: Int

    public var der: [UInt8] { record.crlDER ?? [] }
}

/// The CRL builder fed from the database thread while revoked certificates stream in.
final class LockedCRLBuilder: RevokedCertificateSink, @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var builder: CRLBuilder
    private var failure: (any Error)?
    /// The reasons the CRL lists; nil for all. Certificates revoked for others are left out.
    private let wanted: Set<RevocationReason>?
    private let progress: (@Sendable (Int) -> Void)?

    init(_ builder: CRLBuilder, only wanted: Set<RevocationReason>?, progress: (@Sendable (Int) -> Void)? = nil) {
        self.builder = builder
        self.wanted = wanted
        self.progress = progress
    }

    func add(hexSerial: UnsafeBufferPointer<UInt8>, revokedAtSeconds: Int64, reason: RevocationReason, compromisedAtSeconds: Int64?) {
        if let wanted, !wanted.contains(reason) { return }
        lock.withLock {
            do {
                try builder.append(
                    hexSerial: hexSerial, revokedAtSeconds: revokedAtSeconds, reason: reason, invalidityDateSeconds: compromisedAtSeconds)
                if let progress, builder.entryCount & 0xFFFF == 0 { progress(builder.entryCount) }
            } catch {
                if failure == nil { failure = error }
            }
        }
    }

    /// The signed CRL and how many entries it has.
    func finish() throws -> ([UInt8], Int) {
        try lock.withLock {
            if let failure { throw failure }
            let count = builder.entryCount
            return (try builder.finish(), count)
        }
    }
}
