import CACore
import Foundation
import SQLKit

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var source: String
    /// `sign`, `resign`, `revoke`, `edit-ca`, `watchers`, `login`, `login-failed`, `create-user`, …
    public var action: String
    /// The object: a certificate or CA serial, or a user name.
    public var target: String
    public var detail: String

    public init(id: Int64 = 0, at: Date, actor: String, source: String, action: String, target: String, detail: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.source = source
        self.action = action
        self.target = target
        self.detail = detail
    }
}

/// Which audit entries to list, newest first.
public struct AuditFilter: Sendable, Equatable {
    public var actor: String?
    public var action: String?
    public var target: String?
    public var since: Date?
    /// Entries with a smaller id only (the next page of a listing).
    public var before: Int64?
    public var limit = 100

    public init() {}
}

extension Transaction {
    /// Appends an entry; callers run it in the transaction of the change it records.
    public func recordAudit(_ entry: AuditEntry) async throws {
        try await run {
            try await database.raw(
                """
                INSERT INTO audit_log (at, actor, source, action, target, detail)
                VALUES (\(bind: Int64((entry.at.timeIntervalSince1970 * 1000).rounded(.down))), \(bind: entry.actor),
                \(bind: entry.source), \(bind: entry.action), \(bind: entry.target), \(bind: entry.detail))
                """
            ).run()
        }
    }

    public func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await run {
            var query = SQLQueryString("SELECT id, at, actor, source, action, target, detail FROM audit_log WHERE 1 = 1")
            if let actor = filter.actor { query.appendInterpolation(" AND actor = \(bind: actor)" as SQLQueryString) }
            if let action = filter.action { query.appendInterpolation(" AND action = \(bind: action)" as SQLQueryString) }
            if let target = filter.target { query.appendInterpolation(" AND target = \(bind: target)" as SQLQueryString) }
            if let since = filter.since {
                let milliseconds = Int64((since.timeIntervalSince1970 * 1000).rounded(.down))
                query.appendInterpolation(" AND at >= \(bind: milliseconds)" as SQLQueryString)
            }
            if let before = filter.before { query.appendInterpolation(" AND id < \(bind: before)" as SQLQueryString) }
            query.appendInterpolation(" ORDER BY id DESC LIMIT \(literal: max(1, filter.limit))" as SQLQueryString)
            return try await database.raw(query).all().map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: Int64.self),
                    at: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "at", as: Int64.self)) / 1000),
                    actor: try row.decode(column: "actor", as: String.self),
                    source: try row.decode(column: "source", as: String.self),
                    action: try row.decode(column: "action", as: String.self),
                    target: try row.decode(column: "target", as: String.self),
                    detail: try row.decode(column: "detail", as: String.self))
            }
        }
    }

    /// Appends an audit row in this transaction, so that the log can neither miss a change nor record one that
    /// was rolled back. Who acted comes from `AuditActor.current`, which each front end sets for the request it
    /// serves, unless `actor` or `source` say otherwise (a login names its user before any actor is set).
    public func audit(_ action: String, target: String, detail: String, source: String? = nil, actor: String? = nil) async throws {
        let current = AuditActor.current
        try await recordAudit(
            AuditEntry(
                at: Date(), actor: actor ?? current.name, source: source ?? current.source, action: action, target: target,
                detail: detail))
    }
}
