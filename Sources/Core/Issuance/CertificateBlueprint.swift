import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate with everything encoded except what differs per certificate: serial number, validity,
/// public key and the key identifier derived from it. RFC 5280 §4.1:
///
/// ```
/// Certificate  ::=  SEQUENCE  { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
///                               signatureValue BIT STRING }
/// TBSCertificate  ::=  SEQUENCE  { version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
///      signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
///      subjectPublicKeyInfo SubjectPublicKeyInfo, extensions [3] EXPLICIT Extensions OPTIONAL }
/// ```
///
/// Bulk issuance signs thousands of certificates with the same subject template, issuer and extensions;
/// encoding those parts once and concatenating bytes per certificate is several times faster than building
/// each certificate from scratch, and the result is byte-for-byte the same DER.
public struct CertificateBlueprint: Sendable {
    let issuer: Issuer
    let signatureAlgorithm: Certificate.SignatureAlgorithm
    /// `[0] EXPLICIT INTEGER 2` (v3).
    static let version: [UInt8] = [0xA0, 0x03, 0x02, 0x01, 0x02]
    let algorithmIdentifier: [UInt8]
    let issuerName: [UInt8]
    let subjectName: [UInt8]
    let authorityKeyIdentifier: [UInt8]
    let otherExtensions: [UInt8]

    public init(subject: DistinguishedName, issuer: Issuer, hash: SignatureHash?, extensions: ExtensionSet) throws {
        self.issuer = issuer
        signatureAlgorithm = try SignatureHash.signatureAlgorithm(for: issuer.keyAlgorithm, hash: hash)
        algorithmIdentifier = try Self.encodeAlgorithmIdentifier(signatureAlgorithm)
        issuerName = try Self.encode(issuer.name)
        subjectName = try Self.encode(subject)
        authorityKeyIdentifier = try Self.encode(
            try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: issuer.keyIdentifier), critical: false))
        otherExtensions = try extensions.all
            .filter { $0.oid != .X509ExtensionID.subjectKeyIdentifier && $0.oid != .X509ExtensionID.authorityKeyIdentifier }
            .flatMap { try Self.encode($0) }
    }

    /// The DER of a signed certificate for `subjectPublicKeyInfo` (the DER SubjectPublicKeyInfo, e.g. from a CSR).
    public func sign(
        serialNumber: Certificate.SerialNumber, notBefore: Date, notAfter: Date, subjectPublicKeyInfo: ArraySlice<UInt8>
    ) throws -> [UInt8] {
        let keyIdentifier = try Self.keyIdentifier(ofSubjectPublicKeyInfo: subjectPublicKeyInfo)
        let subjectKeyIdentifier = try Self.encode(
            try Certificate.Extension(SubjectKeyIdentifier(keyIdentifier: keyIdentifier[...]), critical: false))
        var tbs: [UInt8] = []
        tbs.reserveCapacity(1024)
        tbs += Self.version
        // A positive INTEGER: a leading 0x00 when the first byte's high bit is set.
        var serialContent = Array(serialNumber.bytes.drop { $0 == 0 })
        if serialContent.isEmpty || serialContent[0] & 0x80 != 0 { serialContent.insert(0, at: 0) }
        tbs += DERBytes.tagged(0x02, serialContent)
        tbs += algorithmIdentifier
        tbs += issuerName
        tbs += DERBytes.tagged(0x30, DERTime.encode(notBefore) + DERTime.encode(notAfter))
        tbs += subjectName
        tbs += subjectPublicKeyInfo
        tbs += DERBytes.tagged(0xA3, DERBytes.tagged(0x30, authorityKeyIdentifier + subjectKeyIdentifier + otherExtensions))
        let tbsCertificate = DERBytes.tagged(0x30, tbs)

        let signature: Certificate.Signature
        do {
            signature = try issuer.key.sign(bytes: tbsCertificate, signatureAlgorithm: signatureAlgorithm)
        } catch {
            throw CAError(.keyAccess, "the CA key could not sign: \(error)")
        }
        // BIT STRING with no unused bits.
        let signatureValue = DERBytes.tagged(0x03, [0x00] + signature.rawRepresentation)
        return DERBytes.tagged(0x30, tbsCertificate + algorithmIdentifier + signatureValue)
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 over the subjectPublicKey BIT STRING's bits, as swift-certificates
    /// and openssl compute it.
    /// The DER SubjectPublicKeyInfo of a key, as `sign` takes it.
    public static func subjectPublicKeyInfo(of key: Certificate.PublicKey) throws -> [UInt8] {
        try encode(key)
    }

    static func keyIdentifier(ofSubjectPublicKeyInfo info: ArraySlice<UInt8>) throws -> [UInt8] {
        let node = try DER.parse(info)
        guard case .constructed(let children) = node.content, let keyNode = Array(children).last else {
            throw CAError(.invalidInput, "the public key is not a SubjectPublicKeyInfo")
        }
        let key = try ASN1BitString(derEncoded: keyNode)
        return Array(Insecure.SHA1.hash(data: key.bytes))
    }

    static func encode(_ value: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(value)
        return serializer.serializedBytes
    }

    /// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }; RSA PKCS#1
    /// signatures carry NULL parameters (RFC 4055 §5), ECDSA and Ed25519 none (RFC 5758 §3.2, RFC 8410 §3).
    static func encodeAlgorithmIdentifier(_ algorithm: Certificate.SignatureAlgorithm) throws -> [UInt8] {
        let (oid, nullParameters): (ASN1ObjectIdentifier, Bool)
        switch algorithm {
        case .ecdsaWithSHA256: (oid, nullParameters) = ([1, 2, 840, 10045, 4, 3, 2], false)
        case .ecdsaWithSHA384: (oid, nullParameters) = ([1, 2, 840, 10045, 4, 3, 3], false)
        case .ecdsaWithSHA512: (oid, nullParameters) = ([1, 2, 840, 10045, 4, 3, 4], false)
        case .sha256WithRSAEncryption: (oid, nullParameters) = ([1, 2, 840, 113549, 1, 1, 11], true)
        case .sha384WithRSAEncryption: (oid, nullParameters) = ([1, 2, 840, 113549, 1, 1, 12], true)
        case .sha512WithRSAEncryption: (oid, nullParameters) = ([1, 2, 840, 113549, 1, 1, 13], true)
        case .ed25519: (oid, nullParameters) = ([1, 3, 101, 112], false)
        default: throw CAError(.invalidInput, "unsupported signature algorithm \(algorithm)")
        }
        var content = try encode(oid)
        if nullParameters { content += try encode(ASN1Null()) }
        return DERBytes.tagged(0x30, content)
    }
}

