import CACore
import X509

/// The certificate a server presents to the tls-alpn-01 validator (RFC 8737): anyone who asks for a certificate
/// picks the server, so its certificate is outside input. Checked for a DNS and an IP identifier.
enum TLSALPNCertificateTarget {
    /// The key authorization of the seeds' acmeIdentifier extension, so that mutations of them reach its comparison.
    static let keyAuthorization = "fuzzing-token.fuzzing-thumbprint"
    private static let checks = [
        TLSALPNChallengeCertificateCheck(identifier: .dnsName("www.example.com"), keyAuthorization: keyAuthorization),
        TLSALPNChallengeCertificateCheck(identifier: .ipAddress([192, 0, 2, 1]), keyAuthorization: keyAuthorization),
    ]

    @Sendable static func run(_ bytes: [UInt8]) {
        guard let certificate = try? Certificate(derEncoded: bytes) else { return }
        for check in checks {
            try? check.verify(certificate)
        }
    }
}
