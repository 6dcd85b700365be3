import CAAuthority
import CACore
import CAStore
import Foundation

/// Orders and authorizations (RFC 8555 §7.4, §7.5): creation, reading, deactivation.
extension ACMEService {
    /// At most this many identifiers per order, as Let's Encrypt; a CSR with more names is unwieldy anyway.
    static let maximumIdentifiers = 100

    func newOrder(_ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        let payload = try context.jws.payloadJSONObject()
        let now = Date()
        guard let rawIdentifiers = payload["identifiers"] as? [Any], !rawIdentifiers.isEmpty else {
            throw ACMEProblem.malformed("newOrder needs a non-empty \"identifiers\" list")
        }
        guard rawIdentifiers.count <= Self.maximumIdentifiers else {
            throw ACMEProblem(.rejectedIdentifier, "an order may have at most \(Self.maximumIdentifiers) identifiers")
        }
        var identifiers: [ACMEIdentifier] = []
        for raw in rawIdentifiers {
            guard let object = raw as? [String: Any], let type = object["type"] as? String, let value = object["value"] as? String else {
                throw ACMEProblem.malformed("each identifier is an object with a \"type\" and a \"value\"")
            }
            let identifier = try ACMEIdentifierRules.normalized(ACMEIdentifier(type: type, value: value))
            if !identifiers.contains(identifier) { identifiers.append(identifier) }
        }
        let configuration = context.configuration
        let profile = try orderProfile(payload["profile"], configuration: configuration)
        let validity = try orderValidity(payload, now: now)
        let replaces = try await checkReplaces(payload["replaces"], account: account, authority: context.authority)

        let orderID = Self.randomToken()
        let expires = now.addingTimeInterval(settings.acme.orderValidity)
        var authorizations: [ACMEAuthorizationRecord] = []
        var challenges: [ACMEChallengeRecord] = []
        for identifier in identifiers {
            let isWildcard = identifier.value.hasPrefix("*.")
            let authorization = ACMEAuthorizationRecord(
                id: Self.randomToken(), orderID: orderID,
                identifier: ACMEIdentifier(type: identifier.type, value: isWildcard ? String(identifier.value.dropFirst(2)) : identifier.value),
                wildcard: isWildcard, status: .pending, expiresAt: expires)
            authorizations.append(authorization)
            for type in ACMEIdentifierRules.challengeTypes(for: identifier) {
                challenges.append(
                    ACMEChallengeRecord(id: Self.randomToken(), authorizationID: authorization.id, type: type, token: Self.randomToken(), status: .pending))
            }
        }
        let order = ACMEOrderRecord(
            id: orderID, accountID: account.id, status: .pending, expiresAt: expires, identifiers: identifiers,
            notBefore: validity.notBefore, notAfter: validity.notAfter, profile: profile, replaces: replaces, createdAt: now)
        let (finalAuthorizations, finalChallenges) = (authorizations, challenges)
        let hourlyLimit = settings.limits.acmeNewOrdersPerHour
        try await bookkeeping { transaction in
            // Counted in the transaction that adds the order: writers take turns, so nodes cannot both slip under the limit.
            let recent = try await transaction.acmeOrdersCreated(account: account.id, since: now.addingTimeInterval(-3_600))
            if recent.count >= hourlyLimit {
                let wait = max(1, Int(((recent.oldest ?? now).addingTimeInterval(3_600).timeIntervalSince(now)).rounded(.up)))
                throw CAError.rateLimited(
                    "this account created \(recent.count) orders in the last hour, the most CA_ACME_MAX_NEW_ORDERS_PER_HOUR allows; "
                        + "try again in \(wait) seconds", retryAfterSeconds: wait)
            }
            try await transaction.insertACMEOrder(order, authorizations: finalAuthorizations, challenges: finalChallenges)
        }
        return .json(
            Self.orderObject(order, authorizationIDs: authorizations.map(\.id), endpoint: context.endpoint, now: now), status: 201,
            headers: [("Location", context.endpoint.order(orderID)), ("Link", context.endpoint.indexLink)])
    }

    func showOrder(_ id: String, _ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        let order = try await ownedOrder(id, account: account)
        let authorizations = try await reading { transaction in try await transaction.acmeAuthorizations(order: id) }
        // A queued order is signed on another node within about a second (RFC 8555 §7.4: poll after Retry-After).
        let retry: [(String, String)] = order.status == .processing ? [("Retry-After", "1")] : []
        return .json(
            Self.orderObject(order, authorizationIDs: authorizations.map(\.id), endpoint: context.endpoint, now: Date()),
            headers: [("Link", context.endpoint.indexLink)] + retry)
    }

    /// The order if it exists and belongs to the account; otherwise the same 404 either way, so that an
    /// account cannot probe for other accounts' orders.
    func ownedOrder(_ id: String, account: ACMEAccountRecord) async throws -> ACMEOrderRecord {
        let order = try await reading { transaction in try await transaction.acmeOrder(id: id) }
        guard let order, order.accountID == account.id else { throw ACMEProblem.notFound("no such order") }
        return order
    }

