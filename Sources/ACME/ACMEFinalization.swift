import CAAuthority
import CACore
import CAStore
import Foundation
import SwiftASN1
import X509

/// Finalization (RFC 8555 §7.4) and certificate download (§7.4.2): the CSR's names must be exactly the
/// order's, and the certificate goes through the one issuance path every front end uses.
extension ACMEService {
    func finalize(_ id: String, _ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        let order = try await ownedOrder(id, account: account)
        let now = Date()
        guard Self.effectiveStatus(order, now: now) == .ready else {
            throw ACMEProblem.orderNotReady("the order is \(Self.effectiveStatus(order, now: now)), not ready")
        }
        let payload = try context.jws.payloadJSONObject()
        guard let text = payload["csr"] as? String, let der = Base64URL.decode(text) else {
            throw ACMEProblem(.badCSR, "\"csr\" must be a base64url-encoded DER CSR")
        }
        try Self.checkNames(of: der, against: order.identifiers)

        let configuration = context.configuration
        var request = SigningRequest()
        request.profile = order.profile ?? configuration.acme?.profile
        request.alternativeNames = order.identifiers.map { ($0.type == "ip" ? "IP:" : "DNS:") + $0.value }
        // Let's Encrypt's convention: the first DNS name that fits a CN (64 characters) becomes the CN.
        if let commonName = order.identifiers.first(where: { $0.type == "dns" && $0.value.count <= 64 })?.value {
            request.subject = "CN=\(commonName)"
        }
        request.commonNameInAlternativeNames = false
        request.expiresDays = validityDays(order, authority: context.authority, now: now)
        // A profile without revocation caps the validity, whatever the order or CA_ACME_DEFAULT_CERT_VALIDITY say.
        if let profile = try? authority.profiles.profile(named: request.profile), profile.noRevocationAvailable {
            request.expiresDays = min(request.expiresDays ?? settings.shortLivedMaximumDays, profile.expiresDays ?? settings.shortLivedMaximumDays)
        }

        if !authority.signsWithCAKeys {
            return try await queueFinalization(order, csr: der, request: request, context: context, now: now)
        }
        let orderID = order.id
        let actor = AuditActor(name: "acme:\(order.accountID)", source: AuditActor.current.source)
        let issued = try await AuditActor.$current.withValue(actor) {
            try await authority.finalizeACMEOrder(orderID, csr: der, request: request, authority: context.authority.serial)
        }
        var finished = order
        finished.status = .valid
        finished.certificateSerial = issued.record.serial
        let authorizations = try await reading { try await $0.acmeAuthorizations(order: orderID) }
        return .json(
            Self.orderObject(finished, authorizationIDs: authorizations.map(\.id), endpoint: context.endpoint, now: now),
            headers: [("Location", context.endpoint.order(orderID)), ("Link", context.endpoint.indexLink)])
    }

    /// On a node without CA keys: the order turns `processing` and its CSR waits in the signing queue for a
    /// node that has them (`Authority.signQueued`). The client polls the order as RFC 8555 §7.4 describes.
    private func queueFinalization(
        _ order: ACMEOrderRecord, csr: [UInt8], request: SigningRequest, context: ACMEContext, now: Date
    ) async throws -> ACMEResponse {
        guard try await authority.signingNodeIsAlive(now: now) else {
            throw ACMEProblem(
                .serverInternal,
                "no node can sign: this server runs with --role public and holds no CA key, and no node with --role all "
                    + "has been seen in the last \(Int(authority.signingNodeWindow)) seconds; the order stays ready, finalize it again later",
                status: 503)
        }
        let orderID = order.id
        let queued = try await authority.queueACMEOrder(orderID, csr: csr, request: request, authority: context.authority.serial, now: now)
        let authorizations = try await reading { try await $0.acmeAuthorizations(order: orderID) }
        return .json(
            Self.orderObject(queued, authorizationIDs: authorizations.map(\.id), endpoint: context.endpoint, now: now),
            headers: [("Location", context.endpoint.order(orderID)), ("Link", context.endpoint.indexLink), ("Retry-After", "1")])
    }

