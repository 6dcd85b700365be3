/// One parser entry point under fuzzing: a name for the command line and a function that feeds it bytes.
///
/// The function throws the parser's result away. Errors are the expected outcome for almost every input;
/// only a trap, a sanitizer report or an input that takes too long counts as a finding.
public struct FuzzTarget: Sendable {
    /// Short kebab-case name, also the folder of its corpus and regressions.
    public let name: String
    /// libFuzzer's `-max_len`: long enough for every valid input the parser sees in production.
    public let maximumInputLength: Int
    public let run: @Sendable ([UInt8]) -> Void

    public init(_ name: String, maximumInputLength: Int, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.maximumInputLength = maximumInputLength
        self.run = run
    }
}

/// Every target, in the order `scripts/fuzz` runs them.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        FuzzTarget("ocsp-request", maximumInputLength: 16_384, run: OCSPRequestTarget.run),
        FuzzTarget("csr", maximumInputLength: 65_536, run: CSRTarget.run),
        FuzzTarget("certificate", maximumInputLength: 65_536, run: CertificateTarget.run),
        FuzzTarget("pem", maximumInputLength: 65_536, run: PEMTarget.run),
        FuzzTarget("pkcs8", maximumInputLength: 16_384, run: PrivateKeyTarget.runUnencrypted),
        FuzzTarget("pkcs8-encrypted", maximumInputLength: 16_384, run: PrivateKeyTarget.runEncrypted),
        FuzzTarget("jws", maximumInputLength: 65_536, run: JWSTarget.run),
        FuzzTarget("jwk", maximumInputLength: 16_384, run: JWKTarget.run),
        FuzzTarget("eab", maximumInputLength: 16_384, run: ExternalAccountBindingTarget.run),
        FuzzTarget("subject-text", maximumInputLength: 4_096, run: SubjectTextTarget.run),
        FuzzTarget("general-name-text", maximumInputLength: 4_096, run: GeneralNameTextTarget.run),
        FuzzTarget("form-urlencoded", maximumInputLength: 65_536, run: FormTargets.runURLEncoded),
        FuzzTarget("multipart", maximumInputLength: 65_536, run: FormTargets.runMultipart),
        FuzzTarget("cookie-header", maximumInputLength: 8_192, run: FormTargets.runCookieHeader),
        FuzzTarget("authorization-header", maximumInputLength: 8_192, run: HTTPHeaderTargets.runAuthorization),
        FuzzTarget("ocsp-get-path", maximumInputLength: 32_768, run: HTTPHeaderTargets.runOCSPGetPath),
        FuzzTarget("dns-reply", maximumInputLength: 65_535, run: DNSReplyTarget.run),
        FuzzTarget("tls-alpn-certificate", maximumInputLength: 16_384, run: TLSALPNCertificateTarget.run),
        FuzzTarget("smtp-reply", maximumInputLength: 16_384, run: SMTPReplyTarget.run),
        FuzzTarget("openssh-public-key", maximumInputLength: 16_384, run: OpenSSHPublicKeyTarget.run),
        FuzzTarget("pkcs11-attributes", maximumInputLength: 4_096, run: PKCS11AttributesTarget.run),
        FuzzTarget("settings-yaml", maximumInputLength: 65_536, run: SettingsTarget.runYAML),
        FuzzTarget("settings-json", maximumInputLength: 65_536, run: SettingsTarget.runJSON),
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

extension [UInt8] {
    /// The bytes as text the way an HTTP framework hands over a header or a field: invalid UTF-8 replaced, not refused.
    var lenientText: String { String(decoding: self, as: UTF8.self) }
}
