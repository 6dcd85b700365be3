import ArgumentParser
import CAAuthority
import CACore
import CAStore
import Foundation

struct InitCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-ca", abstract: "Create a root CA, or an intermediate CA with --parent.", aliases: ["init_ca"])

    @Argument(help: "A unique name for the CA.") var name: String
    @Argument(help: "The subject, e.g. \"CN=Example Root CA,O=Example\" or /C=AT/CN=Example (optional with --openssh-ca).")
    var subject: String?
    @Flag(help: "Make an OpenSSH CA: it signs SSH user and host certificates (sign-ssh-cert); it has no parent and no X.509 certificate.")
    var opensshCa = false

    @Option(help: "RSA, EC or Ed25519 (default: CA_DEFAULT_PRIVATE_KEY_TYPE).") var keyType: String?
    @Option(help: "RSA key size in bits (default: CA_DEFAULT_KEY_SIZE).") var keySize: Int?
    @Option(help: "secp256r1, secp384r1 or secp521r1 (default: CA_DEFAULT_ELLIPTIC_CURVE).") var ellipticCurve: String?
    @Option(help: "Signature hash: SHA-256, SHA-384, SHA-512 (default: the parent's, or matched to the key).") var algorithm: String?
    @Option(help: "Validity in days (default 3650, capped at the parent's expiry).") var expires: Int?
    @Option(help: "Serial, CN or name of the parent CA; makes an intermediate.") var parent: String?
    @Option(help: "Password of the parent CA's key.") var parentPassword: String?
    @Option(name: [.customLong("path-length"), .customLong("pathlen")], help: "BasicConstraints path length (default 0).")
    var pathLength: Int?
    @Flag(name: [.customLong("no-path-length"), .customLong("no-pathlen")], help: "No path length limit.")
    var noPathLength = false
    @Option(help: "Encrypt the new key with this password (empty: prompt).") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @Option(help: "Alias from CA_KEY_BACKENDS where the new key lives (default: the key directory; an HSM alias keeps it in the token).")
    var keyBackend: String?
    @Option(help: "Label of the new key in the token (HSM backends; default: the CA's name).") var hsmKeyLabel: String?
    @OptionGroup var pins: TokenPINOptions
    @Option(help: "host[:port] for the CRL, OCSP and issuer URLs (default: CA_DEFAULT_HOSTNAME).") var defaultHostname: String?
    @Flag(help: "Write no default URLs even if CA_DEFAULT_HOSTNAME is set.") var noDefaultHostname = false
    @Option(help: "Name constraint: a permitted subtree (DNS:example.com, IP:10.0.0.0/8, ...).") var permitName: [String] = []
    @Option(help: "Name constraint: an excluded subtree.") var excludeName: [String] = []
    @Option(help: "django-ca 1.x form: permitted,DNS:example.com or excluded,DNS:example.com.") var nameConstraint: [String] = []
    @Option(name: [.customLong("ocsp-responder"), .customLong("ca-ocsp-url")], help: "OCSP responder in this CA's certificate (intermediates).")
    var ocspResponders: [String] = []
    @Option(name: [.customLong("ca-issuer"), .customLong("ca-issuer-url")], help: "CA issuer URL in this CA's certificate (intermediates).")
    var caIssuers: [String] = []
    @Option(name: [.customLong("crl-full-name"), .customLong("ca-crl-url")], help: "CRL distribution point in this CA's certificate (intermediates).")
    var crlFullNames: [String] = []
    @Flag(name: .customLong("crl-distribution-points-critical")) var crlCritical = false
    @Option(name: .customLong("key-usage"), parsing: .upToNextOption, help: "Replaces the default keyCertSign cRLSign.")
    var keyUsage: [String] = []
    @Flag(name: .customLong("key-usage-non-critical")) var keyUsageNonCritical = false
    @Option(name: [.customLong("extended-key-usage"), .customLong("ext-key-usage")], parsing: .upToNextOption)
    var extendedKeyUsage: [String] = []
    @Flag(name: .customLong("extended-key-usage-critical")) var extendedKeyUsageCritical = false
    @Option(name: .customLong("policy-identifier")) var policyIdentifiers: [String] = []
    @Option(name: .customLong("certification-practice-statement")) var practiceStatements: [String] = []
    @Option(name: .customLong("user-notice")) var userNotices: [String] = []
    @Flag(name: .customLong("certificate-policies-critical")) var policiesCritical = false
    @Option(name: .customLong("issuer-alternative-name")) var issuerAlternativeNames: [String] = []
    @Option(name: [.customLong("subject-alternative-name"), .customLong("name")]) var subjectAlternativeNames: [String] = []
    @Flag(name: .customLong("subject-alternative-name-critical")) var subjectAlternativeNamesCritical = false
    @Option(name: .customLong("tls-feature"), parsing: .upToNextOption) var tlsFeature: [String] = []
    @Flag(name: .customLong("tls-feature-critical")) var tlsFeatureCritical = false
    @Option(help: "Inhibit anyPolicy skipCerts.") var inhibitAnyPolicy: Int?
    @Option(help: "Policy constraints requireExplicitPolicy.") var requireExplicitPolicy: Int?
    @Option(help: "Policy constraints inhibitPolicyMapping.") var inhibitPolicyMapping: Int?
    @Option(help: "CA website (ACME directory meta).") var website: String?
    @Option(help: "Terms of service URL (ACME directory meta).") var tos: String?
    @Option(help: "CAA identity (ACME directory meta).") var caa: String?
    @OptionGroup var acme: ACMEOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var sign: SignTemplateOptions
    @OptionGroup var ocsp: OCSPResponderOptions
    @OptionGroup var crls: RevocationListLayoutOptions
    @Option(help: "text, pem, der, json, serial or none (default serial).") var outputFormat: OutputFormat = .serial
    @Flag(name: [.short, .long], help: "With pem: the whole chain up to the root.") var bundle = false
    @OptionGroup var output: CertificateOutputOptions

    func run() async throws {
        if opensshCa {
            try await createSSHAuthority()
            return
        }
        try await CommandRunner.run(tokenPINs: pins) { authority in
            guard let subject else { throw CAError(.invalidInput, "give the CA's subject, e.g. \"CN=Example Root CA\" (only an OpenSSH CA may go without)") }
            var request = AuthorityCreationRequest(
                name: name, subject: subject, keyAlgorithm: try KeyOptions.algorithm(
                    type: keyType, size: keySize, curve: ellipticCurve, settings: authority.settings))
            request.parent = parent
            request.parentPassword = parentPassword
            request.hash = try algorithm.map(SignatureHash.init(name:))
            request.expiresDays = expires
            if noPathLength && pathLength != nil {
                throw CAError(.invalidInput, "give either --path-length or --no-path-length, not both")
            }
            request.pathLength = noPathLength ? nil : (pathLength ?? 0)
            request.keyBackendAlias = keyBackend
            request.keyLabel = hsmKeyLabel
            // A key in a token is protected by the token's PIN, not by a password of its own.
            let inKeyDirectory = keyBackend.map { $0 == "default" } ?? true
            request.password = inKeyDirectory ? try TerminalPrompt.newKeyPassword(try passwordFile.password(or: password)) : nil
            request.defaultHostname = noDefaultHostname ? "" : defaultHostname
            request.permittedNames = permitName
            request.excludedNames = excludeName
            for constraint in nameConstraint {
                let parts = constraint.split(separator: ",", maxSplits: 1).map(String.init)
                guard parts.count == 2, ["permitted", "excluded"].contains(parts[0].lowercased()) else {
                    throw CAError(.invalidInput, "--name-constraint \"\(constraint)\" must be permitted,NAME or excluded,NAME")
                }
                if parts[0].lowercased() == "permitted" { request.permittedNames.append(parts[1]) }
                else { request.excludedNames.append(parts[1]) }
            }
            if !ocspResponders.isEmpty { request.ocspResponders = ocspResponders }
            if !caIssuers.isEmpty { request.caIssuers = caIssuers }
            if !crlFullNames.isEmpty { request.crlFullNames = crlFullNames }
            request.crlDistributionPointsCritical = crlCritical
            request.keyUsage = CriticalityOption.parse(keyUsage, critical: keyUsageNonCritical ? false : nil, defaultCritical: true)
            request.extendedKeyUsage = CriticalityOption.parse(
                extendedKeyUsage, critical: extendedKeyUsageCritical ? true : nil, defaultCritical: false)
            request.policies = try PolicyOptions.policies(policyIdentifiers, practiceStatements, userNotices) ?? []
            request.certificatePoliciesCritical = policiesCritical
            request.issuerAlternativeNames = issuerAlternativeNames
            request.subjectAlternativeNames = subjectAlternativeNames
            request.subjectAlternativeNamesCritical = subjectAlternativeNamesCritical
            request.tlsFeature = CriticalityOption.parse(tlsFeature, critical: tlsFeatureCritical ? true : nil, defaultCritical: false)
            request.inhibitAnyPolicy = inhibitAnyPolicy
            request.requireExplicitPolicy = requireExplicitPolicy
            request.inhibitPolicyMapping = inhibitPolicyMapping
            request.signTemplateChanges = try sign.changes()
            request.website = website
            request.termsOfService = tos
            request.caaIdentity = caa
            request.acme = try acme.changes()
            request.apiEnabled = try api.enabled() ?? false
            request.ocspResponderKeyValidityDays = ocsp.responderKeyValidityDays
            request.ocspResponseValiditySeconds = ocsp.responseValiditySeconds
            request.ocspKeyBackend = ocsp.ocspKeyBackend
            request.ocspEnabled = try ocsp.enabled()
            request.revocationListLayout = try crls.changes()
            let record = try await authority.createAuthority(request)
            var sink = OutputSink()
            try await AuthorityPresenter.write(
                record, format: outputFormat, bundle: bundle, output: output.presentation, authority: authority, to: &sink)
            try sink.finish()
        }
    }

    /// `--openssh-ca`: only a key and a name; the X.509 options make no sense for it and are refused.
    private func createSSHAuthority() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            guard parent == nil else { throw CAError(.invalidInput, "an OpenSSH CA has no parent; leave out --parent") }
            // Ed25519 unless a type is named or implied by --key-size or --elliptic-curve.
            let type = keyType ?? (ellipticCurve != nil ? "EC" : (keySize != nil ? "RSA" : "Ed25519"))
            let algorithm = try KeyOptions.algorithm(type: type, size: keySize, curve: ellipticCurve, settings: authority.settings)
            var request = SSHAuthorityCreationRequest(name: name, comment: subject, keyAlgorithm: algorithm)
            request.keyBackendAlias = keyBackend
            request.keyLabel = hsmKeyLabel
            request.apiEnabled = try api.enabled() ?? false
            let inKeyDirectory = keyBackend.map { $0 == "default" } ?? true
            request.password = inKeyDirectory ? try TerminalPrompt.newKeyPassword(try passwordFile.password(or: password)) : nil
            let record = try await authority.createSSHAuthority(request)
            print(try authority.sshPublicKeyText(record))
        }
    }
}

