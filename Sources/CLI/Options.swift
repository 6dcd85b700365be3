import ArgumentParser
import CAAuthority
import CACore

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, pem, der, json, serial, none
}

/// django-ca's `--serial-format`.
enum SerialFormat: String, ExpressibleByArgument, CaseIterable {
    case int, hex
    case dottedHex = "dotted-hex"

    func format(_ stored: String) -> String {
        switch self {
        case .int: return SerialNumberText.decimal(stored)
        case .hex: return stored
        case .dottedHex: return SerialNumberText.colonSeparated(stored)
        }
    }
}

/// The output options django-ca 3.2's view_cert and view_ca share (`add_output_certificate_arguments`).
struct CertificateOutputOptions: ParsableArguments {
    @Option(help: "Format of serial numbers (int, hex or dotted-hex) with --output-format serial or json.")
    var serialFormat: SerialFormat = .dottedHex
    @Flag(name: [.customShort("n"), .customLong("no-pem")], help: "With --output-format text, leave out the certificate in PEM.")
    var noPEM = false
    @Flag(help: "With --output-format text, leave out the extensions.") var noExtensions = false
    @Flag(help: "With --output-format text, do not wrap long lines (swift-ca never wraps; accepted as django-ca takes it).")
    var noWrap = false
    @Option(name: .customLong("json-indent"), help: "Indent JSON by this many spaces (default: one line, as django-ca).")
    var jsonIndent: Int?

    func validate() throws {
        if let jsonIndent, jsonIndent < 0 { throw ValidationError("--json-indent must be 0 or more") }
    }

    var presentation: Presentation.Output {
        Presentation.Output(serialFormat: serialFormat, pem: !noPEM, extensions: !noExtensions, jsonIndent: jsonIndent)
    }
}

/// `--sign-*`: what a CA adds to the certificates it signs. django-ca 1.x's `--ocsp-url`, `--issuer-url`
/// and `--crl-url` are aliases.
struct SignTemplateOptions: ParsableArguments {
    @Option(name: [.customLong("sign-ocsp-responder"), .customLong("ocsp-url")], help: "OCSP responder (AIA) in signed certificates.")
    var ocspResponders: [String] = []
    @Option(name: [.customLong("sign-ca-issuer"), .customLong("issuer-url")], help: "CA issuer URL (AIA) in signed certificates.")
    var caIssuers: [String] = []
    @Option(name: [.customLong("sign-crl-full-name"), .customLong("crl-url")], help: "CRL distribution point in signed certificates.")
    var crlFullNames: [String] = []
    @Flag(name: .customLong("sign-crl-distribution-points-critical"))
    var crlCritical = false
    @Option(name: .customLong("sign-policy-identifier"), help: "Certificate policy OID (or anyPolicy) in signed certificates.")
    var policyIdentifiers: [String] = []
    @Option(name: .customLong("sign-certification-practice-statement"), help: "CPS URI; attaches to the last policy.")
    var practiceStatements: [String] = []
    @Option(name: .customLong("sign-user-notice"), help: "User notice text; attaches to the last policy.")
    var userNotices: [String] = []
    @Flag(name: .customLong("sign-certificate-policies-critical"))
    var policiesCritical = false
    @Option(name: .customLong("sign-issuer-alternative-name"), help: "Issuer alternative name in signed certificates.")
    var issuerAlternativeNames: [String] = []

    func changes() throws -> SignTemplateChanges {
        var changes = SignTemplateChanges()
        if !ocspResponders.isEmpty { changes.ocspResponders = ocspResponders }
        if !caIssuers.isEmpty { changes.caIssuers = caIssuers }
        if !crlFullNames.isEmpty { changes.crlFullNames = crlFullNames }
        if crlCritical { changes.crlDistributionPointsCritical = true }
        if let policies = try PolicyOptions.policies(policyIdentifiers, practiceStatements, userNotices) {
            changes.policies = policies
        }
        if policiesCritical { changes.certificatePoliciesCritical = true }
        if !issuerAlternativeNames.isEmpty { changes.issuerAlternativeNames = issuerAlternativeNames }
        return changes
    }
}

