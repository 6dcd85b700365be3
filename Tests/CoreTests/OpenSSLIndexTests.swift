import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// OpenSSL's `index.txt` lines, compared with what `openssl ca` writes and read by `openssl ocsp`.
@Suite(.timeLimit(.minutes(10))) struct OpenSSLIndexTests {
    typealias Support = CRLTestSupport

    /// 2026-11-27 11:32:21 UTC
    static let revokedAt = Date(timeIntervalSince1970: 1_795_779_141)
    /// 2026-12-27 11:32:21 UTC
    static let notAfter = Date(timeIntervalSince1970: 1_798_371_141)

    static func subject() throws -> DistinguishedName {
        try DistinguishedName {
            CountryName("AT")
            OrganizationName("Example Org")
            CommonName("leaf.example.com")
        }
    }

    @Test func validLine() throws {
        let line = OpenSSLIndexLine(
            status: .valid, serialNumber: [0x01], notAfter: Self.notAfter, subject: try Self.subject())
        #expect(try line.text() == "V\t261227113221Z\t\t01\tunknown\t/C=AT/O=Example Org/CN=leaf.example.com")
    }

    @Test func expiredLine() throws {
        let line = OpenSSLIndexLine(
            status: .expired, serialNumber: [0x01], notAfter: Self.notAfter, subject: try Self.subject())
        #expect(try line.text().hasPrefix("E\t261227113221Z\t\t01\t"))
    }

    @Test(arguments: [
        (RevocationReason.keyCompromise, "261127113221Z,keyCompromise"),
        (.caCompromise, "261127113221Z,CACompromise"),
        (.affiliationChanged, "261127113221Z,affiliationChanged"),
        (.superseded, "261127113221Z,superseded"),
        (.cessationOfOperation, "261127113221Z,cessationOfOperation"),
        (.certificateHold, "261127113221Z,certificateHold"),
        (.removeFromCRL, "261127113221Z,removeFromCRL"),
        // As `openssl ca -revoke` without -crl_reason, and as the CRL leaves it out.
        (.unspecified, "261127113221Z"),
        // OpenSSL has no name for these two; an unknown name would make openssl refuse the whole index.
        (.privilegeWithdrawn, "261127113221Z"),
        (.aaCompromise, "261127113221Z"),
    ])
    func revokedLineNamesTheReasonAsOpenSSLDoes(reason: RevocationReason, revocation: String) throws {
        let line = OpenSSLIndexLine(
            status: .revoked(at: Self.revokedAt, reason: reason), serialNumber: [0x0A, 0xBC], notAfter: Self.notAfter,
            subject: try Self.subject())
        #expect(
            try line.text() == "R\t261227113221Z\t\(revocation)\t0ABC\tunknown\t/C=AT/O=Example Org/CN=leaf.example.com"
        )
    }

    @Test func compromiseWithInvalidityDateUsesOpenSSLTimeForms() throws {
        let compromised = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01 00:00:00 UTC
        let key = OpenSSLIndexLine(
            status: .revoked(at: Self.revokedAt, reason: .keyCompromise, invalidityDate: compromised),
            serialNumber: [0x01],
            notAfter: Self.notAfter, subject: try Self.subject())
        #expect(try key.text().contains("\t261127113221Z,keyTime,20250101000000Z\t"))
        var authority = key
        authority.status = .revoked(at: Self.revokedAt, reason: .caCompromise, invalidityDate: compromised)
        #expect(try authority.text().contains("\t261127113221Z,CAkeyTime,20250101000000Z\t"))
        // Other reasons have no place for the date.
        var superseded = key
        superseded.status = .revoked(at: Self.revokedAt, reason: .superseded, invalidityDate: compromised)
        #expect(try superseded.text().contains("\t261127113221Z,superseded\t"))
    }

    @Test(
        arguments: [
            ([0x01], "01"),
            ([0x00, 0x00, 0x01], "01"),
            ([0x0A], "0A"),
            ([0x80], "80"),
            ([0x00, 0xFF, 0x01], "FF01"),
            ([0x01, 0x00], "0100"),
            ([0x00], "00"),
        ] as [([UInt8], String)])
    func serialIsWrittenLikeBNToHex(serial: [UInt8], text: String) {
        #expect(OpenSSLIndex.serialText(serial) == text)
    }

    @Test func emptySerialIsRefused() throws {
        let line = OpenSSLIndexLine(
            status: .valid, serialNumber: [], notAfter: Self.notAfter, subject: try Self.subject())
        #expect(throws: CAError.self) { try line.text() }
    }

    @Test func expiryFrom2050HasFourDigitYears() throws {
        let notAfter = Date(timeIntervalSince1970: 2_556_144_000)  // 2051-01-01 00:00:00 UTC
        let line = OpenSSLIndexLine(
            status: .valid, serialNumber: [0x01], notAfter: notAfter, subject: try Self.subject())
        #expect(try line.text().hasPrefix("V\t20510101000000Z\t\t"))
    }

    @Test func revocationFrom2050IsRefused() throws {
        let late = Date(timeIntervalSince1970: 2_556_144_000)
        let line = OpenSSLIndexLine(
            status: .revoked(at: late, reason: .superseded), serialNumber: [0x01], notAfter: late,
            subject: try Self.subject())
        #expect(throws: CAError.self) { try line.text() }
    }

    @Test func subjectEscapesBytesOutsidePrintableASCII() throws {
        let subject = try DistinguishedName {
            OrganizationName("Ä\tB")
            CommonName("x/y")
        }
        let line = OpenSSLIndexLine(status: .valid, serialNumber: [0x01], notAfter: Self.notAfter, subject: subject)
        let text = try line.text()
        // X509_NAME_oneline writes UTF-8 bytes as \xHH and, like it, leaves '/' alone; the tab must not split fields.
        #expect(text.hasSuffix("\t/O=\\xC3\\x84\\x09B/CN=x/y"))
        #expect(text.split(separator: "\t", omittingEmptySubsequences: false).count == 6)
    }

    @Test func indexTextEndsEveryLine() throws {
        let subject = try Self.subject()
        let lines = [
            OpenSSLIndexLine(status: .valid, serialNumber: [0x01], notAfter: Self.notAfter, subject: subject),
            OpenSSLIndexLine(status: .expired, serialNumber: [0x02], notAfter: Self.notAfter, subject: subject),
        ]
        let text = try OpenSSLIndex.text(lines)
        #expect(text.split(separator: "\n").count == 2)
        #expect(text.hasSuffix("\n"))
        #expect(try OpenSSLIndex.text([]) == "")
    }

    // MARK: Against openssl

    /// Issues certificates with `openssl ca`, revokes some, and writes the same lines from the certificates.
    @Test func linesMatchWhatOpenSSLCAWrites() throws {
        try Support.withTemporaryDirectory { directory in
            let authority = try Support.authority(.ec(.secp256r1))
            try Support.write(try authority.pem, to: directory.appendingPathComponent("ca.pem"))
            try Support.write(
                try authority.key.serializeAsPEM().pemString + "\n", to: directory.appendingPathComponent("ca.key"))
            try Support.write(Self.openSSLConfiguration, to: directory.appendingPathComponent("ca.cnf"))
            try Support.write("", to: directory.appendingPathComponent("index.txt"))
            // FE, FF, 0100, 0101: a serial with its high bit set and one that needs a second byte.
            try Support.write("FE\n", to: directory.appendingPathComponent("serial"))
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("certificates"), withIntermediateDirectories: true)

            let subjects = [
                "/C=AT/O=Example Org/OU=Unit/CN=revoked.example.com/emailAddress=admin@example.com",
                "/CN=compromised.example.com",
                "/CN=plain.example.com",
                "/C=AT/CN=valid.example.com",
            ]
            for (index, subject) in subjects.enumerated() {
                try requireOpenSSL(
                    [
                        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                        "leaf\(index).key",
                        "-subj", subject, "-out", "leaf\(index).csr",
                    ], in: directory)
                try requireOpenSSL(
                    [
                        "ca", "-batch", "-config", "ca.cnf", "-in", "leaf\(index).csr", "-out", "leaf\(index).pem",
                        "-notext",
                    ],
                    in: directory)
            }
            try requireOpenSSL(
                ["ca", "-config", "ca.cnf", "-revoke", "leaf0.pem", "-crl_reason", "cessationOfOperation"],
                in: directory)
            try requireOpenSSL(
                ["ca", "-config", "ca.cnf", "-revoke", "leaf1.pem", "-crl_compromise", "20250101000000Z"], in: directory
            )
            try requireOpenSSL(["ca", "-config", "ca.cnf", "-revoke", "leaf2.pem"], in: directory)

            let opensslLines = String(
                decoding: try Data(contentsOf: directory.appendingPathComponent("index.txt")), as: UTF8.self
            )
            .split(separator: "\n").map(String.init)
            try #require(opensslLines.count == 4)
            let statuses: [(String) throws -> OpenSSLIndexLine.Status] = [
                { .revoked(at: try Self.revocationDate(in: $0), reason: .cessationOfOperation) },
                {
                    .revoked(
                        at: try Self.revocationDate(in: $0), reason: .keyCompromise,
                        invalidityDate: Date(timeIntervalSince1970: 1_735_689_600))
                },
                { .revoked(at: try Self.revocationDate(in: $0), reason: .unspecified) },
                { _ in .valid },
            ]
            for index in 0..<4 {
                let pem = String(
                    decoding: try Data(contentsOf: directory.appendingPathComponent("leaf\(index).pem")), as: UTF8.self)
                let certificate = try Certificate(pemEncoded: pem)
                let line = OpenSSLIndexLine(
                    status: try statuses[index](opensslLines[index]),
                    serialNumber: Array(certificate.serialNumber.bytes),
                    notAfter: certificate.notValidAfter, subject: certificate.subject)
                #expect(try line.text() == opensslLines[index])
            }
        }
    }

    /// `openssl ocsp -index` answers from an index swift-ca wrote: good, revoked with its reason, unknown.
    @Test func opensslOCSPResponderReadsTheIndex() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        // Two valid certificates share a subject, as after a renewal; the attributes file lets OpenSSL accept that.
        let subject = try DistinguishedName { CommonName("ocsp-leaf.example.com") }
        let good = try Support.makeLeaf(by: authority, serialNumber: [0x21, 0x01], subject: subject)
        let renewed = try Support.makeLeaf(by: authority, serialNumber: [0x21, 0x02], subject: subject)
        let revoked = try Support.makeLeaf(by: authority, serialNumber: [0x21, 0x03], subject: subject)
        let unknown = try Support.makeLeaf(by: authority, serialNumber: [0x21, 0x04], subject: subject)
        let lines = [
            OpenSSLIndexLine(
                status: .valid, serialNumber: [0x21, 0x01], notAfter: good.notValidAfter, subject: good.subject),
            OpenSSLIndexLine(
                status: .valid, serialNumber: [0x21, 0x02], notAfter: renewed.notValidAfter, subject: renewed.subject),
            OpenSSLIndexLine(
                status: .revoked(at: Support.now.addingTimeInterval(-60), reason: .keyCompromise),
                serialNumber: [0x00, 0x21, 0x03], notAfter: revoked.notValidAfter, subject: revoked.subject),
        ]
        try Support.withTemporaryDirectory { directory in
            try Support.write(try OpenSSLIndex.text(lines), to: directory.appendingPathComponent("index.txt"))
            try Support.write(OpenSSLIndex.attributes, to: directory.appendingPathComponent("index.txt.attr"))
            try Support.write(try authority.pem, to: directory.appendingPathComponent("ca.pem"))
            try Support.write(
                try authority.key.serializeAsPEM().pemString + "\n", to: directory.appendingPathComponent("ca.key"))
            let expectations = [(good, "good"), (renewed, "good"), (revoked, "revoked"), (unknown, "unknown")]
            for (index, (certificate, status)) in expectations.enumerated() {
                try Support.write(
                    try certificate.serializeAsPEM().pemString + "\n",
                    to: directory.appendingPathComponent("leaf\(index).pem"))
                try requireOpenSSL(
                    [
                        "ocsp", "-issuer", "ca.pem", "-cert", "leaf\(index).pem", "-no_nonce", "-reqout",
                        "request\(index).der",
                    ],
                    in: directory)
                try requireOpenSSL(
                    [
                        "ocsp", "-index", "index.txt", "-CA", "ca.pem", "-rsigner", "ca.pem", "-rkey", "ca.key",
                        "-reqin", "request\(index).der", "-respout", "response\(index).der",
                    ], in: directory)
                let answer = try requireOpenSSL(
                    [
                        "ocsp", "-respin", "response\(index).der", "-issuer", "ca.pem", "-cert", "leaf\(index).pem",
                        "-CAfile", "ca.pem", "-no_nonce",
                    ], in: directory)
                #expect(answer.contains("leaf\(index).pem: \(status)"), "\(answer)")
                if status == "revoked" {
                    #expect(answer.contains("Reason: keyCompromise"), "\(answer)")
                }
            }
        }
    }

    // MARK: Helpers

    /// Runs openssl in `directory` and fails the test with its output if it exits non-zero.
    @discardableResult
    private func requireOpenSSL(
        _ arguments: [String], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws
        -> String
    {
        let result = try Support.openssl(arguments, in: directory)
        try #require(
            result.status == 0, "openssl \(arguments.joined(separator: " ")) failed: \(result.output)",
            sourceLocation: sourceLocation)
        return result.output
    }

    /// The revocation time of an index line, parsed the way OpenSSL does (UTCTime, so the century is 20).
    private static func revocationDate(in line: String) throws -> Date {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        let revocation = try #require(fields.count == 6 ? fields[2].split(separator: ",").first : nil)
        let digits = revocation.dropLast().compactMap { $0.wholeNumberValue }
        try #require(digits.count == 12 && revocation.hasSuffix("Z"), "unexpected revocation time \(revocation)")
        func pair(_ index: Int) -> Int { digits[index] * 10 + digits[index + 1] }
        var components = DateComponents()
        components.year = 2000 + pair(0)
        components.month = pair(2)
        components.day = pair(4)
        components.hour = pair(6)
        components.minute = pair(8)
        components.second = pair(10)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        return try #require(calendar.date(from: components))
    }

    /// A minimal `openssl ca` that keeps the requested subject in order (preserve) and does not insist on
    /// unique subjects.
    private static let openSSLConfiguration = """
        [ ca ]
        default_ca = test_ca
        [ test_ca ]
        dir = .
        database = ./index.txt
        new_certs_dir = ./certificates
        serial = ./serial
        certificate = ./ca.pem
        private_key = ./ca.key
        default_md = sha256
        default_days = 30
        preserve = yes
        unique_subject = no
        policy = any_policy
        [ any_policy ]
        countryName = optional
        organizationName = optional
        organizationalUnitName = optional
        commonName = supplied
        emailAddress = optional

        """
}
