import Foundation
import SwiftASN1
import X509

// OpenSSL's certificate database (`index.txt`), read by `openssl ca` and `openssl ocsp -index`
// (apps/ca.c, apps/lib/apps.c). One line per certificate, six fields separated by tabs:
//
//   status     V (valid), R (revoked) or E (expired)
//   expiry     the certificate's notAfter: YYMMDDHHMMSSZ, or YYYYMMDDHHMMSSZ from 2050 on
//   revocation empty, or YYMMDDHHMMSSZ[,reason[,argument]] for R
//   serial     upper-case hex, two digits per byte ("00" for zero)
//   file       always "unknown" (the certificate is not kept in a file)
//   subject    X509_NAME_oneline: /CN=example.com/O=Example
//
// For example, as `openssl ca -revoke cert.pem -crl_reason keyCompromise` writes it:
//
//   R	261227113221Z	261127113221Z,keyCompromise	01	unknown	/CN=leaf1

/// One line of OpenSSL's `index.txt`.
public struct OpenSSLIndexLine: Sendable, Hashable {
    /// The certificate's state, the first field.
    public enum Status: Sendable, Hashable {
        /// Issued and neither revoked nor expired.
        case valid
        /// Revoked at the given time. A revoked certificate stays revoked after it expires, as in the
        /// database `openssl ca` keeps.
        case revoked(at: Date, reason: RevocationReason, invalidityDate: Date? = nil)
        /// Past its notAfter (what `openssl ca -updatedb` marks).
        case expired
    }

    public var status: Status
    /// Big-endian magnitude bytes, as stored.
    public var serialNumber: [UInt8]
    /// The certificate's notAfter.
    public var notAfter: Date
    /// The certificate's subject, written the way `openssl ca` records it.
    public var subject: DistinguishedName

    /// A line for one certificate.
    public init(status: Status, serialNumber: [UInt8], notAfter: Date, subject: DistinguishedName) {
        self.status = status
        self.serialNumber = serialNumber
        self.notAfter = notAfter
        self.subject = subject
    }

    /// The line without its line break.
    ///
    /// - Throws: `CAError(.invalidInput)` for a revocation date OpenSSL cannot read (it parses it as a
    ///   UTCTime, so only 1950 to 2049 work) or an empty serial number.
    public func text() throws -> String {
        guard !serialNumber.isEmpty else {
            throw CAError(.invalidInput, "an OpenSSL index line needs a serial number")
        }
        let statusLetter: String
        var revocation = ""
        switch status {
        case .valid:
            statusLetter = "V"
        case .expired:
            statusLetter = "E"
        case .revoked(let revokedAt, let reason, let invalidityDate):
            statusLetter = "R"
            revocation = try OpenSSLIndex.revocationField(
                revokedAt: revokedAt, reason: reason, invalidityDate: invalidityDate)
        }
        let fields = [
            statusLetter, OpenSSLIndex.timeText(notAfter), revocation, OpenSSLIndex.serialText(serialNumber), "unknown",
            OpenSSLIndex.subjectText(subject),
        ]
        return fields.joined(separator: "\t")
    }
}

/// Writes OpenSSL's `index.txt` so that `openssl ocsp -index` can answer for swift-ca's certificates.
public enum OpenSSLIndex {
    /// The lines, each ended by a line break.
    ///
    /// - Throws: As ``OpenSSLIndexLine/text()``.
    public static func text(_ lines: some Sequence<OpenSSLIndexLine>) throws -> String {
        var text = ""
        for line in lines {
            text += try line.text()
            text += "\n"
        }
        return text
    }

    /// The content of `index.txt.attr`, to be written next to the index.
    ///
    /// Without it OpenSSL insists on unique subjects among valid certificates and refuses to load an index
    /// in which a renewed certificate shares its subject with the one it replaces.
    public static let attributes = "unique_subject = no\n"

    /// The reason as OpenSSL spells it in the index, or `nil` where it has no spelling.
    ///
    /// `privilegeWithdrawn` and `aACompromise` are missing from OpenSSL's table (apps/ca.c `crl_reasons`);
    /// `openssl ocsp` would reject the whole index for an unknown name, so such lines carry no reason.
    public static func reasonName(_ reason: RevocationReason) -> String? {
        switch reason {
        case .unspecified: return "unspecified"
        case .keyCompromise: return "keyCompromise"
        case .caCompromise: return "CACompromise"
        case .affiliationChanged: return "affiliationChanged"
        case .superseded: return "superseded"
        case .cessationOfOperation: return "cessationOfOperation"
        case .certificateHold: return "certificateHold"
        case .removeFromCRL: return "removeFromCRL"
        case .privilegeWithdrawn, .aaCompromise: return nil
        }
    }

