import CACore
import CAStore
import Foundation
import X509

/// What the responder knows of one CA: how requests name it, and who signs for it.
struct ResponderIdentity: Sendable {
    let authoritySerial: String
    let authorityCertificate: Certificate
    /// issuerNameHash and issuerKeyHash of the CA for each CertID hash algorithm.
    let issuerHashes: [OCSPHashAlgorithm: (nameHash: [UInt8], keyHash: [UInt8])]
    /// nil when the CA has no current responder certificate (run generate-ocsp-keys).
    let signer: OCSPResponseSigner?
    let responderNotAfter: Date?
    /// The CA's own response validity (edit-ca --ocsp-response-validity), if it has one.
    let responseValidity: TimeInterval?

    init(authority: AuthorityRecord, credentials: ResponderCredentials?) throws {
        authoritySerial = authority.serial
        responseValidity = try authority.configurationValue().ocspResponseValiditySeconds.map(TimeInterval.init)
        authorityCertificate = try authority.certificate()
        var hashes: [OCSPHashAlgorithm: (nameHash: [UInt8], keyHash: [UInt8])] = [:]
        for algorithm in OCSPHashAlgorithm.allCases {
            hashes[algorithm] = try OCSPCertID.issuerHashes(of: authorityCertificate, algorithm: algorithm)
        }
        issuerHashes = hashes
        if let credentials {
            signer = try OCSPResponseSigner(responderCertificate: credentials.certificate, key: credentials.key)
            responderNotAfter = credentials.record.notAfter
        } else {
            signer = nil
            responderNotAfter = nil
        }
    }

    /// Whether a CertID names this CA as the issuer.
    func isIssuer(of certID: OCSPCertID) -> Bool {
        guard let hashes = issuerHashes[certID.hashAlgorithm] else { return false }
        return hashes.nameHash == certID.issuerNameHash && hashes.keyHash == certID.issuerKeyHash
    }

    /// The CertID that swift-ca pre-signs responses for: SHA-1, as RFC 5019 clients and OpenSSL send it.
    func canonicalCertID(serial: String) throws -> OCSPCertID {
        try OCSPCertID(issuer: authorityCertificate, serialNumber: SerialNumberBytes.serialNumber(hex: serial), hashAlgorithm: .sha1)
    }
}

enum SerialNumberBytes {
    /// The serial of a stored hex serial, with the leading zero octet DER needs when the top bit is set.
    static func serialNumber(hex: String) -> Certificate.SerialNumber {
        var bytes = Authority.serialBytes(hex)
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] >= 0x80 { bytes.insert(0, at: 0) }
        return Certificate.SerialNumber(bytes: bytes)
    }
}
