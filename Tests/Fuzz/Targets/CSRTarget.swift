import CACore
import X509

/// A CSR as the command line, the REST API and the web form read it (`CSRReader`: PEM or DER, signature
/// checked), and as ACME finalization and the sign page then read its subject and requested names.
enum CSRTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard let parsed = try? CSRReader.parse(bytes) else { return }
        _ = KeyAlgorithm(publicKey: parsed.publicKey)
        guard let request = try? CertificateSigningRequest(derEncoded: parsed.der) else { return }
        _ = SubjectFormatter.format(request.subject)
        let names = try? request.attributes.extensionRequest?.extensions.subjectAlternativeNames
        _ = names?.map(GeneralNameFormatter.format)
    }
}
