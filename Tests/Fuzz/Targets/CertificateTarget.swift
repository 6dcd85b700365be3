import CACore
import X509

/// An imported certificate (`import-ca`, `import-cert`, django-ca migration): read by `CertificateReader`, then
/// described as `view-cert` and the web interface show it, which walks every extension.
enum CertificateTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard let certificate = try? CertificateReader.parse(bytes, what: "the fuzzed certificate") else { return }
        _ = try? CertificateDetails(certificate)
        _ = ExtensionDescriber.describe(certificate.extensions)
    }
}