enum KeyOptions {
    static func algorithm(type: String?, size: Int?, curve: String?, settings: Settings) throws -> KeyAlgorithm {
        let name = (type ?? settings.defaultPrivateKeyType).lowercased()
        switch name {
        case "rsa":
            let bits = size ?? settings.defaultKeySize
            guard bits >= 1024, bits & (bits - 1) == 0 || bits % 1024 == 0 else {
                throw CAError(.invalidInput, "--key-size \(bits) is not a valid RSA key size")
            }
            return .rsa(bits: bits)
        case "ec", "ecc":
            if size != nil { throw CAError(.invalidInput, "--key-size applies to RSA keys only") }
            guard let curveName = curve else { return .ec(settings.defaultEllipticCurve) }
            guard let chosen = EllipticCurve(name: curveName) else {
                throw CAError(.invalidInput, "unsupported elliptic curve \"\(curveName)\"; use secp256r1, secp384r1 or secp521r1")
            }
            return .ec(chosen)
        case "ed25519":
            if size != nil || curve != nil {
                throw CAError(.invalidInput, "Ed25519 keys take neither --key-size nor --elliptic-curve")
            }
            return .ed25519
        default:
            throw CAError(.invalidInput, "unsupported key type \"\(type ?? name)\"; use RSA, EC or Ed25519")
        }
    }
}

