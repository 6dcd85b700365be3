import Foundation
import SwiftASN1

// RFC 5280 §5.1 and §5.3 (one element of TBSCertList.revokedCertificates):
//
// revokedCertificates     SEQUENCE OF SEQUENCE  {
//      userCertificate         CertificateSerialNumber,
//      revocationDate          Time,
//      crlEntryExtensions      Extensions OPTIONAL
//                               -- if present, version MUST be v2
//                           }  OPTIONAL,
//
// CertificateSerialNumber  ::=  INTEGER
//
// id-ce-cRLReasons OBJECT IDENTIFIER ::= { id-ce 21 }
//
// CRLReason ::= ENUMERATED {
//      unspecified             (0),
//      keyCompromise           (1),
//      cACompromise            (2),
//      affiliationChanged      (3),
//      superseded              (4),
//      cessationOfOperation    (5),
//      certificateHold         (6),
//           -- value 7 is not used
//      removeFromCRL           (8),
//      privilegeWithdrawn      (9),
//      aACompromise           (10) }
//
// id-ce-invalidityDate OBJECT IDENTIFIER ::= { id-ce 24 }
//
// InvalidityDate ::=  GeneralizedTime

/// One revoked certificate as a CRL lists it.
public struct RevokedEntry: Sendable, Hashable {
    /// The certificate's serial number as stored: big-endian magnitude bytes. Leading zero bytes are allowed
    /// and dropped when encoding.
    public var serialNumber: [UInt8]
    /// When the certificate was revoked (the CRL entry's revocationDate).
    public var revokedAt: Date
    /// Why the certificate was revoked. `unspecified` is written as no reason code at all.
    public var reason: RevocationReason
    /// When the key is known or suspected to have been compromised, if that is earlier than ``revokedAt``.
    public var invalidityDate: Date?

    /// An entry; without a reason the certificate is listed as revoked for no stated reason.
    public init(
        serialNumber: [UInt8], revokedAt: Date, reason: RevocationReason = .unspecified, invalidityDate: Date? = nil
    ) {
        self.serialNumber = serialNumber
        self.revokedAt = revokedAt
        self.reason = reason
        self.invalidityDate = invalidityDate
    }
}

/// The DER of CRL entries. Entries are encoded one at a time by ``CRLBuilder`` and never kept as values,
/// so everything that is the same for all entries is encoded once here.
struct RevokedEntryEncoder: Sendable {
    /// The complete reasonCode extension for each reason, indexed by ``RevocationReason/value``; `nil` where
    /// no extension is written (unspecified, and the unused value 7).
    private let reasonCodeExtensions: [[UInt8]?]
    /// `extnID` of the invalidityDate extension, ready to be followed by its value.
    private let invalidityDateIdentifier: [UInt8]

