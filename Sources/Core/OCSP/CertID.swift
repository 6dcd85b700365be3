import SwiftASN1
import X509

// RFC 6960 §4.1.1:
//
// CertID          ::=     SEQUENCE {
//     hashAlgorithm       AlgorithmIdentifier,
//     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
//     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
//     serialNumber        CertificateSerialNumber }
//
// "issuerNameHash is the hash of the issuer's distinguished name (DN). The hash shall be calculated over
// the DER encoding of the issuer's name field in the certificate being checked."
// "issuerKeyHash is the hash of the issuer's public key. The hash shall be calculated over the value
// (excluding tag and length) of the subject public key field in the issuer's certificate."
//
// CertificateSerialNumber  ::=  INTEGER      (RFC 5280 §4.1)

/// Names one certificate in an OCSP request and in the response to it: the issuer by two hashes, the
/// certificate by its serial number.
///
/// Two CertIDs are equal when algorithm, hashes and serial are; ``derEncoded`` is left out because the same
/// CertID may arrive with or without NULL hash parameters.
public struct OCSPCertID: Sendable, Hashable {
    public let hashAlgorithm: OCSPHashAlgorithm
    /// The hash of the DER of the issuer's subject Name.
    public let issuerNameHash: [UInt8]
    /// The hash of the issuer's subjectPublicKey bits.
    public let issuerKeyHash: [UInt8]
    /// The content octets of the serialNumber INTEGER as they appear in the DER: big-endian, with a leading
    /// 0x00 where the first byte has its high bit set (unlike ``Certificate/SerialNumber/bytes``).
    /// `SerialNumberText.hex(bytes:)` turns them into the stored form, which drops that zero.
    public let serialNumber: [UInt8]
    /// The CertID exactly as received (or as built), because RFC 6960 §4.2.1 clients compare the response's
    /// CertID to their request's, and some compare the bytes.
    public let derEncoded: [UInt8]

    /// The CertID of the certificate with `serialNumber` issued by `issuer`, as a client would send it.
    public init(issuer: Certificate, serialNumber: Certificate.SerialNumber, hashAlgorithm: OCSPHashAlgorithm = .sha1)
        throws
    {
        let hashes = try Self.issuerHashes(of: issuer, algorithm: hashAlgorithm)
        self.hashAlgorithm = hashAlgorithm
        issuerNameHash = hashes.nameHash
        issuerKeyHash = hashes.keyHash
        // swift-certificates keeps the magnitude only; the INTEGER needs its sign octet back.
        self.serialNumber = try RevokedEntryEncoder.integerContent(
            magnitude: serialNumber.bytes.isEmpty ? [0x00] : Array(serialNumber.bytes))
        derEncoded = DERBytes.tagged(
            0x30,
            try hashAlgorithm.encodedAlgorithmIdentifier() + DERBytes.tagged(0x04, issuerNameHash)
                + DERBytes.tagged(0x04, issuerKeyHash) + DERBytes.tagged(0x02, self.serialNumber))
    }

    /// The CertID of `certificate`, which `issuer` signed.
    public init(certificate: Certificate, issuer: Certificate, hashAlgorithm: OCSPHashAlgorithm = .sha1) throws {
        try self.init(issuer: issuer, serialNumber: certificate.serialNumber, hashAlgorithm: hashAlgorithm)
    }

    /// Reads a DER CertID.
    ///
    /// - Throws: `CAError(.invalidInput)` if it is malformed or uses an unsupported hash.
    public init(derEncoded: [UInt8]) throws {
        try self.init(node: try OCSPParsing.malformedIfFailing("CertID") { try DER.parse(derEncoded) })
    }

