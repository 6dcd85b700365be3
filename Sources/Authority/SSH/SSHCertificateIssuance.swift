import CACore
import CAStore
import Foundation
import X509

/// What `sign-ssh-cert` (and the API and web form) ask for.
public struct SSHSigningRequest: Sendable {
    /// The subject's public key in OpenSSH's one-line form (an `id_ed25519.pub`).
    public var publicKey: String
    public var type: SSHCertificateType
    public var principals: [String]
    /// nil: the principals, comma-separated.
    public var keyID: String?
    /// nil: a few minutes ago, against clock skew.
    public var validAfter: Date?
    /// nil: `expiresDays` after validAfter.
    public var validBefore: Date?
    /// nil: CA_DEFAULT_EXPIRES.
    public var expiresDays: Int?
    /// `force-command=CMD`, `source-address=CIDR,…`, `verify-required`.
    public var criticalOptions: [String] = []
    public var extensions: [String] = []
    /// No permit-* extensions on a user certificate unless named in `extensions`.
    public var noDefaultExtensions = false
    public var watchers: [String] = []
    public var password: String?

    public init(publicKey: String, type: SSHCertificateType, principals: [String]) {
        self.publicKey = publicKey
        self.type = type
        self.principals = principals
    }
}

/// A certificate just signed and stored.
public struct IssuedSSHCertificate: Sendable {
    public let record: SSHCertificateRecord
    public let certificate: SSHCertificate
    public let authority: SSHAuthorityRecord

    /// The one-line form, ready to be saved as `id_ed25519-cert.pub`.
    public var text: String { certificate.text(comment: record.keyID.isEmpty ? nil : record.keyID.replacingOccurrences(of: " ", with: "_")) }
}

extension Authority {
    /// Signs an OpenSSH certificate with the CA, stores it with its watchers and an audit entry in one transaction,
    /// and only then returns it. Nothing is stored when any part of the request is refused.
    public func signSSHCertificate(_ request: SSHSigningRequest, authority identifier: String, now: Date = Date()) async throws
        -> IssuedSSHCertificate
    {
        let authority = try await sshAuthority(identifier)
        let publicKey = try SSHPublicKey(text: request.publicKey)
        try publicKey.algorithm.checkStrength(minimumRSABits: settings.minimumKeySize, what: "the public key")
        let principals = try Self.checkedPrincipals(request.principals, type: request.type)
        let validAfter = request.validAfter ?? now.addingTimeInterval(-Validity.backdating)
        let validBefore: Date
        if let given = request.validBefore {
            guard request.expiresDays == nil else { throw CAError(.invalidInput, "give either --expires or --valid-before, not both") }
            validBefore = given
        } else {
            let days = request.expiresDays ?? settings.defaultExpiresDays
            guard days > 0 else { throw CAError(.invalidInput, "--expires must be at least 1 day") }
            validBefore = validAfter.addingTimeInterval(TimeInterval(days) * 86_400)
        }
        guard validBefore > validAfter else {
            throw CAError(.invalidInput, "the validity ends (\(TimeText.iso(validBefore))) before it starts (\(TimeText.iso(validAfter)))")
        }
        var options = SSHCertificateOptions()
        if request.type == .host {
            guard request.criticalOptions.isEmpty, request.extensions.isEmpty else {
                throw CAError(.invalidInput, "host certificates have no critical options or extensions in OpenSSH")
            }
        } else {
            for option in request.criticalOptions { try options.addCriticalOption(option) }
            for name in request.extensions { try options.addExtension(name) }
            if !request.noDefaultExtensions {
                for name in SSHCertificateOptions.defaultUserExtensions { try options.addExtension(name) }
            }
        }
        let watchers = try request.watchers.map(Self.emailAddress)
        let keyID = request.keyID ?? principals.joined(separator: ",")
        guard !keyID.unicodeScalars.contains(where: { $0.value < 0x20 }) else { throw CAError(.invalidInput, "the key id holds a control character") }

        let signer = try sshSigner(for: authority, password: request.password)
        let caKey = try SSHPublicKey(blob: authority.publicKey)
        guard (try? SSHPublicKey(signer.publicKey))?.blob == caKey.blob else {
            throw CAError(.keyAccess, "the key stored for OpenSSH CA \"\(authority.name)\" is not the CA's key")
        }
        for _ in 0..<5 {
            // Serials are random below 2^63, so that every database stores them as plain integers.
            var certificate = SSHCertificate(
                publicKey: publicKey, serial: UInt64.random(in: 1...UInt64(Int64.max)), type: request.type, keyID: keyID,
                principals: principals, validAfter: Self.sshTime(validAfter), validBefore: Self.sshTime(validBefore), options: options,
                caKey: caKey)
            try certificate.sign(with: signer)
            let record = SSHCertificateRecord(
                authorityFingerprint: authority.fingerprint, serial: certificate.serial, type: request.type, keyID: keyID,
                principals: principals, validAfter: Date(timeIntervalSince1970: TimeInterval(certificate.validAfter)),
                validBefore: Date(timeIntervalSince1970: TimeInterval(certificate.validBefore)), publicKeyFingerprint: publicKey.fingerprint,
                certificate: certificate.blob, revocation: nil, createdAt: now)
            let stored = try await store.write { transaction in
                guard try await transaction.insertSSHCertificate(record) else { return false }
                for watcher in watchers { try await transaction.addSSHWatcher(watcher, authority: authority.fingerprint, serial: record.serial) }
                try await transaction.audit(
                    "sign-ssh-cert", target: "\(authority.name):\(record.serial)",
                    detail: "\(request.type.name) certificate, key id \(keyID), principals \(principals.joined(separator: ",")), key \(publicKey.fingerprint)")
                return true
            }
            if stored { return IssuedSSHCertificate(record: record, certificate: certificate, authority: authority) }
        }
        throw CAError(.storage, "no free serial was found for OpenSSH CA \"\(authority.name)\"")
    }

    static func sshTime(_ date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970.rounded(.down)))
    }

    /// Principals become a comma-separated list in sshd's logs and in `AuthorizedPrincipalsFile` matching, so a comma
    /// or a control character would change what they say; host certificates name hosts.
    static func checkedPrincipals(_ principals: [String], type: SSHCertificateType) throws -> [String] {
        guard !principals.isEmpty else {
            throw CAError(.invalidInput, "give at least one --principal (a certificate without principals is valid for every user or host)")
        }
        for principal in principals {
            guard !principal.isEmpty, !principal.contains(","), !principal.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw CAError(.invalidInput, "the principal \"\(principal.debugDescription.dropFirst().dropLast())\" is empty or holds a comma or a control character")
            }
            if type == .host, !isHostPrincipal(principal) {
                throw CAError(.invalidInput, "the host principal \"\(principal)\" is not a host name (such as server.example.com or *.example.com) or an IP address")
            }
        }
        return principals
    }

    static func isHostPrincipal(_ text: String) -> Bool {
        if (try? GeneralNameParser.parse("IP:" + text)) != nil { return true }
        let name = text.hasPrefix("*.") ? String(text.dropFirst(2)) : text
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && name.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
