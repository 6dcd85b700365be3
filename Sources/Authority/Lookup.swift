import CACore
import CAStore
import Foundation

/// How users name CAs and certificates: a serial in any spelling (a unique prefix is enough), the
/// CommonName, or for a CA also its name.
extension Authority {
    public func authorities() async throws -> [AuthorityRecord] {
        try await store.read { try await $0.allAuthorities() }
    }

    /// The CA `identifier` names; without one, CA_DEFAULT_CA or the usable CA that expires last.
    public func resolveAuthority(_ identifier: String?, enabledOnly: Bool = false) async throws -> AuthorityRecord {
        try await store.read { try await resolveAuthority(identifier, enabledOnly: enabledOnly, in: $0) }
    }

    /// `resolveAuthority` inside a transaction the caller holds. `admitting` sees the CA found, a disabled one
    /// included, before anything else is said about it, and may refuse it with its own error.
    public func resolveAuthority(
        _ identifier: String?, enabledOnly: Bool = false, in transaction: Transaction,
        admitting: (AuthorityRecord) throws -> Void = { _ in }
    ) async throws -> AuthorityRecord {
        do {
            return try resolveAuthority(identifier, enabledOnly: enabledOnly, among: try await transaction.allAuthorities(), admitting: admitting)
        } catch let error as CAError where error.kind == .notFound {
            throw try await explainingOpenSSHCA(error, identifier: identifier, in: transaction)
        }
    }

    /// An X.509 lookup that found nothing by the name of an OpenSSH CA says what that CA is instead.
    func explainingOpenSSHCA(_ error: CAError, identifier: String?, in transaction: Transaction? = nil) async throws -> CAError {
        guard let identifier else { return error }
        let ssh: [SSHAuthorityRecord]
        if let transaction {
            ssh = try await transaction.sshAuthorities()
        } else {
            ssh = try await store.read { try await $0.sshAuthorities() }
        }
        guard let match = ssh.first(where: { $0.name == identifier }) else { return error }
        return CAError(.invalidInput, "CA \"\(match.name)\" is an OpenSSH CA: it signs SSH certificates (sign-ssh-cert), not X.509 ones")
    }

    /// `resolveAuthority` among CAs read before.
    func resolveAuthority(
        _ identifier: String?, enabledOnly: Bool, among all: [AuthorityRecord], admitting: (AuthorityRecord) throws -> Void
    ) throws -> AuthorityRecord {
        guard let identifier else {
            let found = try defaultAuthority(among: all)
            try admitting(found)
            return found
        }
        let candidates = enabledOnly ? all.filter(\.enabled) : all
        let matches = Self.match(identifier, in: candidates, serial: \.serial, names: [\.name, \.commonName])
        switch matches.count {
        case 1:
            try admitting(matches[0])
            return matches[0]
        case 0:
            if enabledOnly, let disabled = Self.match(identifier, in: all, serial: \.serial, names: [\.name, \.commonName]).first {
                try admitting(disabled)
                throw CAError(.policy, "CA \"\(disabled.name)\" is disabled")
            }
            throw CAError(.notFound, "no CA matches \"\(identifier)\"")
        default:
            let listed = matches.map { "\(SerialNumberText.colonSeparated($0.serial)) (\($0.name))" }
            throw CAError(.ambiguous, "\"\(identifier)\" matches several CAs: \(listed.joined(separator: ", "))")
        }
    }

    func defaultAuthority(among all: [AuthorityRecord]) throws -> AuthorityRecord {
        if let configured = settings.defaultCA {
            guard let serial = SerialNumberText.normalize(configured), let match = all.first(where: { $0.serial == serial })
            else { throw CAError(.notFound, "CA_DEFAULT_CA \"\(configured)\" is not a known CA") }
            return match
        }
        guard let latest = all.filter(\.isUsable).max(by: { $0.notAfter < $1.notAfter }) else {
            throw CAError(.notFound, "there is no usable CA; create one with init-ca or name one with --ca")
        }
        return latest
    }

    public func resolveCertificate(_ identifier: String) async throws -> CertificateRecord {
        try await store.read { try await resolveCertificate(identifier, in: $0) }
    }

    /// `resolveCertificate` inside a transaction the caller holds.
    public func resolveCertificate(_ identifier: String, in transaction: Transaction) async throws -> CertificateRecord {
        let prefix = SerialNumberText.normalize(identifier)
        let serials = try await transaction.certificateSerials(matchingPrefix: prefix, orCommonName: identifier)
        var matches = serials
        if let prefix, let exact = serials.first(where: { $0 == prefix }) { matches = [exact] }
        switch matches.count {
        case 1:
            guard let record = try await transaction.certificate(serial: matches[0]) else {
                throw CAError(.notFound, "no certificate matches \"\(identifier)\"")
            }
            return record
        case 0:
            throw CAError(.notFound, "no certificate matches \"\(identifier)\"")
        default:
            let listed = matches.prefix(10).map(SerialNumberText.colonSeparated).joined(separator: ", ")
            throw CAError(.ambiguous, "\"\(identifier)\" matches several certificates: \(listed)")
        }
    }

    /// Exact serial first, then a unique serial prefix together with exact name matches.
    static func match<Record>(
        _ identifier: String, in records: [Record], serial: KeyPath<Record, String>, names: [KeyPath<Record, String>]
    ) -> [Record] {
        if let normalized = SerialNumberText.normalize(identifier) {
            if let exact = records.first(where: { $0[keyPath: serial] == normalized }) { return [exact] }
        }
        var found: [Record] = []
        var seen = Set<String>()
        for record in records {
            let isPrefix = SerialNumberText.normalize(identifier).map { record[keyPath: serial].hasPrefix($0) } ?? false
            let isName = names.contains { record[keyPath: $0] == identifier }
            if (isPrefix || isName) && seen.insert(record[keyPath: serial]).inserted {
                found.append(record)
            }
        }
        return found
    }
}
