import CAACME
import CACore
import CAStore
import Crypto
import Foundation
import NIOCore
import NIOPosix
import X509

/// Validates ACME challenges over the network (RFC 8555 §8.3 http-01, §8.4 dns-01, RFC 8737 tls-alpn-01)
/// and checks CAA (RFC 8659, RFC 8657) before an authorization turns valid.
///
/// Every attempt is bounded by CA_ACME_VALIDATION_TIMEOUT. Names are resolved through CA_ACME_STATIC_HOSTS,
/// then CA_ACME_DNS_SERVER, then the system resolver, and loopback or private addresses are refused unless
/// CA_ACME_ALLOW_PRIVATE_ADDRESSES is set, so that a client cannot make the CA probe its own network.
public struct NetworkChallengeValidator: ChallengeValidator {
    let settings: ACMESettings
    let eventLoopGroup: any EventLoopGroup
    let dnsClient: DNSClient?
    let timeout: Duration

    public init(settings: ACMESettings, eventLoopGroup: any EventLoopGroup) {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        timeout = .milliseconds(Int64(settings.validationTimeout * 1000))
        dnsClient = settings.dnsServer.map {
            DNSClient(server: $0.host, port: $0.port, eventLoopGroup: eventLoopGroup, timeout: .milliseconds(Int64(min(settings.validationTimeout, 5) * 1000)))
        }
    }

    public func validate(_ attempt: ChallengeAttempt) async -> ACMEProblem? {
        do {
            switch attempt.type {
            case "http-01": try await validateHTTP(attempt)
            case "dns-01": try await validateDNS(attempt)
            case "tls-alpn-01": try await validateTLSALPN(attempt)
            default: return ACMEProblem(.malformed, "unknown challenge type \(attempt.type)")
            }
            try await checkCAA(attempt)
            return nil
        } catch let problem as ACMEProblem {
            return problem
        } catch {
            return ACMEProblem(.serverInternal, "validation failed: \(error)", status: 500)
        }
    }

    // MARK: challenges

    private func validateHTTP(_ attempt: ChallengeAttempt) async throws {
        let host = attempt.identifier.value
        let address = try await address(of: attempt.identifier)
        let response: HTTP01Response
        do {
            response = try await HTTP01Fetcher(eventLoopGroup: eventLoopGroup).fetch(
                address: address, port: settings.http01Port, host: host,
                path: "/.well-known/acme-challenge/\(attempt.token)", timeout: timeout)
        } catch {
            throw ACMEProblem(.connection, "http-01 for \(host) at \(address):\(settings.http01Port): \(error)")
        }
        guard response.statusCode == 200 else {
            throw ACMEProblem(.unauthorized, "http-01 for \(host): the challenge URL answered \(response.statusCode), not 200", status: 403)
        }
        // RFC 8555 §8.3: trailing whitespace around the key authorization is tolerated.
        let body = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard body == attempt.keyAuthorization else {
            throw ACMEProblem(.incorrectResponse, "http-01 for \(host): the response is not the key authorization")
        }
    }

    private func validateDNS(_ attempt: ChallengeAttempt) async throws {
        guard let dnsClient else {
            throw ACMEProblem(.dns, "dns-01 cannot be validated: no DNS server is configured (CA_ACME_DNS_SERVER)")
        }
        let name = "_acme-challenge." + attempt.identifier.value
        let records: [String]
        do {
            records = try await dnsClient.txtRecords(name)
        } catch {
            throw ACMEProblem(.dns, "dns-01: the TXT lookup of \(name) failed: \(error)")
        }
        let expected = Base64URL.encode(Array(SHA256.hash(data: Array(attempt.keyAuthorization.utf8))))
        guard records.contains(expected) else {
            throw ACMEProblem(
                .incorrectResponse,
                records.isEmpty ? "dns-01: \(name) has no TXT record" : "dns-01: no TXT record of \(name) holds the expected digest")
        }
    }