struct EditCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit-ca", abstract: "Change a CA's name, templates for signed certificates, or status.", aliases: ["edit_ca"])

    @Argument(help: "Serial, CN or name of the CA.") var ca: String
    @Option(help: "New name.") var name: String?
    @Flag(help: "Enable the CA.") var enable = false
    @Flag(help: "Disable the CA: it signs nothing until enabled again.") var disable = false
    @Option var website: String?
    @Option var tos: String?
    @Option var caa: String?
    @OptionGroup var acme: ACMEOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var sign: SignTemplateOptions
    @OptionGroup var ocsp: OCSPResponderOptions
    @OptionGroup var crls: RevocationListLayoutOptions

    func run() async throws {
        try await CommandRunner.run { authority in
            if let ssh = try? await authority.sshAuthority(ca) {
                // An OpenSSH CA has one setting: whether the REST API may use it.
                guard let enabled = try api.enabled() else {
                    throw CAError(.invalidInput, "an OpenSSH CA has one setting to edit: --api-enable or --api-disable")
                }
                let record = try await authority.setSSHAuthorityAPIEnabled(ssh.name, enabled: enabled)
                print("\(record.fingerprint) - \(record.name) (REST API \(enabled ? "enabled" : "disabled"))")
                return
            }
            if enable && disable { throw CAError(.invalidInput, "give either --enable or --disable, not both") }
            let record = try await authority.editAuthority(
                ca, name: name, enabled: enable ? true : (disable ? false : nil), signTemplateChanges: try sign.changes(),
                website: website, termsOfService: tos, caaIdentity: caa, acmeChanges: try acme.changes(),
                apiEnabled: try api.enabled(), ocspResponderKeyValidityDays: ocsp.responderKeyValidityDays,
                ocspResponseValiditySeconds: ocsp.responseValiditySeconds, ocspKeyBackend: ocsp.ocspKeyBackend,
                ocspEnabled: try ocsp.enabled(), revocationListLayout: try crls.changes())
            print("\(SerialNumberText.colonSeparated(record.serial)) - \(record.name)\(record.enabled ? "" : " (disabled)")")
        }
    }

}

