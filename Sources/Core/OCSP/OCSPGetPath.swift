import Foundation

/// The request of an OCSP GET (RFC 6960 appendix A.1): the URL encoding of the base64 encoding of the DER
/// `OCSPRequest`, appended to the responder's URL.
///
/// Clients differ: some leave `/` and `+` unescaped, some send base64url, some drop the `=` padding, and a `+`
/// may arrive as a space. All of those are read.
package enum OCSPGetPath {
    /// The DER request, or nil when the text is not base64 once unescaped.
    package static func requestBytes(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, var decoded = text.removingPercentEncoding else { return nil }
        decoded = decoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        decoded = decoded.replacingOccurrences(of: " ", with: "+")
        while decoded.utf8.count % 4 != 0 { decoded += "=" }
        return Data(base64Encoded: decoded).map { [UInt8]($0) }
    }
}