/// Tag-length-value assembly for pre-encoded DER parts.
public enum DERBytes {
    public static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var result: [UInt8] = [tag]
        result.reserveCapacity(content.count + 5)
        let count = content.count
        if count < 0x80 {
            result.append(UInt8(count))
        } else {
            var lengthBytes: [UInt8] = []
            var remaining = count
            while remaining > 0 {
                lengthBytes.insert(UInt8(remaining & 0xFF), at: 0)
                remaining >>= 8
            }
            result.append(0x80 | UInt8(lengthBytes.count))
            result += lengthBytes
        }
        result += content
        return result
    }
}

/// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always UTC with seconds.
enum DERTime {
    static func encode(_ date: Date) -> [UInt8] {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        let rest = [Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)]
        var text = year < 2050 ? twoDigits(year % 100) : String(year)
        for value in rest { text += twoDigits(value) }
        text += "Z"
        return DERBytes.tagged(year < 2050 ? 0x17 : 0x18, Array(text.utf8))
    }

    /// The seconds from 0001-01-01T00:00:00Z and to 9999-12-31T23:59:59Z, the years four digits can hold.
    private static let generalizedTimeRange: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// A DER GeneralizedTime `YYYYMMDDHHMMSSZ` whatever the year, for fields that are never UTCTime (OCSP's
    /// producedAt, thisUpdate, nextUpdate and revocationTime). Fractions of a second are dropped, as RFC 5280
    /// §4.1.2.5.2 asks. Written digit by digit because an OCSP responder writes three of these per response.
    ///
    /// - Throws: `CAError(.invalidInput)` for a date outside the years 1 to 9999.
    static func encodeGeneralized(_ date: Date) throws -> [UInt8] {
        let interval = date.timeIntervalSince1970.rounded(.down)
        guard generalizedTimeRange.contains(interval) else {
            throw CAError(.invalidInput, "the date \(date) cannot be written as a GeneralizedTime")
        }
        var seconds = time_t(interval)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var result: [UInt8] = [0x18, 15]
        result.reserveCapacity(17)
        let year = Int(parts.tm_year) + 1900
        let fields = [
            year / 100, year % 100, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec),
        ]
        for value in fields {
            result.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10))
            result.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10))
        }
        result.append(UInt8(ascii: "Z"))
        return result
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
