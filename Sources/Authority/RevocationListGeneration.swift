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
    /// older than the last revocation of one of the CA's certificates. A CA with delta CRLs renews its complete CRLs on
    /// their schedule only, and their deltas after every revocation; a CA with shards signs again only the shards
    /// whose certificates changed. A CA whose key cannot be used is reported and the others go on.
    ///
    /// - Parameter password: Used only when exactly one CA is named, as django-ca does.
    public func generateRevocationLists(
        serials: [String] = [], exclude: [String] = [], force: Bool = false, password: String? = nil, now: Date = Date()
    ) async throws -> [CRLGenerationOutcome] {
        let authorities = try await authoritiesForJob(serials: serials, exclude: exclude)
        let usedPassword = authorities.count == 1 ? password : nil
        var outcomes: [CRLGenerationOutcome] = []
        for authority in authorities {
            let job = RevocationListJob(authority: self, record: authority, force: force, password: usedPassword, now: now)
            outcomes += await job.run()
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

/// One run of the CRL job for one CA: which of its CRLs are due, and signing them.
private struct RevocationListJob {
    let authority: Authority
    let record: AuthorityRecord
    let force: Bool
    let password: String?
    let now: Date

    func run() async -> [CRLGenerationOutcome] {
        var outcomes: [CRLGenerationOutcome] = []
        func outcome(_ name: String, _ result: CRLGenerationOutcome.Result) {
            outcomes.append(CRLGenerationOutcome(authority: record, profile: name, result: result))
        }
        let configuration: AuthorityConfiguration
        let stored: [String: RevocationListRecord]
        let latestChange: Date?
        do {
            configuration = try record.configurationValue()
            stored = try await authority.store.read { try await $0.revocationListVersions(authority: record.serial) }
            latestChange = try await authority.store.read { try await $0.latestStatusChange(authority: record.serial) }
        } catch {
            outcome("all", .failed(error as? CAError ?? CAError(.storage, "\(error)")))
            return outcomes
        }
        func changed(since list: RevocationListRecord) -> Bool {
            latestChange.map { $0 >= list.thisUpdate } ?? false
        }
        for (name, profile) in authority.settings.crlProfiles.sorted(by: { $0.key < $1.key }) {
            var request = RevocationListRequest(profile: profile)
            let deltas = configuration.crlDeltas == true && (request.onlySomeReasons?.isEmpty ?? true)
            var base = stored[request.completeScopeKey]
            // With deltas, revocations go into the delta and the complete CRL keeps its schedule.
            let baseDue =
                force || base.map { $0.nextUpdate.timeIntervalSince(now) < profile.renewal || (!deltas && changed(since: $0)) } ?? true
                || (deltas && base?.statusChangeID == nil)
            if baseDue {
                do {
                    base = try await sign(request)
                    outcome(name, .generated(number: base?.number ?? 0))
                } catch {
                    outcome(name, .failed(error))
                    continue
                }
            } else {
                outcome(name, .current)
            }
            guard deltas, let base else { continue }
            request.delta = true
            request.validity = authority.settings.deltaCRLExpires
            let delta = stored[request.scopeKey]
            let deltaDue =
                baseDue
                || delta.map { $0.number < base.number || $0.nextUpdate.timeIntervalSince(now) < request.validity / 2 || changed(since: $0) }
                    ?? true
            guard deltaDue else {
                outcome(name + " delta", .current)
                continue
            }
            do {
                outcome(name + " delta", .generated(number: try await sign(request).number))
            } catch {
                outcome(name + " delta", .failed(error))
            }
        }
        if let count = configuration.crlShards {
            await runShards(count: count, stored: stored, outcome: outcome)
        }
        return outcomes
    }

    /// Shards follow the renewal of CA_CRL_PROFILES' `user` CRL, which they partition.
    private func runShards(
        count: Int, stored: [String: RevocationListRecord], outcome: (String, CRLGenerationOutcome.Result) -> Void
    ) async {
        let profile = authority.settings.crlProfiles["user"] ?? CRLProfile(scope: .userCertificates)
        let shardLists = (0..<count).map { stored[RevocationListRequest(shard: $0, validity: profile.expires).scopeKey] }
        // Changes after the oldest shard's are all that can make a shard due.
        let oldest = shardLists.contains { $0?.statusChangeID == nil } ? 0 : shardLists.compactMap { $0?.statusChangeID }.min() ?? 0
        let latestByShard: [Int: Int64]
        do {
            latestByShard = try await authority.store.read {
                try await $0.latestStatusChangeByShard(authority: record.serial, after: oldest)
            }
        } catch {
            outcome("shards", .failed(error as? CAError ?? CAError(.storage, "\(error)")))
            return
        }
        for shard in 0..<count {
            let request = RevocationListRequest(shard: shard, validity: profile.expires)
            let due =
                force
                || shardLists[shard].map { list in
                    list.nextUpdate.timeIntervalSince(now) < profile.renewal
                        || (latestByShard[shard].map { $0 > list.statusChangeID ?? 0 } ?? false)
                } ?? true
            guard due else {
                outcome("shard \(shard)", .current)
                continue
            }
            do {
                outcome("shard \(shard)", .generated(number: try await sign(request).number))
            } catch {
                outcome("shard \(shard)", .failed(error))
            }
        }
    }

    private func sign(_ request: RevocationListRequest) async throws(CAError) -> RevocationListRecord {
        do {
            return try await authority.signAndStoreRevocationList(for: record, request: request, password: password).record
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.storage, "\(error)")
        }
    }
}