    /// Days until the order's notAfter, or CA_ACME_DEFAULT_CERT_VALIDITY; never beyond the CA's own expiry,
    /// which issuance would refuse.
    private func validityDays(_ order: ACMEOrderRecord, authority: AuthorityRecord, now: Date) -> Int {
        var days = settings.acme.defaultCertificateDays
        if let notAfter = order.notAfter { days = max(1, Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.up))) }
        days = min(days, settings.acme.maximumCertificateDays)
        let daysLeft = Int(authority.notAfter.timeIntervalSince(now) / 86_400) - 1
        return max(1, min(days, daysLeft))
    }

    /// RFC 8555 §7.4: the CSR's subject CN and SAN together must name exactly the order's identifiers.
    static func checkNames(of der: [UInt8], against identifiers: [ACMEIdentifier]) throws {
        let csr: CertificateSigningRequest
        do {
            csr = try CertificateSigningRequest(derEncoded: der)
        } catch {
            throw ACMEProblem(.badCSR, "the CSR cannot be parsed as PKCS#10 DER")
        }
        var names: Set<ACMEIdentifier> = []
        do {
            for name in try csr.attributes.extensionRequest?.extensions.subjectAlternativeNames ?? SubjectAlternativeNames([]) {
                switch name {
                case .dnsName(let value): names.insert(ACMEIdentifier(type: "dns", value: value.lowercased()))
                case .ipAddress(let octets):
                    guard let text = IPAddressText.formatAddress(Array(octets.bytes)) else {
                        throw ACMEProblem(.badCSR, "the CSR has an iPAddress of \(octets.bytes.count) bytes")
                    }
                    names.insert(ACMEIdentifier(type: "ip", value: text))
                default:
                    throw ACMEProblem(.badCSR, "the CSR asks for a name of a kind ACME cannot validate: \(name)")
                }
            }
        } catch let problem as ACMEProblem {
            throw problem
        } catch {
            throw ACMEProblem(.badCSR, "the CSR's extension request cannot be read")
        }
        if let commonName = SubjectFormatter.commonName(of: csr.subject) {
            let lowered = commonName.lowercased()
            names.insert(ACMEIdentifierRules.canonicalAddress(lowered).map { ACMEIdentifier(type: "ip", value: $0) }
                ?? ACMEIdentifier(type: "dns", value: lowered))
        }
        let wanted = Set(identifiers)
        guard names == wanted else {
            let extra = names.subtracting(wanted).map(\.value).sorted()
            let missing = wanted.subtracting(names).map(\.value).sorted()
            var parts: [String] = []
            if !extra.isEmpty { parts.append("not in the order: \(extra.joined(separator: ", "))") }
            if !missing.isEmpty { parts.append("missing from the CSR: \(missing.joined(separator: ", "))") }
            throw ACMEProblem(.badCSR, "the CSR's names differ from the order's (\(parts.joined(separator: "; ")))")
        }
    }

    /// The certificate and its CA chain up to the root, PEM, for the account that ordered it. certbot wants
    /// at least two certificates, so the root is included even when it issued the leaf.
    func downloadCertificate(_ serialText: String, _ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        guard let serial = SerialNumberText.normalize(serialText) else { throw ACMEProblem.notFound("no such certificate") }
        // One snapshot for the order, the certificate and the chain.
        let found = try await reading { transaction -> (CertificateRecord, [Certificate])? in
            guard let order = try await transaction.acmeOrder(certificateSerial: serial), order.accountID == account.id,
                let record = try await transaction.certificate(serial: serial)
            else { return nil }
            return (record, try await self.authority.chain(of: context.authority, in: transaction))
        }
        guard let (record, chain) = found else { throw ACMEProblem.notFound("no such certificate") }
        var pem = PEMText.encode(type: "CERTIFICATE", der: record.certificateDER) + "\n"
        for certificate in chain { pem += try certificate.pemString() + "\n" }
        return ACMEResponse(
            status: 200, headers: [("Content-Type", "application/pem-certificate-chain"), ("Link", context.endpoint.indexLink)],
            body: Array(pem.utf8))
    }
}