    private func validateTLSALPN(_ attempt: ChallengeAttempt) async throws {
        let identifier: ChallengeIdentifier =
            attempt.identifier.type == "ip"
            ? (ChallengeIdentifier(ipAddressLiteral: attempt.identifier.value) ?? .dnsName(attempt.identifier.value))
            : .dnsName(attempt.identifier.value)
        let address = try await address(of: attempt.identifier)
        let certificate: Certificate
        do {
            certificate = try await fetchChallengeCertificate(address: address, serverName: identifier.tlsServerName)
        } catch {
            throw ACMEProblem(.tls, "tls-alpn-01 for \(attempt.identifier.value) at \(address):\(settings.tlsALPN01Port): \(error)")
        }
        do {
            try TLSALPNChallengeCertificateCheck(identifier: identifier, keyAuthorization: attempt.keyAuthorization).verify(certificate)
        } catch {
            throw ACMEProblem(.incorrectResponse, "tls-alpn-01 for \(attempt.identifier.value): \(error)")
        }
    }

    /// A certificate whose key usage lacks digitalSignature fails every modern handshake; such a certificate
    /// is tried once more over RSA key transport (see ``TLSALPN01Prober/init(eventLoopGroup:rsaKeyTransport:)``).
    private func fetchChallengeCertificate(address: String, serverName: String) async throws -> Certificate {
        let port = settings.tlsALPN01Port
        do {
            return try await TLSALPN01Prober(eventLoopGroup: eventLoopGroup).fetchCertificate(
                address: address, port: port, serverName: serverName, timeout: timeout)
        } catch {
            guard error.message.contains("KEY_USAGE_BIT_INCORRECT") else { throw error }
        }
        return try await TLSALPN01Prober(eventLoopGroup: eventLoopGroup, rsaKeyTransport: true).fetchCertificate(
            address: address, port: port, serverName: serverName, timeout: timeout)
    }

    // MARK: CAA

    /// Checked only when a DNS server is configured: without one there is no resolver to ask for CAA.
    private func checkCAA(_ attempt: ChallengeAttempt) async throws {
        guard let dnsClient, attempt.identifier.type == "dns" else { return }
        let checker = CAAChecker(issuerDomainNames: attempt.caaIdentities) { name in
            try await dnsClient.query(name, type: .caa)
        }
        let name = (attempt.isWildcard ? "*." : "") + attempt.identifier.value
        let decision = await checker.check(
            CAAIssuanceRequest(domainName: name, accountURI: attempt.accountURL, validationMethod: attempt.type))
        guard decision.permitsIssuance else { throw ACMEProblem(.caa, decision.reason, status: 403) }
    }

    // MARK: addresses

    /// The address to connect to: an IP identifier itself, else the first address the name resolves to.
    private func address(of identifier: ACMEIdentifier) async throws -> String {
        var candidates: [String]
        if identifier.type == "ip" {
            candidates = [identifier.value]
        } else if let fixed = settings.staticAddress(of: identifier.value) {
            candidates = [fixed]
        } else if let dnsClient {
            do {
                candidates = try await dnsClient.addresses(identifier.value)
            } catch {
                throw ACMEProblem(.dns, "the address lookup of \(identifier.value) failed: \(error)")
            }
        } else {
            candidates = try await SystemResolver.addresses(of: identifier.value)
        }
        guard !candidates.isEmpty else { throw ACMEProblem(.dns, "\(identifier.value) has no address") }
        if !settings.allowPrivateAddresses {
            candidates = candidates.filter { !AddressPolicy.isPrivate($0) }
            guard !candidates.isEmpty else {
                throw ACMEProblem(
                    .rejectedIdentifier,
                    "\(identifier.value) resolves only to loopback or private addresses, which are not validated (CA_ACME_ALLOW_PRIVATE_ADDRESSES)")
            }
        }
        return candidates[0]
    }
}
