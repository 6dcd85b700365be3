import Foundation
import SwiftASN1
import X509

// RFC 5280 §5.1:
//
// CertificateList  ::=  SEQUENCE  {
//      tbsCertList          TBSCertList,
//      signatureAlgorithm   AlgorithmIdentifier,
//      signatureValue       BIT STRING  }
//
// TBSCertList  ::=  SEQUENCE  {
//      version                 Version OPTIONAL,
//                                   -- if present, MUST be v2
//      signature               AlgorithmIdentifier,
//      issuer                  Name,
//      thisUpdate              Time,
//      nextUpdate              Time OPTIONAL,
//      revokedCertificates     SEQUENCE OF SEQUENCE  { ... }  OPTIONAL,   -- see RevokedEntry.swift
//      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL
//                                   -- if present, version MUST be v2
//                           }
//
// RFC 5280 §5.2.1 (Authority Key Identifier, as for certificates) and §5.2.3:
//
// id-ce-cRLNumber OBJECT IDENTIFIER ::= { id-ce 20 }
//
// CRLNumber ::= INTEGER (0..MAX)

/// Builds and signs an X.509 v2 CRL (RFC 5280 §5) one entry at a time.
///
/// Each appended entry is encoded at once into a byte buffer, so a CRL of a million entries costs the
/// memory of its DER and nothing more; callers can stream entries straight from a database cursor.
///
/// ```swift
/// var builder = try CRLBuilder(issuer: issuer, options: CRLOptions(thisUpdate: now, nextUpdate: tomorrow, number: 7))
/// for row in revokedRows { try builder.append(row.entry) }
/// let pem = CRLBuilder.pem(try builder.finish())
/// ```
///
/// The builder does not check that serial numbers are unique: that would mean keeping them all.
public struct CRLBuilder: Sendable {
    private let issuer: Issuer
    private let signatureAlgorithm: Certificate.SignatureAlgorithm
    private let algorithmIdentifier: [UInt8]
    /// version, signature, issuer, thisUpdate and nextUpdate: the fields before revokedCertificates.
    private let leadingFields: [UInt8]
    /// The complete `[0] EXPLICIT Extensions`.
    private let crlExtensions: [UInt8]
    private let coveredReasons: ReasonFlags?
    private var entryEncoder: RevokedEntryEncoder
    /// The concatenated DER of the entries, after `reservedPrefix` bytes left free for the headers and the
    /// leading fields, which are written in front of the entries at the end: the CRL is assembled in this one
    /// buffer, so a CRL over a million certificates exists once in memory, never twice.
    private var encodedEntries: [UInt8]
    private let reservedPrefix: Int
    /// The largest DER header this builder writes: tag, 0x84 and four length octets.
    private static let maximumHeaderLength = 6

    /// How many entries have been appended.
    public private(set) var entryCount = 0