/// `--crl-shards` and `--crl-deltas` of `init-ca` and `edit-ca`.
struct RevocationListLayoutOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Partition the CRL of end-entity certificates into N shards: each certificate issued from now on names its shard's "
            + "URL and is listed on that shard's CRL (and on the complete CRLs). 0 for none. Never fewer than the CA has "
            + "issued into.", valueName: "N"))
    var crlShards: Int?
    @Flag(help: "Publish delta CRLs next to the complete CRLs, which then name them in a Freshest CRL extension.")
    var crlDeltas = false
    @Flag(help: "Stop publishing delta CRLs.") var noCrlDeltas = false

    func changes() throws -> RevocationListLayoutChanges {
        RevocationListLayoutChanges(shards: crlShards, deltas: try ACMEOptions.choice(crlDeltas, noCrlDeltas, "--crl-deltas", "--no-crl-deltas"))
    }
}

/// django-ca 3.2's per-CA OCSP options of `init-ca`, `edit-ca` and `import-ca`.
struct OCSPResponderOptions: ParsableArguments {
    @Flag(help: "Answer OCSP for this CA and name its responder in new certificates (the default).") var ocsp = false
    @Flag(help: "No OCSP for this CA: new certificates name no responder, and the server answers unauthorized for it.")
    var noOcsp = false

    func enabled() throws -> Bool? {
        try ACMEOptions.choice(ocsp, noOcsp, "--ocsp", "--no-ocsp")
    }

    @Option(help: ArgumentHelp(
        "Alias from CA_OCSP_KEY_BACKENDS where this CA's OCSP responder keys are made (default: the key directory; an HSM alias "
            + "keeps them in the token). A change applies from the next generate-ocsp-keys.", valueName: "alias"))
    var ocspKeyBackend: String?
    @Option(name: .customLong("ocsp-responder-key-validity"), help: ArgumentHelp(
        "Days the OCSP responder certificates the server makes for this CA are valid (default: CA_OCSP_RESPONDER_KEY_VALIDITY).",
        valueName: "days"))
    var responderKeyValidityDays: Int?
    @Option(name: .customLong("ocsp-response-validity"), help: ArgumentHelp(
        "Seconds this CA's OCSP responses are valid (default: CA_OCSP_RESPONSE_VALIDITY, 86400).", valueName: "seconds"))
    var responseValiditySeconds: Int?
}

