import SwiftASN1
import X509

/// The subject alternative names of a certificate as one lower-case text (`dns:www.example.com ip:10.0.0.1`),
/// stored with each certificate so that the web interface and the API can search by SAN without parsing DER.
public enum CertificateSearchText {
    public static func alternativeNames(_ names: [GeneralName]) -> String {
        names.map { GeneralNameFormatter.format($0).lowercased() }.joined(separator: " ")
    }

    /// Empty when the certificate has no SAN or cannot be parsed.
    public static func alternativeNames(ofDER der: [UInt8]) -> String {
        guard let certificate = try? Certificate(derEncoded: der),
            let names = try? certificate.extensions.subjectAlternativeNames
        else { return "" }
        return alternativeNames(Array(names))
    }
}