    /// `revocation[,reason[,argument]]`.
    ///
    /// An unspecified reason is left out, as `openssl ca -revoke` without `-crl_reason` does and as the CRL
    /// does (RFC 5280 §5.3.1). A key or CA compromise with an invalidity date uses OpenSSL's `keyTime` and
    /// `CAkeyTime` forms, which carry the date as a GeneralizedTime; other reasons cannot carry one.
    static func revocationField(revokedAt: Date, reason: RevocationReason, invalidityDate: Date?) throws -> String {
        // OpenSSL reads this field with ASN1_UTCTIME_set_string, so a GeneralizedTime would break the index.
        guard let year = calendarYear(revokedAt), (1950...2049).contains(year) else {
            throw CAError(
                .invalidInput, "OpenSSL's index cannot hold the revocation date \(revokedAt): only 1950 to 2049 fit")
        }
        var field = timeText(revokedAt)
        switch (reason, invalidityDate) {
        case (.keyCompromise, let date?):
            field += ",keyTime," + (try generalizedTimeText(date))
        case (.caCompromise, let date?):
            field += ",CAkeyTime," + (try generalizedTimeText(date))
        case (.unspecified, _):
            break
        default:
            if let name = reasonName(reason) { field += "," + name }
        }
        return field
    }

    /// A certificate time in the form `openssl ca` copies from the certificate: the text of the Time that
    /// RFC 5280 prescribes (UTCTime through 2049, GeneralizedTime from 2050).
    static func timeText(_ date: Date) -> String {
        // DERTime's output is tag, one length byte (the text is at most 15 characters) and the text.
        String(decoding: DERTime.encode(date).dropFirst(2), as: UTF8.self)
    }

    static func generalizedTimeText(_ date: Date) throws -> String {
        let encoded = try CertificateBlueprint.encode(try ASN1Dates.generalizedTime(date))
        return String(decoding: encoded.dropFirst(2), as: UTF8.self)
    }

    private static func calendarYear(_ date: Date) -> Int? {
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        return calendar.component(.year, from: date)
    }

    /// BN_bn2hex's form, which `openssl ca` writes: upper-case, two digits per byte, no leading zero bytes.
    static func serialText(_ bytes: [UInt8]) -> String {
        let significant = bytes.drop { $0 == 0 }
        guard !significant.isEmpty else { return "00" }
        return significant.map(twoHexDigits).joined()
    }

    /// X509_NAME_oneline's form: `/type=value` per attribute, in certificate order, with every byte outside
    /// printable ASCII written as `\xHH`. That also keeps tabs and line breaks out of the tab-separated line.
    static func subjectText(_ name: DistinguishedName) -> String {
        var text = ""
        for relativeName in name {
            for attribute in relativeName {
                text += "/" + attributeTypeName(attribute.type) + "="
                let value = String(attribute.value) ?? String(describing: attribute.value)
                for byte in value.utf8 {
                    if byte < 0x20 || byte > 0x7E {
                        text += "\\x" + twoHexDigits(byte)
                    } else {
                        text.unicodeScalars.append(Unicode.Scalar(byte))
                    }
                }
            }
        }
        return text
    }

    /// OpenSSL's short name for the attribute type. It agrees with swift-ca's preferred names except for
    /// these, where OpenSSL's object table spells them differently.
    private static let openSSLShortNames: [ASN1ObjectIdentifier: String] = [
        [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1]: "jurisdictionL",
        [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2]: "jurisdictionST",
        [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3]: "jurisdictionC",
        [1, 2, 643, 3, 131, 1, 1]: "INN",
        [1, 2, 643, 100, 1]: "OGRN",
        [1, 2, 643, 100, 3]: "SNILS",
    ]

    private static func attributeTypeName(_ type: ASN1ObjectIdentifier) -> String {
        openSSLShortNames[type] ?? SubjectFormatter.attributeTypeName(type)
    }

    private static func twoHexDigits(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