enum PolicyOptions {
    /// CPS URIs and user notices attach to the last policy named (django-ca's rule).
    static func policies(_ identifiers: [String], _ statements: [String], _ notices: [String]) throws -> [PolicyTemplate]? {
        guard !identifiers.isEmpty else {
            if !statements.isEmpty || !notices.isEmpty {
                throw CAError(.invalidInput, "a certification practice statement or user notice needs a policy identifier")
            }
            return nil
        }
        var policies = identifiers.map { PolicyTemplate(identifier: $0) }
        policies[policies.count - 1].practiceStatements = statements
        policies[policies.count - 1].userNotices = notices
        return policies
    }
}

/// Reads a list option that may use django-ca 1.x's `critical,` prefix (`--key-usage critical,keyCertSign`).
enum CriticalityOption {
    static func parse(_ values: [String], critical flag: Bool?, defaultCritical: Bool) -> ProfileExtension<[String]>? {
        guard !values.isEmpty else { return nil }
        let split = CriticalFlagParser.split(values)
        let critical = split.critical ? true : (flag ?? defaultCritical)
        return ProfileExtension(critical: critical, value: split.values)
    }
}

/// Extension overrides for one certificate (`sign-cert`).
struct ExtensionOverrideOptions: ParsableArguments {
    @Option(name: .customLong("key-usage"), parsing: .upToNextOption, help: "Key usage names (replaces the profile's).")
    var keyUsage: [String] = []
    @Flag(name: .customLong("key-usage-non-critical"))
    var keyUsageNonCritical = false
    @Option(name: [.customLong("extended-key-usage"), .customLong("ext-key-usage")], parsing: .upToNextOption)
    var extendedKeyUsage: [String] = []
    @Flag(name: .customLong("extended-key-usage-critical"))
    var extendedKeyUsageCritical = false
    @Option(name: .customLong("tls-feature"), parsing: .upToNextOption, help: "status_request (OCSPMustStaple), status_request_v2.")
    var tlsFeature: [String] = []
    @Flag(name: .customLong("tls-feature-critical"))
    var tlsFeatureCritical = false
    @Flag(name: .customLong("ocsp-no-check"))
    var ocspNoCheck = false
    @Flag(name: .customLong("ocsp-no-check-critical"))
    var ocspNoCheckCritical = false
    @Option(name: .customLong("ocsp-responder"), help: "OCSP responder (replaces the CA's).")
    var ocspResponders: [String] = []
    @Option(name: .customLong("ca-issuer"), help: "CA issuer URL (replaces the CA's).")
    var caIssuers: [String] = []
    @Option(name: .customLong("crl-full-name"), help: "CRL distribution point (replaces the CA's).")
    var crlFullNames: [String] = []
    @Flag(name: .customLong("crl-distribution-points-critical"))
    var crlCritical = false
    @Option(name: .customLong("policy-identifier"))
    var policyIdentifiers: [String] = []
    @Option(name: .customLong("certification-practice-statement"))
    var practiceStatements: [String] = []
    @Option(name: .customLong("user-notice"))
    var userNotices: [String] = []
    @Flag(name: .customLong("certificate-policies-critical"))
    var policiesCritical = false
    @Option(name: .customLong("issuer-alternative-name"))
    var issuerAlternativeNames: [String] = []
    @Flag(name: .customLong("subject-alternative-name-critical"))
    var alternativeNamesCritical = false
    @Option(name: .customLong("private-key-usage-period-not-before"), help: ArgumentHelp(
        "Start of the Private Key Usage Period (UTC unless an offset is given).", valueName: "YYYY-mm-ddTHH:MM:SS"))
    var privateKeyUsageNotBefore: String?
    @Option(name: .customLong("private-key-usage-period-not-after"), help: ArgumentHelp(
        "End of the Private Key Usage Period (UTC unless an offset is given).", valueName: "YYYY-mm-ddTHH:MM:SS"))
    var privateKeyUsageNotAfter: String?

