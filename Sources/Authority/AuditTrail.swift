import CACore
import CAStore
import Foundation

/// Every change the authority makes is recorded in `audit_log` inside the transaction that makes it, so
/// the log can neither miss a change nor record one that was rolled back. Who asked comes from
/// `AuditActor.current`, which each front end sets for the request it serves.
extension Authority {
    /// Records an action that changes no certificate or CA (a login, a new user), in a transaction of its own.
    public func recordAudit(_ action: String, target: String, detail: String) async throws {
        try await store.write { transaction in try await transaction.audit(action, target: target, detail: detail) }
    }

    public func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await store.read { try await $0.auditEntries(filter) }
    }

    static func describe(_ revocation: RevocationRecord) -> String {
        var text = "reason \(revocation.reason.rawValue)"
        if let compromisedAt = revocation.compromisedAt {
            text += ", compromised \(ISO8601DateFormatter().string(from: compromisedAt))"
        }
        return text
    }

    /// What `edit-ca` changed, field by field, for the audit log.
    static func describeChanges(from before: AuthorityRecord, to after: AuthorityRecord) throws -> String {
        var changes: [String] = []
        if before.name != after.name { changes.append("name \(before.name) -> \(after.name)") }
        if before.enabled != after.enabled { changes.append(after.enabled ? "enabled" : "disabled") }
        if before.configuration != after.configuration {
            let old = try before.configurationValue()
            let new = try after.configurationValue()
            if old.signTemplates != new.signTemplates { changes.append("sign templates") }
            if old.acme != new.acme { changes.append("ACME settings") }
            if (old.apiEnabled ?? false) != (new.apiEnabled ?? false) {
                changes.append((new.apiEnabled ?? false) ? "API enabled" : "API disabled")
            }
            if old.ocspResponderKeyValidityDays != new.ocspResponderKeyValidityDays || old.ocspResponseValiditySeconds != new.ocspResponseValiditySeconds {
                changes.append("OCSP validities")
            }
            if (old.ocspEnabled ?? true) != (new.ocspEnabled ?? true) {
                changes.append((new.ocspEnabled ?? true) ? "OCSP on" : "OCSP off")
            }
            if old.ocspKeyBackend != new.ocspKeyBackend {
                changes.append("OCSP key backend \(old.ocspKeyBackend ?? "default") -> \(new.ocspKeyBackend ?? "default")")
            }
            if old.crlShards != new.crlShards { changes.append("CRL shards \(old.crlShards ?? 0) -> \(new.crlShards ?? 0)") }
            if old.crlDeltas != new.crlDeltas { changes.append(new.crlDeltas == true ? "delta CRLs on" : "delta CRLs off") }
            if old.website != new.website || old.termsOfService != new.termsOfService || old.caaIdentity != new.caaIdentity {
                changes.append("ACME metadata")
            }
        }
        return changes.isEmpty ? "no change" : changes.joined(separator: ", ")
    }
}
