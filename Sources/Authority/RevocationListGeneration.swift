import CACore
import CAStore
import Foundation

/// What `generate-crls` did for one CA and CRL profile.
public struct CRLGenerationOutcome: Sendable {
    public enum Result: Sendable {
        case generated(number: Int)
        /// The stored CRL is fresh and no certificate changed status since it was signed.
        case current
        case failed(CAError)
    }

    public let authority: AuthorityRecord
    public let profile: String
    public let result: Result
}

extension Authority {
    /// The CAs a periodic job acts on: the named ones (full serials, as django-ca requires), or every
    /// usable CA except the excluded ones.
    public func authoritiesForJob(serials: [String], exclude: [String]) async throws -> [AuthorityRecord] {
        guard serials.isEmpty || exclude.isEmpty else {
            throw CAError(.invalidInput, "name CAs or exclude CAs, not both")
        }
        let all = try await store.read { try await $0.allAuthorities() }
        func find(_ serial: String) throws -> AuthorityRecord {
            let normalized = SerialNumberText.normalize(serial)
            guard let match = all.first(where: { $0.serial == normalized }) else {
                throw CAError(.notFound, "\(serial): no CA has this serial (give the full serial)")
            }
            return match
        }
        if !serials.isEmpty { return try serials.map(find) }
        let excluded = Set(try exclude.map { try find($0).serial })
        return all.filter { $0.isUsable && !excluded.contains($0.serial) }
    }

    /// Signs and stores the CRLs of CA_CRL_PROFILES that are due: missing, within their renewal window, or
    /// older than the last revocation of one of the CA's certificates. A CA whose key cannot be used is
    /// reported and the others go on.
    ///
    /// - Parameter password: Used only when exactly one CA is named, as django-ca does.
    public func generateRevocationLists(
        serials: [String] = [], exclude: [String] = [], force: Bool = false, password: String? = nil, now: Date = Date()
    ) async throws -> [CRLGenerationOutcome] {
        let authorities = try await authoritiesForJob(serials: serials, exclude: exclude)
        let usedPassword = authorities.count == 1 ? password : nil
        var outcomes: [CRLGenerationOutcome] = []
        for authority in authorities {
            let latestChange = try await store.read { try await $0.latestStatusChange(authority: authority.serial) }
            for (name, profile) in settings.crlProfiles.sorted(by: { $0.key < $1.key }) {
                let request = RevocationListRequest(profile: profile)
                do {
                    let stored = try await store.read { try await $0.revocationList(authority: authority.serial, scope: request.scopeKey) }
                    let due =
                        force || stored?.crlDER == nil
                        || stored.map { $0.nextUpdate.timeIntervalSince(now) < profile.renewal } ?? true
                        || (latestChange.map { change in stored.map { change >= $0.thisUpdate } ?? true } ?? false)
                    guard due else {
                        outcomes.append(CRLGenerationOutcome(authority: authority, profile: name, result: .current))
                        continue
                    }
                    let signed = try await makeRevocationList(for: authority, request: request, password: usedPassword)
                    _ = try await store.write { transaction in try await transaction.storeSignedRevocationList(signed.record) }
                    outcomes.append(
                        CRLGenerationOutcome(authority: authority, profile: name, result: .generated(number: signed.record.number)))
                } catch let error as CAError {
                    outcomes.append(CRLGenerationOutcome(authority: authority, profile: name, result: .failed(error)))
                }
            }
        }
        return outcomes
    }

    /// The stored CRL of a CA and scope key (`user`, `ca`, `all`, ...), as the server publishes it.
    public func storedRevocationList(authority serial: String, scope: String) async throws -> RevocationListRecord? {
        guard let record = try await store.read({ try await $0.revocationList(authority: serial, scope: scope) }), record.crlDER != nil else {
            return nil
        }
        return record
    }
}