    func overrides() throws -> ExtensionOverrides {
        var overrides = ExtensionOverrides()
        if privateKeyUsageNotBefore != nil || privateKeyUsageNotAfter != nil {
            let period = PrivateKeyUsagePeriod(
                notBefore: try privateKeyUsageNotBefore.map { try TimeText.parse($0, option: "--private-key-usage-period-not-before") },
                notAfter: try privateKeyUsageNotAfter.map { try TimeText.parse($0, option: "--private-key-usage-period-not-after") })
            try period.validate()
            overrides.privateKeyUsagePeriod = period
        }
        overrides.keyUsage = CriticalityOption.parse(keyUsage, critical: keyUsageNonCritical ? false : nil, defaultCritical: true)
        overrides.extendedKeyUsage = CriticalityOption.parse(
            extendedKeyUsage, critical: extendedKeyUsageCritical ? true : nil, defaultCritical: false)
        overrides.tlsFeature = CriticalityOption.parse(tlsFeature, critical: tlsFeatureCritical ? true : nil, defaultCritical: false)
        if ocspNoCheck || ocspNoCheckCritical {
            overrides.ocspNoCheck = ProfileExtension(critical: ocspNoCheckCritical, value: true)
        }
        if !ocspResponders.isEmpty { overrides.ocspResponders = ocspResponders }
        if !caIssuers.isEmpty { overrides.caIssuers = caIssuers }
        if !crlFullNames.isEmpty { overrides.crlFullNames = crlFullNames }
        if crlCritical { overrides.crlDistributionPointsCritical = true }
        overrides.policies = try PolicyOptions.policies(policyIdentifiers, practiceStatements, userNotices)
        if policiesCritical { overrides.certificatePoliciesCritical = true }
        if !issuerAlternativeNames.isEmpty { overrides.issuerAlternativeNames = issuerAlternativeNames }
        overrides.subjectAlternativeNamesCritical = alternativeNamesCritical
        return overrides
    }
}

/// django-ca's PIN options of an HSM key backend, for every command that uses or makes a CA key. django-ca prefixes
/// them with the backend's alias; swift-ca's options are fixed at build time, so `--hsm-…` applies to every HSM
/// alias of CA_KEY_BACKENDS for this run, in place of the PINs there.
struct TokenPINOptions: ParsableArguments {
    @Option(help: ArgumentHelp("User PIN of the token (HSM key backends; default: user_pin in CA_KEY_BACKENDS).", valueName: "pin"))
    var hsmUserPin: String?
    @Option(help: ArgumentHelp("Read the user PIN from this file (kept out of process lists and shell history).", valueName: "file"))
    var hsmUserPinFile: String?
    @Option(help: ArgumentHelp(
        "Security officer PIN of the token, used when no user PIN is given (most tokens let only the user sign).", valueName: "pin"))
    var hsmSoPin: String?
    @Option(help: ArgumentHelp("Read the security officer PIN from this file.", valueName: "file"))
    var hsmSoPinFile: String?

    func apply(to settings: inout Settings) throws {
        let userPIN = try SecretFile.choose(
            value: hsmUserPin, file: hsmUserPinFile, option: "--hsm-user-pin", fileOption: "--hsm-user-pin-file")
        let soPIN = try SecretFile.choose(value: hsmSoPin, file: hsmSoPinFile, option: "--hsm-so-pin", fileOption: "--hsm-so-pin-file")
        guard userPIN != nil || soPIN != nil else { return }
        for (alias, backend) in settings.keyBackends {
            guard case .hsm(let library, let token, let configuredUserPIN, let configuredSOPIN) = backend else { continue }
            settings.keyBackends[alias] = .hsm(
                libraryPath: library, token: token, userPIN: userPIN ?? (soPIN == nil ? configuredUserPIN : nil),
                soPIN: soPIN ?? configuredSOPIN)
        }
    }
}

/// `--password-file`, beside each command's `--password`: the password of a CA key (or a user) read from a file, so
/// that it stays out of process lists and shell history.
struct PasswordFileOption: ParsableArguments {
    @Option(help: ArgumentHelp("Read --password from this file (one trailing line break is ignored).", valueName: "file"))
    var passwordFile: String?

    /// The password from `--password` or from this file; nil when neither was given.
    func password(or option: String?) throws -> String? {
        try SecretFile.choose(value: option, file: passwordFile, option: "--password", fileOption: "--password-file")
    }
}