    /// Reads one CertID of a request, keeping its bytes.
    init(node: ASN1Node) throws {
        let fields = try OCSPParsing.malformedIfFailing("CertID") {
            try DER.sequence(node, identifier: .sequence) { nodes in
                guard let algorithmNode = nodes.next() else {
                    throw CAError(.invalidInput, "the OCSP request is malformed: a CertID is empty")
                }
                let algorithm = try OCSPHashAlgorithm(algorithmIdentifier: algorithmNode)
                let nameHash = try ASN1OctetString(derEncoded: &nodes)
                let keyHash = try ASN1OctetString(derEncoded: &nodes)
                guard let serialNode = nodes.next() else {
                    throw CAError(.invalidInput, "the OCSP request is malformed: a CertID has no serial number")
                }
                return (algorithm, nameHash.bytes, keyHash.bytes, try Self.integerContent(serialNode))
            }
        }
        let (algorithm, nameHash, keyHash, serial) = fields
        // A hash of the wrong length could never match an issuer: saying so beats answering "unknown".
        guard nameHash.count == algorithm.digestLength, keyHash.count == algorithm.digestLength else {
            throw CAError(
                .invalidInput,
                "the OCSP request is malformed: its CertID hashes are \(nameHash.count) and \(keyHash.count) octets "
                    + "long, but \(algorithm.rawValue) hashes are \(algorithm.digestLength)")
        }
        hashAlgorithm = algorithm
        issuerNameHash = Array(nameHash)
        issuerKeyHash = Array(keyHash)
        serialNumber = serial
        derEncoded = Array(node.encodedBytes)
    }

    /// The issuerNameHash and issuerKeyHash that name `issuer`. A responder computes them once per CA and
    /// algorithm and compares them to every request's.
    ///
    /// - Throws: `CAError(.invalidInput)` if the certificate's subject or key cannot be found in its DER,
    ///   which for a parsed `Certificate` does not happen.
    public static func issuerHashes(
        of issuer: Certificate, algorithm: OCSPHashAlgorithm
    ) throws -> (nameHash: [UInt8], keyHash: [UInt8]) {
        let fields = try HashedCertificateFields(issuer)
        return (algorithm.hash(fields.subject), algorithm.hash(fields.subjectPublicKey))
    }

    public static func == (lhs: OCSPCertID, rhs: OCSPCertID) -> Bool {
        lhs.hashAlgorithm == rhs.hashAlgorithm && lhs.serialNumber == rhs.serialNumber
            && lhs.issuerNameHash == rhs.issuerNameHash && lhs.issuerKeyHash == rhs.issuerKeyHash
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hashAlgorithm)
        hasher.combine(issuerNameHash)
        hasher.combine(issuerKeyHash)
        hasher.combine(serialNumber)
    }

    /// The content octets of a DER INTEGER. They are kept as they are, negative serials included (some old
    /// CAs issued those), but must be minimal, as DER requires.
    private static func integerContent(_ node: ASN1Node) throws -> [UInt8] {
        guard node.identifier == .integer, case .primitive(let content) = node.content, let first = content.first
        else {
            throw CAError(.invalidInput, "the OCSP request is malformed: a CertID's serial number is not an INTEGER")
        }
        if content.count > 1 {
            let second = content[content.index(after: content.startIndex)]
            if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw CAError(
                    .invalidInput, "the OCSP request is malformed: a CertID's serial number is not minimally encoded")
            }
        }
        return Array(content)
    }
}

/// The DER of the two TBSCertificate fields OCSP hashes, taken from the certificate's own bytes so that
/// the hashes match what any client computes, whatever swift-certificates would re-encode.
struct HashedCertificateFields {
    /// The complete subject Name.
    let subject: ArraySlice<UInt8>
    /// The subjectPublicKey BIT STRING's bits, without tag, length and unused-bits octet.
    let subjectPublicKey: ArraySlice<UInt8>

    // TBSCertificate  ::=  SEQUENCE  { version [0] EXPLICIT Version DEFAULT v1, serialNumber, signature,
    //      issuer, validity, subject, subjectPublicKeyInfo, ... }
    // SubjectPublicKeyInfo  ::=  SEQUENCE  { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
    init(_ certificate: Certificate) throws {
        do {
            let tbs = try DER.parse(certificate.tbsCertificateBytes)
            (subject, subjectPublicKey) = try DER.sequence(tbs, identifier: .sequence) { nodes in
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
                // serialNumber, signature, issuer, validity
                for _ in 0..<4 { _ = nodes.next() }
                guard let subject = nodes.next(), let keyInfo = nodes.next() else {
                    throw CAError(.invalidInput, "the certificate \(certificate.subject) has no subject public key")
                }
                while nodes.next() != nil {}
                let key = try DER.sequence(keyInfo, identifier: .sequence) { keyNodes in
                    _ = keyNodes.next()
                    return try ASN1BitString(derEncoded: &keyNodes).bytes
                }
                return (subject.encodedBytes, key)
            }
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.invalidInput, "cannot read the subject and key of the certificate \(certificate.subject)")
        }
    }
}