/// `--api-enable` / `--api-disable` of `init-ca` and `edit-ca` (django-ca's names).
struct APIOptions: ParsableArguments {
    @Flag(help: "Let the REST API see and use this CA (users still need a role that allows the action).")
    var apiEnable = false
    @Flag(help: "Hide this CA from the REST API (the default).") var apiDisable = false

    func enabled() throws -> Bool? {
        try ACMEOptions.choice(apiEnable, apiDisable, "--api-enable", "--api-disable")
    }
}

/// The ACME options of `init-ca` and `edit-ca` (django-ca's names).
struct ACMEOptions: ParsableArguments {
    @Flag(help: "Answer ACME requests (RFC 8555) for this CA.") var acmeEnable = false
    @Flag(help: "Stop answering ACME requests.") var acmeDisable = false
    @Flag(help: "Let new ACME accounts register (the default).") var acmeEnableAccountRegistration = false
    @Flag(help: "Refuse new ACME accounts; existing ones keep working.") var acmeDisableAccountRegistration = false
    @Flag(help: "ACME accounts need no contact (the default).") var acmeContactOptional = false
    @Flag(help: "ACME accounts must give a contact.") var acmeContactRequired = false
    @Option(help: "Profile of certificates issued through ACME (default: CA_DEFAULT_PROFILE).") var acmeProfile: String?
    @Flag(help: "New ACME accounts must bind a key made with `acme-eab create` (RFC 8555 §7.3.4).")
    var acmeRequireExternalAccount = false
    @Flag(help: "New ACME accounts need no external account binding (the default).")
    var acmeNoExternalAccount = false

    func changes() throws -> ACMEConfigurationChanges {
        var changes = ACMEConfigurationChanges()
        changes.enabled = try Self.choice(acmeEnable, acmeDisable, "--acme-enable", "--acme-disable")
        changes.registrationEnabled = try Self.choice(
            acmeEnableAccountRegistration, acmeDisableAccountRegistration, "--acme-enable-account-registration",
            "--acme-disable-account-registration")
        changes.contactRequired = try Self.choice(
            acmeContactRequired, acmeContactOptional, "--acme-contact-required", "--acme-contact-optional")
        changes.profile = acmeProfile
        changes.externalAccountRequired = try Self.choice(
            acmeRequireExternalAccount, acmeNoExternalAccount, "--acme-require-external-account", "--acme-no-external-account")
        return changes
    }

    /// A pair of opposite flags: true, false, or nil when neither was given.
    static func choice(_ yes: Bool, _ no: Bool, _ yesName: String, _ noName: String) throws -> Bool? {
        if yes && no { throw CAError(.invalidInput, "give either \(yesName) or \(noName), not both") }
        return yes ? true : (no ? false : nil)
    }
}

