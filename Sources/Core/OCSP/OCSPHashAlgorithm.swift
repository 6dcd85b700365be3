import Crypto
import SwiftASN1

// RFC 6960 §4.1.1 (the hashAlgorithm of a CertID is an AlgorithmIdentifier, RFC 5280 §4.1.1.2):
//
// AlgorithmIdentifier  ::=  SEQUENCE  {
//      algorithm               OBJECT IDENTIFIER,
//      parameters              ANY DEFINED BY algorithm OPTIONAL  }
//
// RFC 3279 §2.2.1 and RFC 5754 §2:
//
// id-sha1    OBJECT IDENTIFIER ::= { iso(1) identified-organization(3) oiw(14) secsig(3) algorithms(2) 26 }
// id-sha256  OBJECT IDENTIFIER ::= { joint-iso-itu-t(2) country(16) us(840) organization(1) gov(101)
//                                    csor(3) nistalgorithm(4) hashalgs(2) 1 }
// id-sha384  ... hashalgs(2) 2 }
// id-sha512  ... hashalgs(2) 3 }
//
// "the parameters field MAY be absent or NULL" (RFC 5754 §2), and implementations must accept both.

/// The hash a CertID names its issuer by. SHA-1 is what nearly every client sends (RFC 5019 §2.1.1 makes it
/// the default), so a responder has to keep answering it; the others appear with `openssl ocsp -sha256` and
/// similar.
public enum OCSPHashAlgorithm: String, Sendable, Hashable, CaseIterable {
    case sha1 = "SHA-1"
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    public var oid: ASN1ObjectIdentifier {
        switch self {
        case .sha1: return [1, 3, 14, 3, 2, 26]
        case .sha256: return [2, 16, 840, 1, 101, 3, 4, 2, 1]
        case .sha384: return [2, 16, 840, 1, 101, 3, 4, 2, 2]
        case .sha512: return [2, 16, 840, 1, 101, 3, 4, 2, 3]
        }
    }

    /// The length of a digest, which the issuer hashes of a CertID must have.
    public var digestLength: Int {
        switch self {
        case .sha1: return Insecure.SHA1.byteCount
        case .sha256: return SHA256.byteCount
        case .sha384: return SHA384.byteCount
        case .sha512: return SHA512.byteCount
        }
    }

    /// The digest of `bytes` with this algorithm.
    public func hash(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .sha1: return Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: return Array(SHA256.hash(data: bytes))
        case .sha384: return Array(SHA384.hash(data: bytes))
        case .sha512: return Array(SHA512.hash(data: bytes))
        }
    }

    /// The AlgorithmIdentifier with NULL parameters, the form openssl and most clients write.
    func encodedAlgorithmIdentifier() throws -> [UInt8] {
        DERBytes.tagged(0x30, try CertificateBlueprint.encode(oid) + [0x05, 0x00])
    }

    /// Reads a CertID's hashAlgorithm.
    ///
    /// - Throws: `CAError(.invalidInput)` for anything but SHA-1 and SHA-2 with absent or NULL parameters.
    init(algorithmIdentifier node: ASN1Node) throws {
        let oid = try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            if let parameters = nodes.next() {
                _ = try ASN1Null(derEncoded: parameters)
            }
            return oid
        }
        guard let algorithm = Self.allCases.first(where: { $0.oid == oid }) else {
            throw CAError(
                .invalidInput,
                "the OCSP request names its issuer with the unsupported hash algorithm \(oid); "
                    + "use SHA-1, SHA-256, SHA-384 or SHA-512")
        }
        self = algorithm
    }
}
