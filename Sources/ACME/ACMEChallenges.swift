import CAAuthority
import CACore
import CAStore
import Foundation

/// Challenges (RFC 8555 §7.5.1, §8): a client's POST starts validation in the background; the outcome
/// moves the challenge, its authorization and its order on, in one transaction.
extension ACMEService {
    func challenge(_ id: String, _ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        guard let found = try await reading({ transaction in try await transaction.acmeChallenge(id: id) }),
            let authorization = try await reading({ transaction in try await transaction.acmeAuthorization(id: found.authorizationID) })
        else {
            throw ACMEProblem.notFound("no such challenge")
        }
        var challenge = found
        let order = try await ownedOrder(authorization.orderID, account: account)
        let headers = [("Link", context.endpoint.indexLink), ("Link", "<\(context.endpoint.authorization(authorization.id))>;rel=\"up\"")]
        // A POST-as-GET reads; any JSON object (RFC 8555 says `{}`) asks the server to validate.
        if context.jws.isPostAsGet { return .json(Self.challengeObject(challenge, endpoint: context.endpoint), headers: headers) }
        _ = try context.jws.payloadJSONObject()
        let now = Date()
        guard challenge.status == .pending, authorization.status == .pending, authorization.expiresAt > now,
            Self.effectiveStatus(order, now: now) == .pending
        else {
            // Retrying a challenge that is already underway or done changes nothing (RFC 8555 §7.5.1).
            return .json(Self.challengeObject(challenge, endpoint: context.endpoint), headers: headers)
        }
        challenge.status = .processing
        let processing = challenge
        let started = try await bookkeeping { (transaction: Transaction) -> Bool in
            // Only one of two concurrent POSTs may start the validation.
            guard try await transaction.acmeChallenge(id: processing.id)?.status == .pending else { return false }
            try await transaction.updateACMEChallenge(processing)
            return true
        }
        if started {
            let key = try Self.key(of: account)
            let configuration = context.configuration
            let attempt = ChallengeAttempt(
                type: challenge.type, identifier: authorization.identifier, isWildcard: authorization.wildcard, token: challenge.token,
                keyAuthorization: key.keyAuthorization(token: challenge.token), accountURL: context.endpoint.account(account.id),
                caaIdentities: configuration.caaIdentity.map { [$0] } ?? [])
            Task { await self.validate(attempt, challenge: processing, authorization: authorization) }
        }
        // RFC 8555 §7.5.1: the client polls the authorization; validation usually takes well under a second.
        return .json(Self.challengeObject(challenge, endpoint: context.endpoint), headers: headers + [("Retry-After", "1")])
    }

    /// Runs one validation and records its outcome. Failures to record are left for the order's expiry.
    func validate(_ attempt: ChallengeAttempt, challenge: ACMEChallengeRecord, authorization: ACMEAuthorizationRecord) async {
        let problem = await validator.validate(attempt)
        var finished = challenge
        finished.status = problem == nil ? .valid : .invalid
        finished.validatedAt = problem == nil ? Date() : nil
        finished.error = problem?.jsonText
        let outcome = finished
        _ = try? await bookkeeping { transaction in
            try await transaction.updateACMEChallenge(outcome)
            try await transaction.updateACMEAuthorizationStatus(id: authorization.id, status: outcome.status)
            guard var order = try await transaction.acmeOrder(id: authorization.orderID), order.status == .pending else { return }
            if let problem {
                order.status = .invalid
                order.error = problem.jsonText
            } else {
                let statuses = try await transaction.acmeAuthorizations(order: order.id).map(\.status)
                guard statuses.allSatisfy({ $0 == .valid }) else { return }
                order.status = .ready
            }
            try await transaction.updateACMEOrder(order)
        }
    }
}
