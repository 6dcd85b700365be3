import CACore
import CAStore
import Foundation

/// A stored OpenSSH certificate with its CA, for `view-ssh-cert` and the API.
public struct SSHCertificateView: Sendable {
    public let record: SSHCertificateRecord
    public let certificate: SSHCertificate
    public let authority: SSHAuthorityRecord
    public let watchers: [String]

    public init(record: SSHCertificateRecord, certificate: SSHCertificate, authority: SSHAuthorityRecord, watchers: [String]) {
        self.record = record
        self.certificate = certificate
        self.authority = authority
        self.watchers = watchers
    }
}

extension Authority {
    /// A certificate by the decimal serial `ssh-keygen -L` prints; `authority` settles a serial two CAs used.
    public func sshCertificate(serial text: String, authority identifier: String? = nil) async throws -> SSHCertificateView {
        let (record, authority) = try await resolveSSHCertificate(serial: text, authority: identifier)
        let watchers = try await store.read { try await $0.sshWatchers(authority: authority.fingerprint, serial: record.serial) }
        return SSHCertificateView(record: record, certificate: try SSHCertificate(blob: record.certificate), authority: authority, watchers: watchers)
    }

    func resolveSSHCertificate(serial text: String, authority identifier: String?) async throws -> (SSHCertificateRecord, SSHAuthorityRecord) {
        guard let serial = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw CAError(.invalidInput, "\"\(text)\" is not an SSH certificate serial (the decimal number ssh-keygen -L prints)")
        }
        let wanted = try await identifier.asyncMap { try await sshAuthority($0) }
        let authorities = try await sshAuthorities()
        let matches = try await store.read { try await $0.sshCertificates(serial: serial) }
            .filter { wanted == nil || $0.authorityFingerprint == wanted?.fingerprint }
        switch matches.count {
        case 0:
            throw CAError(.notFound, "no SSH certificate has serial \(serial)\(wanted.map { " at OpenSSH CA \"\($0.name)\"" } ?? "")")
        case 1:
            guard let authority = authorities.first(where: { $0.fingerprint == matches[0].authorityFingerprint }) else {
                throw CAError(.storage, "the CA of SSH certificate \(serial) is missing")
            }
            return (matches[0], authority)
        default:
            let names = matches.compactMap { match in authorities.first { $0.fingerprint == match.authorityFingerprint }?.name }
            throw CAError(.ambiguous, "serial \(serial) was used by OpenSSH CAs \(names.joined(separator: ", ")); give --ca NAME")
        }
    }

    public func listSSHCertificates(authority identifier: String?) async throws -> [(SSHCertificateRecord, SSHAuthorityRecord)] {
        let wanted = try await identifier.asyncMap { try await sshAuthority($0) }
        let authorities = Dictionary(try await sshAuthorities().map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        return try await store.read { try await $0.sshCertificates(authority: wanted?.fingerprint) }
            .compactMap { record in authorities[record.authorityFingerprint].map { (record, $0) } }
    }

    /// Revokes a certificate; the CA's KRL lists it from the moment this returns.
    public func revokeSSHCertificate(
        serial text: String, authority identifier: String? = nil, reason: RevocationReason = .unspecified, compromisedAt: Date? = nil,
        now: Date = Date()
    ) async throws -> SSHCertificateRecord {
        var (record, authority) = try await resolveSSHCertificate(serial: text, authority: identifier)
        guard record.revocation == nil else {
            throw CAError(.conflict, "SSH certificate \(record.serial) of \"\(authority.name)\" is already revoked")
        }
        let revocation = RevocationRecord(revokedAt: now, reason: reason, compromisedAt: compromisedAt)
        let changed = try await store.write { transaction in
            guard try await transaction.revokeSSHCertificate(authority: authority.fingerprint, serial: record.serial, revocation: revocation) else {
                return false
            }
            try await transaction.audit("revoke-ssh-cert", target: "\(authority.name):\(record.serial)", detail: "reason \(reason.rawValue)")
            return true
        }
        guard changed else { throw CAError(.conflict, "SSH certificate \(record.serial) of \"\(authority.name)\" is already revoked") }
        record.revocation = revocation
        return record
    }

    public func changeSSHWatchers(serial text: String, authority identifier: String?, add: [String], remove: [String]) async throws -> [String] {
        let (record, authority) = try await resolveSSHCertificate(serial: text, authority: identifier)
        let added = try add.map(Self.emailAddress)
        let removed = try remove.map(Self.emailAddress)
        return try await store.write { transaction in
            for email in added { try await transaction.addSSHWatcher(email, authority: authority.fingerprint, serial: record.serial) }
            for email in removed { try await transaction.removeSSHWatcher(email, authority: authority.fingerprint, serial: record.serial) }
            if !added.isEmpty || !removed.isEmpty {
                let detail = (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: " ")
                try await transaction.audit("watchers", target: "\(authority.name):\(record.serial)", detail: detail)
            }
            return try await transaction.sshWatchers(authority: authority.fingerprint, serial: record.serial)
        }
    }
}

extension Optional {
    func asyncMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped) async rethrows -> Mapped? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
