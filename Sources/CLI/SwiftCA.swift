import ArgumentParser

@main
struct SwiftCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-ca",
        abstract: "A certificate authority: create CAs, sign and revoke certificates.",
        discussion: """
            Settings come from $SWIFT_CA_SETTINGS (or <CA_DIR>/settings.json) and the environment; \
            run `swift-ca settings` to see them. Every command also answers to django-ca's name (init_ca, sign_cert, ...).
            """,
        version: "0.1.0",
        subcommands: [
            InitCA.self, EditCA.self, ImportCA.self, ListCAs.self, ViewCA.self, DumpCA.self,
            SignCert.self, ResignCert.self, ImportCert.self, ListCerts.self, ViewCert.self, DumpCert.self,
            RevokeCert.self, CertWatchers.self, NotifyExpiringCerts.self, RevokeCA.self, DumpCRL.self, DumpOCSPIndex.self, GenerateCRLs.self,
            GenerateOCSPKeys.self, GenerateOCSPResponses.self, ACMECleanupCommand.self, ACMEExternalAccountCommand.self, Serve.self, SettingsCommand.self, InitDemo.self, Benchmark.self,
        ]
    )
}
