import ArgumentParser
import CAAuthority
import CACore
import CAStore
import Foundation

struct SignSSHCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-ssh-cert", abstract: "Sign an OpenSSH user or host certificate and print it (save it as KEY-cert.pub).")

    @Option(help: "Name of the OpenSSH CA (init-ca --openssh-ca).") var ca: String
    @Option(help: "The public key file, e.g. id_ed25519.pub (- for standard input).") var publicKey: String
    @Option(help: "user or host.") var type: String
    @Option(help: "A user name or host name the certificate is valid for (repeatable).") var principal: [String] = []
    @Option(help: "Key id that sshd logs (default: the principals).") var keyId: String?
    @Option(help: "Days the certificate is valid (default: CA_DEFAULT_EXPIRES).") var expires: Int?
    @Option(help: "End of validity: ISO 8601 (2027-01-31T12:00:00Z) or YYYYMMDD[HHMM[SS]] in UTC.") var validBefore: String?
    @Option(help: "Start of validity, in the same forms (default: five minutes ago).") var validAfter: String?
    @Option(help: "force-command=CMD, source-address=CIDR,... or verify-required (repeatable; user certificates).")
    var criticalOption: [String] = []
    @Option(help: "An extension such as permit-pty (repeatable; user certificates).") var `extension`: [String] = []
    @Flag(help: "Leave out ssh-keygen's default permit-* extensions of user certificates.") var noDefaultExtensions = false
    @Option(help: "E-mail address told before the certificate expires (repeatable).") var watch: [String] = []
    @Option(help: "Password of the CA's key.") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @OptionGroup var pins: TokenPINOptions

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            let keyText = String(decoding: try InputFile.read(publicKey, what: "the public key file"), as: UTF8.self)
            var request = SSHSigningRequest(publicKey: keyText, type: try SSHCertificateType(name: type), principals: principal)
            request.keyID = keyId
            request.expiresDays = expires
            request.validBefore = try validBefore.map { try SSHValidityTime.parse($0, option: "--valid-before") }
            request.validAfter = try validAfter.map { try SSHValidityTime.parse($0, option: "--valid-after") }
            request.criticalOptions = criticalOption
            request.extensions = `extension`
            request.noDefaultExtensions = noDefaultExtensions
            request.watchers = watch
            request.password = try passwordFile.password(or: password)
            print(try await authority.signSSHCertificate(request, authority: ca).text)
        }
    }
}

struct ListSSHCerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-ssh-certs", abstract: "List OpenSSH certificates as SERIAL - type key-id (principals).")

    @Option(help: "Only this OpenSSH CA's certificates.") var ca: String?

    func run() async throws {
        try await CommandRunner.run { authority in
            var sink = OutputSink()
            let now = Date()
            for (record, ssh) in try await authority.listSSHCertificates(authority: ca) {
                sink.line("\(record.serial) - \(record.type.name) \(record.keyID) (\(record.principals.joined(separator: ","))) [\(ssh.name), \(SSHPresenter.status(record, now: now))]")
            }
            try sink.finish()
        }
    }
}

struct ViewSSHCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "view-ssh-cert", abstract: "Show an OpenSSH certificate.")

    @Argument(help: "The decimal serial ssh-keygen -L prints.") var serial: String
    @Option(help: "The OpenSSH CA, when two CAs used the serial.") var ca: String?
    @Option(help: "text, json or pub (the certificate's one-line form).") var outputFormat: String = "text"

    func run() async throws {
        try await CommandRunner.run { authority in
            let view = try await authority.sshCertificate(serial: serial, authority: ca)
            var sink = OutputSink()
            try SSHPresenter.writeCertificate(view, format: outputFormat, to: &sink)
            try sink.finish()
        }
    }
}

struct RevokeSSHCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-ssh-cert", abstract: "Revoke an OpenSSH certificate; the CA's KRL lists it at once.")

    @Argument(help: "The decimal serial ssh-keygen -L prints.") var serial: String
    @Option(help: "The OpenSSH CA, when two CAs used the serial.") var ca: String?
    @OptionGroup var revocation: RevocationOptions

    func run() async throws {
        try await CommandRunner.run { authority in
            let (reason, compromised) = try revocation.parsed()
            let record = try await authority.revokeSSHCertificate(serial: serial, authority: ca, reason: reason, compromisedAt: compromised)
            print("\(record.serial) - \(record.keyID) (revoked: \(reason.rawValue))")
        }
    }
}

