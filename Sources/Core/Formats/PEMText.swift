import Foundation

/// PEM text (RFC 7468): the label lines around the DER in base64, 64 characters a line, no newline after
/// the last line, the same text swift-asn1's `PEMDocument.pemString` gives.
///
/// Written here because `pemString` measures its lines with String index arithmetic, which cost more than the
/// signature when the API answered with a certificate and its chain; Foundation's base64 does it in one pass.
public enum PEMText {
    public static func encode(type: String, der: [UInt8]) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(type)-----\n" + (body.isEmpty ? "" : body + "\n") + "-----END \(type)-----"
    }
}
