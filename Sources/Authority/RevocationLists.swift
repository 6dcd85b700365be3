import CACore
import CAStore
import Foundation
import X509

/// What `dump-crl` (and later `generate-crls` and the server) asks for.
public struct RevocationListRequest: Sendable {
    public var scope: CRLScope = .all
    /// nextUpdate − thisUpdate.
    public var validity: TimeInterval = 86_400
    /// Only these reasons (adds them to the Issuing Distribution Point); nil for all.
    public var onlySomeReasons: [RevocationReason]?
    public var hash: SignatureHash?

    public init() {}

    public init(profile: CRLProfile) {
        scope = profile.scope
        validity = profile.expires
        onlySomeReasons = profile.onlySomeReasons
    }

    /// The key under which the CRL number of this kind of CRL is kept: numbers grow per CA and scope.
    public var scopeKey: String {
        let base: String
        switch scope {
        case .all: base = "all"
        case .userCertificates: base = "user"
        case .caCertificates: base = "ca"
        }
        guard let reasons = onlySomeReasons, !reasons.isEmpty else { return base }
        return base + ";" + reasons.map(\.rawValue).sorted().joined(separator: ",")
    }
}

extension Authority {
    /// Signs a CRL of the CA's revoked certificates. The CRL number is taken and recorded in its own
    /// transaction first, so it only ever grows, even when two processes sign at once.
    public func makeRevocationList(
        authority identifier: String?, request: RevocationListRequest, password: String?
    ) async throws -> SignedRevocationList {
        try await makeRevocationList(for: try await resolveAuthority(identifier), request: request, password: password)
    }

    func makeRevocationList(
        for authority: AuthorityRecord, request: RevocationListRequest, password: String?
    ) async throws -> SignedRevocationList {
        if let reasons = request.onlySomeReasons,
            let invalid = reasons.first(where: { $0 == .unspecified || $0 == .removeFromCRL })
        {
            throw CAError(.invalidInput, "--only-some-reasons cannot name \(invalid.rawValue) (RFC 5280 §5.2.5)")
        }
        let issuer = try issuer(for: authority, password: password)
        let thisUpdate = Date()
        let nextUpdate = thisUpdate.addingTimeInterval(request.validity)
        let scopeKey = request.scopeKey
        let number = try await store.write { transaction in
            let number = try await transaction.nextRevocationListNumber(authority: authority.serial, scope: scopeKey)
            try await transaction.saveRevocationList(
                RevocationListRecord(
                    authoritySerial: authority.serial, scope: scopeKey, number: number, thisUpdate: thisUpdate,
                    nextUpdate: nextUpdate, crlDER: nil))
            return number
        }
        var reasonFlags: ReasonFlags?
        if let reasons = request.onlySomeReasons, !reasons.isEmpty {
            reasonFlags = try ReasonFlags(names: reasons.map(\.rawValue))
        }
        let hash = try request.hash ?? authority.configurationValue().signatureHash
        let options = CRLOptions(
            scope: request.scope, onlySomeReasons: reasonFlags, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
            number: number, hash: hash, distributionPoint: nil)
        let wanted = request.onlySomeReasons.map(Set.init)
        let builder = LockedCRLBuilder(try CRLBuilder(issuer: issuer, options: options))
        let include: @Sendable (RevokedCertificateSummary) -> Void = { revoked in
            let reason = revoked.reason
            if let wanted, !wanted.contains(reason) { return }
            builder.append(
                RevokedEntry(
                    serialNumber: revoked.serialBytes ?? Self.serialBytes(revoked.serial), revokedAt: revoked.revokedAt, reason: reason,
                    invalidityDate: revoked.compromisedAt))
        }
        if request.scope != .caCertificates {
            try await store.read { try await $0.forEachRevokedCertificate(authority: authority.serial, notExpiredAt: thisUpdate, include) }
        }
        if request.scope != .userCertificates {
            for child in try await store.read({ try await $0.revokedChildAuthorities(of: authority.serial) }) { include(child) }
        }
        return SignedRevocationList(
            authority: authority,
            record: RevocationListRecord(
                authoritySerial: authority.serial, scope: scopeKey, number: number, thisUpdate: thisUpdate,
                nextUpdate: nextUpdate, crlDER: try builder.finish()))
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
                        let nibble = hexValue(digits[digitIndex])
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

    /// 0–15 for a hex digit, 0xFF otherwise.
    @inline(__always)
    private static func hexValue(_ character: UInt8) -> UInt8 {
        switch character {
        case 0x30...0x39: return character &- 0x30
        case 0x41...0x46: return character &- 0x41 &+ 10
        case 0x61...0x66: return character &- 0x61 &+ 10
        default: return 0xFF
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

    public var der: [UInt8] { record.crlDER ?? [] }
}

/// The CRL builder fed from the database thread while revoked certificates stream in.
final class LockedCRLBuilder: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var builder: CRLBuilder
    private var failure: (any Error)?

    init(_ builder: CRLBuilder) {
        self.builder = builder
    }

    func append(_ entry: RevokedEntry) {
        lock.withLock {
            do {
                try builder.append(entry)
            } catch {
                if failure == nil { failure = error }
            }
        }
    }

    func finish() throws -> [UInt8] {
        try lock.withLock {
            if let failure { throw failure }
            return try builder.finish()
        }
    }
}