    func authorization(_ id: String, _ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        guard var authorization = try await reading({ transaction in try await transaction.acmeAuthorization(id: id) }) else {
            throw ACMEProblem.notFound("no such authorization")
        }
        var order = try await ownedOrder(authorization.orderID, account: account)
        if !context.jws.isPostAsGet {
            // RFC 8555 §7.5.2: the only change a client may make is deactivation.
            let payload = try context.jws.payloadJSONObject()
            guard payload["status"] as? String == "deactivated" else {
                throw ACMEProblem.malformed("an authorization's status can only be changed to \"deactivated\"")
            }
            guard [.pending, .valid].contains(authorization.status) else {
                throw ACMEProblem.malformed("an authorization that is \(authorization.status) cannot be deactivated")
            }
            authorization.status = .deactivated
            if [.pending, .ready].contains(order.status) {
                order.status = .invalid
                order.error = ACMEProblem(.unauthorized, "authorization \(id) was deactivated").jsonText
            }
            let (changedOrder, authorizationID) = (order, authorization.id)
            try await bookkeeping { transaction in
                try await transaction.updateACMEAuthorizationStatus(id: authorizationID, status: .deactivated)
                try await transaction.updateACMEOrder(changedOrder)
            }
        }
        let challenges = try await reading { transaction in try await transaction.acmeChallenges(authorization: id) }
        return .json(
            Self.authorizationObject(authorization, challenges: challenges, endpoint: context.endpoint, now: Date()),
            headers: [("Link", context.endpoint.indexLink)])
    }

    // MARK: order options

    /// The profiles an ACME client may name: the CA's ACME profile and every profile for TLS servers.
    func acmeProfiles(for configuration: AuthorityConfiguration) -> [Profile] {
        let defaultName = configuration.acme?.profile ?? authority.profiles.defaultProfileName
        return authority.profiles.profiles.values
            .filter { $0.name == defaultName || ($0.extendedKeyUsage?.value.contains("serverAuth") ?? false) }
            .sorted { $0.name < $1.name }
    }

    private func orderProfile(_ value: Any?, configuration: AuthorityConfiguration) throws -> String? {
        guard let value else { return nil }
        guard let name = value as? String, acmeProfiles(for: configuration).contains(where: { $0.name == name }) else {
            throw ACMEProblem(.invalidProfile, "unknown profile \(value); the directory's meta.profiles lists those offered")
        }
        return name
    }

    /// notBefore/notAfter of newOrder (RFC 8555 §7.4): notAfter is capped by CA_ACME_MAX_CERT_VALIDITY; a
    /// notBefore in the future is refused, as the certificate is issued at finalization.
    private func orderValidity(_ payload: [String: Any], now: Date) throws -> (notBefore: Date?, notAfter: Date?) {
        func date(_ name: String) throws -> Date? {
            guard let value = payload[name] else { return nil }
            guard let text = value as? String, let date = try? Date(text, strategy: .iso8601) else {
                throw ACMEProblem.malformed("\"\(name)\" must be an RFC 3339 date")
            }
            return date
        }
        let notBefore = try date("notBefore")
        let notAfter = try date("notAfter")
        if let notBefore, notBefore > now.addingTimeInterval(300) {
            throw ACMEProblem.malformed("certificates are valid from their issuance; a notBefore in the future is not supported")
        }
        if let notAfter {
            guard notAfter > now else { throw ACMEProblem.malformed("notAfter is in the past") }
            let longest = now.addingTimeInterval(TimeInterval(settings.acme.maximumCertificateDays) * 86_400 + 3_600)
            guard notAfter <= longest else {
                throw ACMEProblem.malformed("notAfter is more than CA_ACME_MAX_CERT_VALIDITY (\(settings.acme.maximumCertificateDays) days) away")
            }
        }
        return (notBefore, notAfter)
    }

    // MARK: JSON objects

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }

    /// An order's status as of now: pending and ready orders past their expiry are invalid (RFC 8555 §7.1.6).
    static func effectiveStatus(_ order: ACMEOrderRecord, now: Date) -> ACMEStatus {
        ([.pending, .ready].contains(order.status) && order.expiresAt <= now) ? .invalid : order.status
    }

    static func orderObject(_ order: ACMEOrderRecord, authorizationIDs: [String], endpoint: ACMEEndpoints, now: Date) -> [String: Any] {
        var object: [String: Any] = [
            "status": effectiveStatus(order, now: now).rawValue, "expires": timestamp(order.expiresAt),
            "identifiers": order.identifiers.map { ["type": $0.type, "value": $0.value] },
            "authorizations": authorizationIDs.map(endpoint.authorization), "finalize": endpoint.finalize(order.id),
        ]
        if let notBefore = order.notBefore { object["notBefore"] = timestamp(notBefore) }
        if let notAfter = order.notAfter { object["notAfter"] = timestamp(notAfter) }
        if let profile = order.profile { object["profile"] = profile }
        if let replaces = order.replaces { object["replaces"] = replaces }
        if let error = ACMEProblem.storedObject(order.error) { object["error"] = error }
        if let serial = order.certificateSerial { object["certificate"] = endpoint.certificate(serial) }
        return object
    }

    static func authorizationObject(
        _ authorization: ACMEAuthorizationRecord, challenges: [ACMEChallengeRecord], endpoint: ACMEEndpoints, now: Date
    ) -> [String: Any] {
        let expired = authorization.status == .pending && authorization.expiresAt <= now
        var object: [String: Any] = [
            "identifier": ["type": authorization.identifier.type, "value": authorization.identifier.value],
            "status": (expired ? .expired : authorization.status).rawValue, "expires": timestamp(authorization.expiresAt),
            "challenges": challenges.map { challengeObject($0, endpoint: endpoint) },
        ]
        if authorization.wildcard { object["wildcard"] = true }
        return object
    }

    static func challengeObject(_ challenge: ACMEChallengeRecord, endpoint: ACMEEndpoints) -> [String: Any] {
        var object: [String: Any] = [
            "type": challenge.type, "url": endpoint.challenge(challenge.id), "status": challenge.status.rawValue, "token": challenge.token,
        ]
        if let validated = challenge.validatedAt { object["validated"] = timestamp(validated) }
        if let error = ACMEProblem.storedObject(challenge.error) { object["error"] = error }
        return object
    }
}