struct ImportCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-ca", abstract: "Import an existing CA from its key and certificate.", aliases: ["import_ca"])

    @Argument(help: "A unique name for the CA.") var name: String
    @Argument(help: "The private key file (PEM or DER, optionally encrypted).") var key: String
    @Argument(help: "The CA certificate file (PEM or DER).") var certificate: String
    @Option(help: "Password of the key file being imported.") var importPassword: String?
    @Option(help: ArgumentHelp("Read --import-password from this file.", valueName: "file")) var importPasswordFile: String?
    @Option(help: "Encrypt the stored key with this password.") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @Option(help: "Serial, CN or name of the parent CA (found automatically when omitted).") var parent: String?
    @Option(help: "Alias from CA_KEY_BACKENDS to put the key into (an HSM alias moves it into the token).") var keyBackend: String?
    @Option(help: "Label of the key in the token (HSM backends; default: the CA's name).") var hsmKeyLabel: String?
    @OptionGroup var pins: TokenPINOptions
    @OptionGroup var sign: SignTemplateOptions
    @OptionGroup var ocsp: OCSPResponderOptions

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            let inKeyDirectory = keyBackend.map { $0 == "default" } ?? true
            let record = try await authority.importAuthority(
                name: name, keyBytes: try InputFile.read(key, what: "the key file"),
                certificateBytes: try InputFile.read(certificate, what: "the certificate file"),
                importPassword: try SecretFile.choose(
                    value: importPassword, file: importPasswordFile, option: "--import-password", fileOption: "--import-password-file"),
                password: inKeyDirectory ? try TerminalPrompt.newKeyPassword(try passwordFile.password(or: password)) : nil, parent: parent,
                signTemplateChanges: try sign.changes(), ocspResponderKeyValidityDays: ocsp.responderKeyValidityDays,
                ocspResponseValiditySeconds: ocsp.responseValiditySeconds, keyBackendAlias: keyBackend, keyLabel: hsmKeyLabel,
                ocspKeyBackend: ocsp.ocspKeyBackend)
            print(SerialNumberText.colonSeparated(record.serial))
        }
    }
}

struct ListCAs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-cas", abstract: "List CAs as SERIAL - name.", aliases: ["list_cas"])

    @Flag(name: [.short, .long], help: "Show the hierarchy.") var tree = false

    func run() async throws {
        try await CommandRunner.run { authority in
            let all = try await authority.authorities()
            var sink = OutputSink()
            func line(_ record: AuthorityRecord) -> String {
                "\(SerialNumberText.colonSeparated(record.serial)) - \(record.name)\(record.enabled ? "" : " (disabled)")"
            }
            if tree {
                let serials = Set(all.map(\.serial))
                func walk(_ children: [AuthorityRecord], indent: String, top: Bool) {
                    for (index, child) in children.enumerated() {
                        let last = index == children.count - 1
                        sink.line(top ? line(child) : indent + (last ? "└───" : "├───") + line(child))
                        let grandchildren = all.filter { $0.parentSerial == child.serial }
                        walk(grandchildren, indent: top ? "" : indent + (last ? "    " : "│   "), top: false)
                    }
                }
                walk(all.filter { $0.parentSerial.map { !serials.contains($0) } ?? true }, indent: "", top: true)
            } else {
                for record in all { sink.line(line(record)) }
            }
            for record in try await authority.sshAuthorities() { sink.line("\(record.fingerprint) - \(record.name) (OpenSSH CA)") }
            try sink.finish()
        }
    }
}

/// view-ca and dump-ca differ only in their default output format.
struct AuthorityViewOptions: ParsableArguments {
    @Argument(help: "Serial, CN or name of the CA.") var ca: String
    @Option(help: "text, pem, der, json or serial.") var outputFormat: OutputFormat?
    @Flag(name: [.short, .long], help: "With pem: the whole chain up to the root.") var bundle = false
    @Option(help: "Write to this file instead of standard output.") var out: String?
    @OptionGroup var output: CertificateOutputOptions

    func run(defaultFormat: OutputFormat) async throws {
        try await CommandRunner.run { authority in
            if let ssh = try? await authority.sshAuthority(ca) {
                var sink = OutputSink(path: out)
                try SSHPresenter.writeAuthority(ssh, format: outputFormat ?? defaultFormat, authority: authority, to: &sink)
                try sink.finish()
                return
            }
            let record = try await authority.resolveAuthority(ca)
            var sink = OutputSink(path: out)
            try await AuthorityPresenter.write(
                record, format: outputFormat ?? defaultFormat, bundle: bundle, output: output.presentation, authority: authority, to: &sink)
            try sink.finish()
        }
    }
}

struct ViewCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "view-ca", abstract: "Show a CA.", aliases: ["view_ca"])
    @OptionGroup var options: AuthorityViewOptions
    func run() async throws { try await options.run(defaultFormat: .text) }
}

struct DumpCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-ca", abstract: "Write a CA certificate (PEM by default).", aliases: ["dump_ca"])
    @OptionGroup var options: AuthorityViewOptions
    func run() async throws { try await options.run(defaultFormat: .pem) }
}
