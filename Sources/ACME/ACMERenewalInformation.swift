import CAAuthority
import CACore
import CAStore
import Foundation

/// ACME Renewal Information (RFC 9773): when a client should renew, and newOrder's `replaces`.
///
/// A certificate is named by base64url(authority key identifier) "." base64url(serial number octets).
extension ACMEService {
    /// How long a client should wait before asking again (RFC 9773 §4.2), in seconds.
    static let renewalRetryAfter = 21_600

    func renewalInformation(_ identifier: String, authority: AuthorityRecord) async throws -> ACMEResponse {
        let record = try await certificate(forRenewalIdentifier: identifier, authority: authority)
        let now = Date()
        let window: (start: Date, end: Date)
        if record.revocation != nil {
            // RFC 9773 §4.2: a window in the past tells the client to renew at once.
            window = (now.addingTimeInterval(-2 * 86_400), now.addingTimeInterval(-86_400))
        } else {
            // The middle of the last third of the lifetime, as Let's Encrypt suggests.
            let lifetime = record.notAfter.timeIntervalSince(record.notBefore)
            window = (record.notBefore.addingTimeInterval(lifetime * 2 / 3), record.notBefore.addingTimeInterval(lifetime * 5 / 6))
        }
        return .json(
            ["suggestedWindow": ["start": Self.timestamp(window.start), "end": Self.timestamp(window.end)]],
            headers: [("Retry-After", String(Self.renewalRetryAfter))])
    }

    /// The certificate a renewal identifier names, if this CA issued it.
    func certificate(forRenewalIdentifier identifier: String, authority: AuthorityRecord) async throws -> CertificateRecord {
        let parts = identifier.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let keyIdentifier = Base64URL.decode(String(parts[0])), let serialBytes = Base64URL.decode(String(parts[1])),
            !keyIdentifier.isEmpty, !serialBytes.isEmpty
        else {
            throw ACMEProblem.malformed("\"\(identifier)\" is not a renewal identifier (keyIdentifier.serial, both base64url)")
        }
        let issuer = try authority.certificate()
        guard let expected = try? issuer.extensions.subjectKeyIdentifier?.keyIdentifier, Array(expected) == keyIdentifier else {
            throw ACMEProblem.notFound("the renewal identifier names another CA's certificate")
        }
        let serial = SerialNumberText.hex(bytes: serialBytes)
        guard let record = try await reading({ transaction in try await transaction.certificate(serial: serial) }), record.authoritySerial == authority.serial
        else {
            throw ACMEProblem.notFound("this CA did not issue a certificate with that serial")
        }
        return record
    }

    /// newOrder's `replaces`: a certificate this account ordered, not replaced by another order yet.
    func checkReplaces(_ value: Any?, account: ACMEAccountRecord, authority: AuthorityRecord) async throws -> String? {
        guard let value else { return nil }
        guard let identifier = value as? String else { throw ACMEProblem.malformed("\"replaces\" must be a renewal identifier string") }
        let record = try await certificate(forRenewalIdentifier: identifier, authority: authority)
        let serial = record.serial
        let order = try await reading { transaction in try await transaction.acmeOrder(certificateSerial: serial) }
        guard order?.accountID == account.id else {
            throw ACMEProblem.unauthorized("\"replaces\" names a certificate this account did not order")
        }
        if try await reading({ transaction in try await transaction.acmeOrderExists(replacing: identifier) }) {
            throw ACMEProblem(.alreadyReplaced, "another order already replaces that certificate", status: 409)
        }
        return identifier
    }
}
