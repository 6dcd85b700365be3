import Foundation
import X509

/// Reads a certificate in PEM or DER form.
public enum CertificateReader {
    public static func parse(_ bytes: [UInt8], what: String) throws -> Certificate {
        do {
            if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") {
                return try Certificate(pemEncoded: text)
            }
            return try Certificate(derEncoded: bytes)
        } catch {
            throw CAError(.invalidInput, "\(what) is not an X.509 certificate in PEM or DER form")
        }
    }
}