struct DumpKRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-krl", abstract: "Write an OpenSSH CA's key revocation list (sshd's RevokedKeys, ssh-keygen -Q).")

    @Option(help: "Name of the OpenSSH CA.") var ca: String
    @Argument(help: "Where to write the KRL (- for standard output).") var file: String

    func run() async throws {
        try await CommandRunner.run { authority in
            let bytes = try await authority.sshRevocationList(try await authority.sshAuthority(ca))
            var sink = OutputSink(path: file == "-" ? nil : file)
            sink.bytes(bytes)
            try sink.finish()
        }
    }
}

/// How SSH CAs and certificates are shown.
enum SSHPresenter {
    static func status(_ record: SSHCertificateRecord, now: Date) -> String {
        let status = record.status(at: now).rawValue
        return record.revocation.map { "\(status) (\($0.reason.rawValue))" } ?? status
    }

    static func writeAuthority(_ record: SSHAuthorityRecord, format: OutputFormat, authority: Authority, to sink: inout OutputSink) throws {
        let publicKey = try authority.sshPublicKeyText(record)
        let storage = authority.describeKey(KeyReference(backend: record.keyBackend, location: record.keyLocation))
        switch format {
        case .text:
            sink.line("Name: \(record.name)")
            sink.line("Type: OpenSSH CA (no X.509 certificate)")
            if !record.comment.isEmpty { sink.line("Subject: \(record.comment)") }
            sink.line("Fingerprint: \(record.fingerprint)")
            sink.line("Public key: \(publicKey)")
            sink.line("Key storage: \(storage)")
            sink.line("Created: \(TimeText.iso(record.createdAt))")
        case .pem, .none:
            // A `.pub` file: what TrustedUserCAKeys and @cert-authority take.
            sink.line(publicKey)
        case .serial:
            sink.line(record.fingerprint)
        case .json:
            let object: [String: Any] = [
                "name": record.name, "type": "openssh", "fingerprint": record.fingerprint, "public_key": publicKey, "key_storage": storage,
                "subject": record.comment, "created": TimeText.iso(record.createdAt),
            ]
            sink.bytes(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])))
            sink.line("")
        case .der:
            throw CAError(.invalidInput, "an OpenSSH CA has no X.509 certificate; its public key is written with --output-format pem")
        }
    }

    static func writeCertificate(_ view: SSHCertificateView, format: String, to sink: inout OutputSink) throws {
        let record = view.record
        let certificate = view.certificate
        let validity = "from \(TimeText.iso(record.validAfter)) to " + (record.validBefore.map(TimeText.iso) ?? "forever")
        let options = certificate.options.criticalOptions.keys.sorted().map { name in
            let value = certificate.options.criticalOptions[name] ?? ""
            return value.isEmpty ? name : "\(name) \(value)"
        }
        switch format {
        case "text":
            sink.line("Serial: \(record.serial)")
            sink.line("Type: \(record.type.name) certificate (\(certificate.publicKey.certificateTypeName))")
            sink.line("Key ID: \(record.keyID)")
            sink.line("Principals: \(record.principals.joined(separator: ", "))")
            sink.line("Valid: \(validity)")
            sink.line("Status: \(status(record, now: Date()))")
            sink.line("Critical options: " + (options.isEmpty ? "none" : options.joined(separator: "; ")))
            sink.line("Extensions: " + (certificate.options.extensions.isEmpty ? "none" : certificate.options.extensions.sorted().joined(separator: ", ")))
            sink.line("Public key: \(certificate.publicKey.typeName) \(record.publicKeyFingerprint)")
            sink.line("CA: \(view.authority.name) (\(view.authority.fingerprint))")
            sink.line("Watchers: " + (view.watchers.isEmpty ? "none" : view.watchers.joined(separator: ", ")))
        case "pub":
            sink.line(certificate.text(comment: record.keyID.replacingOccurrences(of: " ", with: "_")))
        case "json":
            var object: [String: Any] = [
                "serial": String(record.serial), "type": record.type.name, "key_id": record.keyID, "principals": record.principals,
                "valid_after": TimeText.iso(record.validAfter), "valid_before": record.validBefore.map(TimeText.iso) ?? "forever",
                "critical_options": certificate.options.criticalOptions, "extensions": certificate.options.extensions.sorted(),
                "public_key_fingerprint": record.publicKeyFingerprint, "ca": view.authority.name, "ca_fingerprint": view.authority.fingerprint,
                "watchers": view.watchers, "certificate": certificate.text(), "status": status(record, now: Date()),
            ]
            object["revoked_reason"] = record.revocation?.reason.rawValue
            sink.bytes(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])))
            sink.line("")
        default:
            throw CAError(.invalidInput, "--output-format must be text, json or pub")
        }
    }
}