    /// `INTEGER 1`: v2, required because the CRL has extensions.
    private static let version: [UInt8] = [0x02, 0x01, 0x01]
    /// 2.5.29.20
    static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]

    /// Prepares a CRL signed by `issuer`.
    ///
    /// - Throws: `CAError(.invalidInput)` for inconsistent options (negative number, `nextUpdate` before
    ///   `thisUpdate`, empty reasons) or a hash the CA key cannot sign with.
    public init(issuer: Issuer, options: CRLOptions) throws {
        try options.validate()
        self.issuer = issuer
        signatureAlgorithm = try SignatureHash.signatureAlgorithm(for: issuer.keyAlgorithm, hash: options.hash)
        algorithmIdentifier = try CertificateBlueprint.encodeAlgorithmIdentifier(signatureAlgorithm)
        leadingFields =
            Self.version + algorithmIdentifier + (try CertificateBlueprint.encode(issuer.name))
            + DERTime.encode(options.thisUpdate) + DERTime.encode(options.nextUpdate)
        coveredReasons = options.onlySomeReasons
        entryEncoder = try RevokedEntryEncoder()
        // CertificateList header, TBSCertList header, leading fields, revokedCertificates header.
        reservedPrefix = 3 * Self.maximumHeaderLength + leadingFields.count
        encodedEntries = Array(repeating: 0, count: reservedPrefix)

        var extensions = try CertificateBlueprint.encode(
            try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: issuer.keyIdentifier), critical: false))
        let number = Certificate.Extension(
            oid: Self.crlNumberOID, critical: false, value: try CertificateBlueprint.encode(options.number)[...])
        extensions += try CertificateBlueprint.encode(number)
        if let point = options.issuingDistributionPoint {
            extensions += try CertificateBlueprint.encode(try Certificate.Extension(point, critical: true))
        }
        if let baseNumber = options.baseNumber {
            extensions += try CertificateBlueprint.encode(
                try DeltaCRLIndicator(baseNumber: baseNumber).makeCertificateExtension())
        }
        if let freshest = options.freshestCRL {
            extensions += try CertificateBlueprint.encode(
                try Certificate.Extension(FreshestCRL([DistributionPoint(fullName: freshest)]), critical: false))
        }
        crlExtensions = DERBytes.tagged(0xA0, DERBytes.tagged(0x30, extensions))
    }

    /// Encodes one revoked certificate into the CRL.
    ///
    /// A `removeFromCRL` entry is written as given, as `openssl ca` and django-ca write it, although RFC 5280
    /// §5.3.1 means that reason for delta CRLs; OpenSSL then treats the certificate as not revoked. Callers who
    /// want none leave such entries out.
    ///
    /// - Throws: `CAError(.invalidInput)` for an empty serial number or for a reason outside the options'
    ///   `onlySomeReasons` (`unspecified` and `removeFromCRL` are outside any such list).
    public mutating func append(_ entry: RevokedEntry) throws {
        if coveredReasons != nil { try checkCovered(entry.reason, serial: SerialNumberText.hex(bytes: entry.serialNumber)) }
        try entryEncoder.append(entry, to: &encodedEntries)
        entryCount += 1
    }

    /// Encodes one revoked certificate whose serial is given as stored, in hex digits, without allocating: the path
    /// of CRLs streamed from the database.
    ///
    /// - Throws: `CAError(.invalidInput)` for an empty serial or a reason outside the options' `onlySomeReasons`;
    ///   `CAError(.storage)` for digits that are not hex.
    public mutating func append(
        hexSerial: UnsafeBufferPointer<UInt8>, revokedAtSeconds: Int64, reason: RevocationReason, invalidityDateSeconds: Int64?
    ) throws {
        if coveredReasons != nil { try checkCovered(reason, serial: String(decoding: hexSerial, as: UTF8.self)) }
        try entryEncoder.append(
            hexSerial: hexSerial, revokedAtSeconds: revokedAtSeconds, reason: reason, invalidityDateSeconds: invalidityDateSeconds,
            to: &encodedEntries)
        entryCount += 1
    }

    private func checkCovered(_ reason: RevocationReason, serial: String) throws {
        guard let coveredReasons else { return }
        guard let flag = reason.reasonFlag, coveredReasons.contains(flag) else {
            let covered = coveredReasons.names.joined(separator: ", ")
            throw CAError(
                .invalidInput,
                "certificate \(serial) was revoked for \(reason.rawValue), which this CRL does not cover (\(covered))")
        }
    }

    /// Signs the CRL.
    ///
    /// - Returns: The DER CertificateList.
    /// - Throws: `CAError(.keyAccess)` if the CA key cannot sign.
    ///
    /// The builder hands its buffer to the result: call `finish` once, and append nothing afterwards.
    public mutating func finish() throws -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &encodedEntries)
        let entriesLength = buffer.count - reservedPrefix
        // RFC 5280 §5.1.2.6: with no revoked certificates the list is absent, not an empty SEQUENCE.
        let entriesHeader = entriesLength == 0 ? [] : Self.header(tag: 0x30, length: entriesLength)
        buffer += crlExtensions
        let tbsHeader = Self.header(
            tag: 0x30, length: leadingFields.count + entriesHeader.count + entriesLength + crlExtensions.count)
        let tbsPrefix = tbsHeader + leadingFields + entriesHeader
        let tbsStart = reservedPrefix - tbsPrefix.count
        buffer.replaceSubrange(tbsStart..<reservedPrefix, with: tbsPrefix)

        let signature: Certificate.Signature
        do {
            signature = try issuer.key.sign(bytes: buffer[tbsStart...], signatureAlgorithm: signatureAlgorithm)
        } catch {
            throw CAError(.keyAccess, "the CA key could not sign the CRL: \(error)")
        }
        // BIT STRING with no unused bits.
        buffer += algorithmIdentifier
        buffer += DERBytes.tagged(0x03, [0x00] + signature.rawRepresentation)
        let outerHeader = Self.header(tag: 0x30, length: buffer.count - tbsStart)
        let start = tbsStart - outerHeader.count
        buffer.replaceSubrange(start..<tbsStart, with: outerHeader)
        // Moves the bytes down in place rather than copying them into a new array.
        buffer.removeFirst(start)
        return buffer
    }

    /// The CRL in PEM, as `openssl crl` and web servers expect it.
    public static func pem(_ der: [UInt8]) -> String {
        PEMText.encode(type: "X509 CRL", der: der) + "\n"
    }

    /// The identifier and length octets of a DER element whose content is appended separately.
    private static func header(tag: UInt8, length: Int) -> [UInt8] {
        guard length >= 0x80 else { return [tag, UInt8(length)] }
        var lengthBytes: [UInt8] = []
        var remaining = length
        while remaining > 0 {
            lengthBytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        }
        return [tag, 0x80 | UInt8(lengthBytes.count)] + lengthBytes
    }
}

extension RevocationReason {
    /// The ReasonFlags bit for this reason; `nil` for the reasons no distribution point can be limited to.
    fileprivate var reasonFlag: ReasonFlags? {
        switch self {
        case .unspecified, .removeFromCRL: return nil
        case .keyCompromise: return .keyCompromise
        case .caCompromise: return .cACompromise
        case .affiliationChanged: return .affiliationChanged
        case .superseded: return .superseded
        case .cessationOfOperation: return .cessationOfOperation
        case .certificateHold: return .certificateHold
        case .privilegeWithdrawn: return .privilegeWithdrawn
        case .aaCompromise: return .aACompromise
        }
    }
}
