import CAAuthority
import CACore
import CAStore
import Foundation
import X509

/// revokeCert (RFC 8555 §7.6): by the account that ordered the certificate, by an account that holds valid
/// authorizations for all its names, or signed with the certificate's own key.
extension ACMEService {
    func revokeCertificate(_ context: ACMEContext) async throws -> ACMEResponse {
        let payload = try context.jws.payloadJSONObject()
        guard let text = payload["certificate"] as? String, let der = Base64URL.decode(text),
            let certificate = try? Certificate(derEncoded: der)
        else {
            throw ACMEProblem.malformed("\"certificate\" must be a base64url-encoded DER certificate")
        }
        let reason = try Self.revocationReason(payload["reason"])
        let serial = SerialNumberText.hex(certificate.serialNumber)
        let record = try await reading { transaction in try await transaction.certificate(serial: serial) }
        guard let record, record.authoritySerial == context.authority.serial, record.certificateDER == der else {
            throw ACMEProblem.notFound("this CA did not issue that certificate")
        }
        var actor = AuditActor(name: "acme:certificate-key", source: AuditActor.current.source)
        switch context.jws.header.key {
        case .jwk(let key):
            try context.jws.verify(with: key)
            guard (try? JSONWebKey(publicKey: certificate.publicKey)) == key else {
                throw ACMEProblem.unauthorized("the request is signed neither by an account nor by the certificate's key")
            }
        case .kid:
            let account = try await account(for: context)
            try await checkRevocationRight(of: account, certificate: certificate, serial: serial)
            actor.name = "acme:\(account.id)"
        }
        guard record.revocation == nil else { throw ACMEProblem(.alreadyRevoked, "the certificate is already revoked") }
        do {
            let revoker = actor
            _ = try await AuditActor.$current.withValue(revoker) {
                try await self.authority.revoke(serial, reason: reason, compromisedAt: nil)
            }
        } catch let error as CAError where error.kind == .conflict {
            throw ACMEProblem(.alreadyRevoked, "the certificate is already revoked")
        }
        return ACMEResponse(status: 200, headers: [("Link", context.endpoint.indexLink)], body: [])
    }

    private func checkRevocationRight(of account: ACMEAccountRecord, certificate: Certificate, serial: String) async throws {
        let accountID = account.id
        if let order = try await reading({ transaction in try await transaction.acmeOrder(certificateSerial: serial) }), order.accountID == accountID {
            return
        }
        let authorized = try await reading { transaction in try await transaction.validAuthorizedIdentifiers(account: accountID, now: Date()) }
        var names: [ACMEIdentifier] = []
        for name in (try? certificate.extensions.subjectAlternativeNames) ?? nil ?? SubjectAlternativeNames([]) {
            switch name {
            case .dnsName(let value): names.append(ACMEIdentifier(type: "dns", value: value.lowercased()))
            case .ipAddress(let octets):
                names.append(ACMEIdentifier(type: "ip", value: IPAddressText.formatAddress(Array(octets.bytes)) ?? ""))
            default: names.append(ACMEIdentifier(type: "other", value: "\(name)"))
            }
        }
        // A wildcard name is covered by an authorization of its base name (held through dns-01).
        let covered = names.allSatisfy { name in
            let base = name.value.hasPrefix("*.") ? String(name.value.dropFirst(2)) : name.value
            return authorized.contains(ACMEIdentifier(type: name.type, value: base))
        }
        guard !names.isEmpty, covered else {
            throw ACMEProblem.unauthorized("the account neither ordered this certificate nor holds authorizations for all its names")
        }
    }

    /// RFC 5280 reason codes; 7 is unused and removeFromCRL applies to delta CRLs only.
    static func revocationReason(_ value: Any?) throws -> RevocationReason {
        guard let value else { return .unspecified }
        guard let code = value as? Int, let reason = RevocationReason.allCases.first(where: { $0.value == code }),
            reason != .removeFromCRL
        else {
            throw ACMEProblem(.badRevocationReason, "the reason \(value) is not an accepted revocation reason code (0-6, 9, 10)")
        }
        return reason
    }
}