    /// 2.5.29.21
    static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]
    /// 2.5.29.24
    static let invalidityDateOID: ASN1ObjectIdentifier = [2, 5, 29, 24]

    init() throws {
        let reasonIdentifier = try CertificateBlueprint.encode(Self.reasonCodeOID)
        var reasonExtensions = [[UInt8]?](repeating: nil, count: 11)
        // RFC 5280 §5.3.1: "the reason code CRL entry extension SHOULD be absent instead of using the
        // unspecified (0) reasonCode value", so unspecified stays nil.
        for reason in RevocationReason.allCases where reason != .unspecified {
            let enumerated = DERBytes.tagged(0x0A, [UInt8(reason.value)])
            reasonExtensions[reason.value] = DERBytes.tagged(0x30, reasonIdentifier + DERBytes.tagged(0x04, enumerated))
        }
        reasonCodeExtensions = reasonExtensions
        invalidityDateIdentifier = try CertificateBlueprint.encode(Self.invalidityDateOID)
    }

    /// The last revocation date encoded and its DER: revocations come in bursts within the same second,
    /// and a million of them should not each format a date.
    private var lastRevocationSeconds: Int64?
    private var lastRevocationTime: [UInt8] = []

    /// Appends the DER of one `SEQUENCE { userCertificate, revocationDate, crlEntryExtensions }` to `buffer`,
    /// writing headers straight into it: this runs once per revoked certificate.
    mutating func append(_ entry: RevokedEntry, to buffer: inout [UInt8]) throws {
        let serial = try Self.integerContent(magnitude: entry.serialNumber)
        let seconds = Int64(entry.revokedAt.timeIntervalSince1970.rounded(.down))
        if seconds != lastRevocationSeconds {
            lastRevocationTime = DERTime.encode(entry.revokedAt)
            lastRevocationSeconds = seconds
        }
        let reasonCode = reasonCodeExtensions[entry.reason.value]
        var invalidityExtension: [UInt8] = []
        if let invalidityDate = entry.invalidityDate {
            // RFC 5280 §5.3.2: InvalidityDate is a GeneralizedTime whatever the year, unlike Time.
            let value = try CertificateBlueprint.encode(try ASN1Dates.generalizedTime(invalidityDate))
            invalidityExtension = DERBytes.tagged(0x30, invalidityDateIdentifier + DERBytes.tagged(0x04, value))
        }
        let extensionsLength = (reasonCode?.count ?? 0) + invalidityExtension.count
        var contentLength = Self.headerLength(serial.count) + serial.count + lastRevocationTime.count
        if extensionsLength > 0 { contentLength += Self.headerLength(extensionsLength) + extensionsLength }
        Self.appendHeader(tag: 0x30, length: contentLength, to: &buffer)
        Self.appendHeader(tag: 0x02, length: serial.count, to: &buffer)
        buffer += serial
        buffer += lastRevocationTime
        if extensionsLength > 0 {
            Self.appendHeader(tag: 0x30, length: extensionsLength, to: &buffer)
            if let reasonCode { buffer += reasonCode }
            buffer += invalidityExtension
        }
    }

    /// Appends one entry whose serial is given as the hex digits swift-ca stores, decoding them straight into
    /// `buffer`: the path of CRLs built from the database, which must not allocate per certificate.
    mutating func append(
        hexSerial digits: UnsafeBufferPointer<UInt8>, revokedAtSeconds: Int64, reason: RevocationReason,
        invalidityDateSeconds: Int64?, to buffer: inout [UInt8]
    ) throws {
        var first = 0
        while first < digits.count, digits[first] == 0x30 { first += 1 }  // leading "0" digits
        let significant = digits.count - first
        var byteCount = (significant + 1) / 2
        guard !digits.isEmpty else { throw CAError(.invalidInput, "a revoked certificate needs a serial number") }
        // The first byte's high nibble is the first digit when the count is even; a set high bit needs a 0x00 in front.
        let leadingNibble = significant == 0 ? 0 : Hex.digitValue(digits[first])
        let needsZero = significant == 0 || (significant % 2 == 0 && leadingNibble >= 8)
        if needsZero { byteCount += 1 }
        if revokedAtSeconds != lastRevocationSeconds {
            lastRevocationTime = DERTime.encode(Date(timeIntervalSince1970: TimeInterval(revokedAtSeconds)))
            lastRevocationSeconds = revokedAtSeconds
        }
        let reasonCode = reasonCodeExtensions[reason.value]
        var invalidityExtension: [UInt8] = []
        if let invalidityDateSeconds {
            let date = Date(timeIntervalSince1970: TimeInterval(invalidityDateSeconds))
            let value = try CertificateBlueprint.encode(try ASN1Dates.generalizedTime(date))
            invalidityExtension = DERBytes.tagged(0x30, invalidityDateIdentifier + DERBytes.tagged(0x04, value))
        }
        let extensionsLength = (reasonCode?.count ?? 0) + invalidityExtension.count
        var contentLength = Self.headerLength(byteCount) + byteCount + lastRevocationTime.count
        if extensionsLength > 0 { contentLength += Self.headerLength(extensionsLength) + extensionsLength }
        Self.appendHeader(tag: 0x30, length: contentLength, to: &buffer)
        Self.appendHeader(tag: 0x02, length: byteCount, to: &buffer)
        if needsZero { buffer.append(0) }
        var index = first
        if significant % 2 == 1 {
            buffer.append(leadingNibble)
            index += 1
        }
        var invalid = leadingNibble > 15
        while index < digits.count {
            let high = Hex.digitValue(digits[index])
            let low = Hex.digitValue(digits[index + 1])
            invalid = invalid || high > 15 || low > 15
            buffer.append(high << 4 | (low & 0x0F))
            index += 2
        }
        guard !invalid else {
            throw CAError(.storage, "a stored serial is not hexadecimal: \(String(decoding: digits, as: UTF8.self))")
        }
        buffer += lastRevocationTime
        if extensionsLength > 0 {
            Self.appendHeader(tag: 0x30, length: extensionsLength, to: &buffer)
            if let reasonCode { buffer += reasonCode }
            buffer += invalidityExtension
        }
    }

    /// Tag and length octets' size for content of `length` octets.
    static func headerLength(_ length: Int) -> Int {
        var size = 2
        var remaining = length
        if remaining >= 0x80 {
            while remaining > 0 {
                size += 1
                remaining >>= 8
            }
        }
        return size
    }

    static func appendHeader(tag: UInt8, length: Int, to buffer: inout [UInt8]) {
        buffer.append(tag)
        guard length >= 0x80 else {
            buffer.append(UInt8(length))
            return
        }
        var octets: [UInt8] = []
        var remaining = length
        while remaining > 0 {
            octets.append(UInt8(remaining & 0xFF))
            remaining >>= 8
        }
        buffer.append(0x80 | UInt8(octets.count))
        buffer += octets.reversed()
    }

    /// The content octets of a positive INTEGER whose magnitude is `bytes` (big-endian). DER wants the
    /// shortest form: no leading zero byte unless the next byte has its high bit set, which would otherwise
    /// make the number negative.
    static func integerContent(magnitude bytes: [UInt8]) throws -> [UInt8] {
        guard !bytes.isEmpty else {
            throw CAError(.invalidInput, "a revoked certificate needs a serial number")
        }
        let significant = bytes.drop { $0 == 0 }
        guard let first = significant.first else { return [0x00] }
        return first & 0x80 == 0 ? Array(significant) : [0x00] + significant
    }
}
