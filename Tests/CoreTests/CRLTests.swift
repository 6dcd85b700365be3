import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// CRLs built by `CRLBuilder`, judged by openssl 3 and pkilint.
@Suite(.timeLimit(.minutes(10))) struct CRLTests {
    typealias Support = CRLTestSupport

    static let algorithms: [KeyAlgorithm] = [.ec(.secp256r1), .rsa(bits: 2048)]

    @Test(arguments: algorithms)
    func emptyCRLHasNoRevokedCertificatesField(algorithm: KeyAlgorithm) throws {
        let authority = try Support.authority(algorithm)
        let der = try Support.buildCRL(by: authority, options: Support.options(number: 42), entries: [])
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("Version 2 (0x1)"))
            #expect(text.contains("X509v3 CRL Number"))
            #expect(text.contains("42"))
            #expect(text.contains("X509v3 Authority Key Identifier"))
            #expect(text.contains("No Revoked Certificates."))
            #expect(!text.contains("Issuing Distribution Point"))
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
            try Support.expectLintClean(der, in: directory)
        }
        // RFC 5280 §5.1.2.6: absent, not an empty SEQUENCE. The sixth field is the [0] extensions.
        let fields = try Support.tbsFields(der)
        #expect(fields.count == 6)
        #expect(fields[5].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
    }

    @Test(arguments: algorithms)
    func oneEntryWithReasonAndInvalidityDate(algorithm: KeyAlgorithm) throws {
        let authority = try Support.authority(algorithm)
        let entry = RevokedEntry(
            serialNumber: [0x4A, 0x11], revokedAt: Support.now.addingTimeInterval(-600), reason: .keyCompromise,
            invalidityDate: Support.now.addingTimeInterval(-7200))
        let der = try Support.buildCRL(by: authority, options: Support.options(), entries: [entry])
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("Serial Number: 4A11"))
            #expect(text.contains("X509v3 CRL Reason Code"))
            #expect(text.contains("Key Compromise"))
            #expect(text.contains("Invalidity Date"))
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
            try Support.expectLintClean(der, in: directory)
        }
        #expect(try Support.entries(der).count == 1)
    }

    @Test(arguments: algorithms)
    func thousandEntriesWithMixedReasons(algorithm: KeyAlgorithm) throws {
        let authority = try Support.authority(algorithm)
        let entries = Support.mixedEntries(count: 1000)
        let der = try Support.buildCRL(by: authority, options: Support.options(number: 7), entries: entries)
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(Support.occurrences(of: "Serial Number:", in: text) == 1000)
            let withReason = entries.filter { $0.reason != .unspecified }.count
            #expect(Support.occurrences(of: "X509v3 CRL Reason Code", in: text) == withReason)
            #expect(!text.contains("Unspecified"))
            let withDate = entries.filter { $0.invalidityDate != nil }.count
            #expect(Support.occurrences(of: "Invalidity Date", in: text) == withDate)
            for name in [
                "Key Compromise", "CA Compromise", "Affiliation Changed", "Superseded", "Cessation Of Operation",
                "Certificate Hold", "Remove From CRL", "Privilege Withdrawn", "AA Compromise",
            ] {
                #expect(text.contains(name), "no entry says \(name)")
            }
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
            try Support.expectLintClean(der, in: directory)
        }
    }

    @Test func unspecifiedReasonWritesNoEntryExtensions() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let entry = RevokedEntry(serialNumber: [0x01], revokedAt: Support.now, reason: .unspecified)
        let der = try Support.buildCRL(by: authority, options: Support.options(), entries: [entry])
        let entryFields = try Support.children(try #require(try Support.entries(der).first))
        // userCertificate and revocationDate only: an empty crlEntryExtensions SEQUENCE would be invalid.
        #expect(entryFields.count == 2)
    }

    @Test func invalidityDateIsAlwaysGeneralizedTime() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        // 2020 would be a UTCTime in a Time field; the invalidity date must still be GeneralizedTime.
        let invalid = Date(timeIntervalSince1970: 1_600_000_000.75)
        let entry = RevokedEntry(
            serialNumber: [0x02], revokedAt: Support.now, reason: .unspecified, invalidityDate: invalid)
        let der = try Support.buildCRL(by: authority, options: Support.options(), entries: [entry])
        let entryFields = try Support.children(try #require(try Support.entries(der).first))
        #expect(entryFields[1].identifier == .utcTime)
        let extensions = try Support.children(entryFields[2])
        let invalidityDate = try Support.children(try #require(extensions.first))
        #expect(try ASN1ObjectIdentifier(derEncoded: invalidityDate[0]) == [2, 5, 29, 24])
        let value = try ASN1OctetString(derEncoded: invalidityDate[1])
        // Whole seconds, no fraction: RFC 5280 §4.1.2.5.2.
        #expect(Array(value.bytes) == [0x18, 0x0F] + Array("20200913122640Z".utf8))
    }

    @Test func timesFrom2050AreGeneralizedTime() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let thisUpdate = Date(timeIntervalSince1970: 2_556_144_000)  // 2051-01-01
        let options = CRLOptions(thisUpdate: thisUpdate, nextUpdate: thisUpdate.addingTimeInterval(86400), number: 1)
        let entry = RevokedEntry(serialNumber: [0x03], revokedAt: thisUpdate)
        let der = try Support.buildCRL(by: authority, options: options, entries: [entry])
        let fields = try Support.tbsFields(der)
        #expect(fields[3].identifier == .generalizedTime)
        #expect(fields[4].identifier == .generalizedTime)
        #expect(try Support.children(fields[5])[0].identifier == .sequence)
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("Jan  1 00:00:00 2051 GMT"))
            try Support.expectLintClean(der, in: directory)
        }
    }

    @Test(arguments: [CRLScope.all, .userCertificates, .caCertificates])
    func scopeDecidesTheIssuingDistributionPoint(scope: CRLScope) throws {
        let authority = try Support.authority(.rsa(bits: 2048))
        let der = try Support.buildCRL(
            by: authority, options: Support.options(scope: scope), entries: Support.mixedEntries(count: 20))
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            switch scope {
            case .all:
                #expect(!text.contains("Issuing Distribution Point"))
                #expect(!text.contains("Only User Certificates"))
            case .userCertificates:
                #expect(text.contains("X509v3 Issuing Distribution Point: critical"))
                #expect(text.contains("Only User Certificates"))
                #expect(!text.contains("Only CA Certificates"))
            case .caCertificates:
                #expect(text.contains("X509v3 Issuing Distribution Point: critical"))
                #expect(text.contains("Only CA Certificates"))
                #expect(!text.contains("Only User Certificates"))
            }
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
            try Support.expectLintClean(der, type: scope == .caCertificates ? "ARL" : "CRL", in: directory)
        }
    }

    @Test func onlySomeReasonsWithDistributionPoint() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let options = Support.options(
            scope: .userCertificates, onlySomeReasons: [.keyCompromise, .cACompromise],
            distributionPoint: [.uniformResourceIdentifier("http://crl.example.com/user-compromise.crl")])
        let entries = [
            RevokedEntry(serialNumber: [0x05], revokedAt: Support.now, reason: .keyCompromise),
            RevokedEntry(serialNumber: [0x06], revokedAt: Support.now, reason: .caCompromise),
        ]
        let der = try Support.buildCRL(by: authority, options: options, entries: entries)
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("X509v3 Issuing Distribution Point: critical"))
            #expect(text.contains("Full Name:"))
            #expect(text.contains("URI:http://crl.example.com/user-compromise.crl"))
            #expect(text.contains("Only User Certificates"))
            #expect(text.contains("Only Some Reasons:"))
            #expect(text.contains("Key Compromise, CA Compromise"))
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
            // No pkilint here: it crashes ("Bad BitString initializer type 'False'") on onlySomeReasons next to
            // any other field, on openssl ca's own CRLs just the same. The fields are linted apart below.
        }
    }

    @Test func distributionPointFullNameLints() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let options = Support.options(
            scope: .userCertificates, distributionPoint: [.uniformResourceIdentifier("http://crl.example.com/user.crl")]
        )
        let der = try Support.buildCRL(by: authority, options: options, entries: Support.mixedEntries(count: 5))
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("URI:http://crl.example.com/user.crl"))
            #expect(text.contains("Only User Certificates"))
            try Support.expectLintClean(der, in: directory)
        }
    }

    @Test func onlySomeReasonsAloneAddsTheExtension() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let options = Support.options(onlySomeReasons: [.superseded])
        let entry = RevokedEntry(serialNumber: [0x07], revokedAt: Support.now, reason: .superseded)
        let der = try Support.buildCRL(by: authority, options: options, entries: [entry])
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("X509v3 Issuing Distribution Point: critical"))
            #expect(text.contains("Only Some Reasons:"))
            #expect(!text.contains("Only User Certificates"))
            try Support.expectLintClean(der, in: directory)
        }
    }

    @Test func entriesOutsideTheReasonsAreRefused() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        var builder = try CRLBuilder(
            issuer: authority.issuer, options: Support.options(onlySomeReasons: [.keyCompromise]))
        for reason in [RevocationReason.superseded, .unspecified] {
            let error = try #require(throws: CAError.self) {
                try builder.append(RevokedEntry(serialNumber: [0x08], revokedAt: Support.now, reason: reason))
            }
            #expect(error.kind == .invalidInput)
        }
        try builder.append(RevokedEntry(serialNumber: [0x09], revokedAt: Support.now, reason: .keyCompromise))
        #expect(builder.entryCount == 1)
    }

    @Test func removeFromCRLIsWrittenAsGiven() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let entry = RevokedEntry(serialNumber: [0x0A], revokedAt: Support.now, reason: .removeFromCRL)
        let leaf = try Support.makeLeaf(by: authority, serialNumber: [0x0A])
        let der = try Support.buildCRL(by: authority, options: Support.options(), entries: [entry])
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("Remove From CRL"))
            try Support.expectLintClean(der, in: directory)
            // OpenSSL reads the entry as "no longer revoked", which is what the builder's documentation says.
            let caURL = directory.appendingPathComponent("ca.pem")
            let leafURL = directory.appendingPathComponent("leaf.pem")
            let crlURL = directory.appendingPathComponent("crl.pem")
            try Support.write(try authority.pem, to: caURL)
            try Support.write(try leaf.serializeAsPEM().pemString + "\n", to: leafURL)
            try Support.write(CRLBuilder.pem(der), to: crlURL)
            let result = try Support.openssl([
                "verify", "-crl_check", "-CRLfile", crlURL.path, "-CAfile", caURL.path, leafURL.path,
            ])
            #expect(result.status == 0, "\(result.output)")
        }
        // No ReasonFlags bit names it, so a CRL limited to some reasons cannot hold it.
        var limited = try CRLBuilder(issuer: authority.issuer, options: Support.options(onlySomeReasons: [.superseded]))
        #expect(throws: CAError.self) { try limited.append(entry) }
    }

    @Test func inconsistentOptionsAreRefused() throws {
        let issuer = try Support.authority(.ec(.secp256r1)).issuer
        let now = Support.now
        let invalid = [
            CRLOptions(thisUpdate: now, nextUpdate: now, number: -1),
            CRLOptions(thisUpdate: now, nextUpdate: now.addingTimeInterval(-1), number: 1),
            CRLOptions(onlySomeReasons: [], thisUpdate: now, nextUpdate: now, number: 1),
            CRLOptions(onlySomeReasons: [.unused, .keyCompromise], thisUpdate: now, nextUpdate: now, number: 1),
            CRLOptions(scope: .userCertificates, thisUpdate: now, nextUpdate: now, number: 1, distributionPoint: []),
        ]
        for options in invalid {
            #expect(throws: CAError.self) { try CRLBuilder(issuer: issuer, options: options) }
        }
        let ed25519 = try Issuer.selfSigned(name: issuer.name, key: try KeyGenerator.generate(.ed25519))
        #expect(throws: CAError.self) {
            try CRLBuilder(
                issuer: ed25519, options: CRLOptions(thisUpdate: now, nextUpdate: now, number: 1, hash: .sha256))
        }
    }

    @Test func hashIsChosenByTheOptions() throws {
        let authority = try Support.authority(.rsa(bits: 2048))
        var options = Support.options()
        options.hash = .sha512
        let der = try Support.buildCRL(by: authority, options: options, entries: [])
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(Support.occurrences(of: "sha512WithRSAEncryption", in: text) == 2)
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
        }
    }

    @Test func ed25519AuthoritySignsCRLs() throws {
        let authority = try Support.makeAuthority(.ed25519, name: "swift-ca CRL Test Ed25519 Root")
        let der = try Support.buildCRL(
            by: authority, options: Support.options(), entries: Support.mixedEntries(count: 3))
        try Support.withTemporaryDirectory { directory in
            try Support.expectSignatureVerifies(der, by: authority, in: directory)
            try Support.expectLintClean(der, in: directory)
        }
    }

    // MARK: Serial numbers

    @Test(
        arguments: [
            ([0x01], [0x01]),
            ([0x7F], [0x7F]),
            ([0x80], [0x00, 0x80]),
            ([0xFF, 0x01], [0x00, 0xFF, 0x01]),
            ([0x00, 0x00, 0x01], [0x01]),
            ([0x00, 0x80], [0x00, 0x80]),
            ([0x00, 0x00, 0x80, 0x00], [0x00, 0x80, 0x00]),
            ([0x00], [0x00]),
            ([0x00, 0x00], [0x00]),
        ] as [([UInt8], [UInt8])])
    func serialIsTheShortestPositiveInteger(stored: [UInt8], encoded: [UInt8]) throws {
        #expect(try RevokedEntryEncoder.integerContent(magnitude: stored) == encoded)
    }

    /// The database's path hands the stored hex digits to the builder: the entries it writes are byte for byte those
    /// of the decoded path, for odd and even lengths, leading zeros, high bits, zero, with and without reasons and
    /// invalidity dates; digits that are not hex are refused.
    @Test(arguments: ["1", "7F", "80", "0080", "FF01", "000001", "0", "00", "abc", "43" + String(repeating: "5A", count: 19)])
    func hexSerialsEncodeAsTheirBytes(hex: String) throws {
        let issuer = try Support.authority(.ec(.secp256r1)).issuer
        let seconds = Int64(Support.now.timeIntervalSince1970.rounded(.down))
        for (reason, invalidity) in [(RevocationReason.unspecified, nil), (.keyCompromise, seconds - 3_600)] as [(RevocationReason, Int64?)] {
            var decoded = try CRLBuilder(issuer: issuer, options: Support.options())
            try decoded.append(RevokedEntry(
                serialNumber: Self.bytes(hex: hex), revokedAt: Date(timeIntervalSince1970: TimeInterval(seconds)),
                reason: reason, invalidityDate: invalidity.map { Date(timeIntervalSince1970: TimeInterval($0)) }))
            var streamed = try CRLBuilder(issuer: issuer, options: Support.options())
            var digits = hex
            try digits.withUTF8 {
                try streamed.append(hexSerial: $0, revokedAtSeconds: seconds, reason: reason, invalidityDateSeconds: invalidity)
            }
            let expected = try Support.entries(try decoded.finish()).map { Array($0.encodedBytes) }
            #expect(try Support.entries(try streamed.finish()).map { Array($0.encodedBytes) } == expected, "\(hex)")
        }
        var refusing = try CRLBuilder(issuer: issuer, options: Support.options())
        var bad = hex + "g1"
        #expect(throws: CAError.self) { try bad.withUTF8 { try refusing.append(hexSerial: $0, revokedAtSeconds: seconds, reason: .unspecified, invalidityDateSeconds: nil) } }
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array((hex.count % 2 == 1 ? "0" + hex : hex).utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test func emptySerialIsRefused() throws {
        var builder = try CRLBuilder(issuer: try Support.authority(.ec(.secp256r1)).issuer, options: Support.options())
        #expect(throws: CAError.self) { try builder.append(RevokedEntry(serialNumber: [], revokedAt: Support.now)) }
        #expect(builder.entryCount == 0)
    }

    @Test func serialEdgeCasesAsOpenSSLReadsThem() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        // RFC 5280 allows 20 octets including the sign byte, so the longest serial starts below 0x80.
        let twentyOctets: [UInt8] = [0x43] + Array(repeating: 0x5A, count: 19)
        let serials: [[UInt8]] = [[0x80], [0x00, 0x00, 0x01, 0x00], [0xFF, 0xFF], twentyOctets]
        let entries = serials.map { RevokedEntry(serialNumber: $0, revokedAt: Support.now) }
        let der = try Support.buildCRL(by: authority, options: Support.options(), entries: entries)
        let integers = try Support.entries(der).map { try Support.primitiveBytes(try Support.children($0)[0]) }
        #expect(integers == [[0x00, 0x80], [0x01, 0x00], [0x00, 0xFF, 0xFF], twentyOctets])
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(text.contains("Serial Number: 80\n"))
            #expect(text.contains("Serial Number: 0100\n"))
            #expect(text.contains("Serial Number: FFFF\n"))
            #expect(text.contains("Serial Number: 43" + String(repeating: "5A", count: 19)))
            #expect(!text.contains("(Negative)"))
            try Support.expectLintClean(der, in: directory)
        }
    }

    // MARK: End to end

    @Test(arguments: algorithms)
    func opensslRejectsARevokedLeafAndAcceptsAnUnrevokedOne(algorithm: KeyAlgorithm) throws {
        let authority = try Support.authority(algorithm)
        // Stored with a redundant leading zero, which the CRL entry must drop to match the certificate.
        let serial: [UInt8] = [0x00, 0x1C, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]
        let leaf = try Support.makeLeaf(by: authority, serialNumber: Array(serial.dropFirst()))
        let others = Support.mixedEntries(count: 50)
        let revoking = try Support.buildCRL(
            by: authority, options: Support.options(number: 2),
            entries: others + [
                RevokedEntry(serialNumber: serial, revokedAt: Support.now.addingTimeInterval(-30), reason: .superseded)
            ])
        let notRevoking = try Support.buildCRL(by: authority, options: Support.options(number: 3), entries: others)
        try Support.withTemporaryDirectory { directory in
            let caURL = directory.appendingPathComponent("ca.pem")
            let leafURL = directory.appendingPathComponent("leaf.pem")
            let revokingURL = directory.appendingPathComponent("revoking.pem")
            let notRevokingURL = directory.appendingPathComponent("not-revoking.pem")
            try Support.write(try authority.pem, to: caURL)
            try Support.write(try leaf.serializeAsPEM().pemString + "\n", to: leafURL)
            try Support.write(CRLBuilder.pem(revoking), to: revokingURL)
            try Support.write(CRLBuilder.pem(notRevoking), to: notRevokingURL)

            let rejected = try Support.openssl(
                ["verify", "-crl_check", "-CRLfile", revokingURL.path, "-CAfile", caURL.path, leafURL.path])
            #expect(rejected.status != 0)
            #expect(rejected.output.contains("certificate revoked"), "\(rejected.output)")

            let accepted = try Support.openssl(
                ["verify", "-crl_check", "-CRLfile", notRevokingURL.path, "-CAfile", caURL.path, leafURL.path])
            #expect(accepted.status == 0, "\(accepted.output)")
            #expect(accepted.output.contains("OK"))
        }
    }

    @Test func userScopedCRLCoversLeaves() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let serial: [UInt8] = [0x33, 0x44]
        let leaf = try Support.makeLeaf(by: authority, serialNumber: serial)
        let der = try Support.buildCRL(
            by: authority, options: Support.options(scope: .userCertificates),
            entries: [RevokedEntry(serialNumber: serial, revokedAt: Support.now, reason: .keyCompromise)])
        try Support.withTemporaryDirectory { directory in
            let caURL = directory.appendingPathComponent("ca.pem")
            let leafURL = directory.appendingPathComponent("leaf.pem")
            let crlURL = directory.appendingPathComponent("crl.pem")
            try Support.write(try authority.pem, to: caURL)
            try Support.write(try leaf.serializeAsPEM().pemString + "\n", to: leafURL)
            try Support.write(CRLBuilder.pem(der), to: crlURL)
            let result = try Support.openssl([
                "verify", "-crl_check", "-CRLfile", crlURL.path, "-CAfile", caURL.path, leafURL.path,
            ])
            #expect(result.status != 0)
            #expect(result.output.contains("certificate revoked"), "\(result.output)")
        }
    }

    @Test func pemHasTheCRLLabel() throws {
        let der = try Support.buildCRL(
            by: try Support.authority(.ec(.secp256r1)), options: Support.options(), entries: [])
        let pem = CRLBuilder.pem(der)
        #expect(pem.hasPrefix("-----BEGIN X509 CRL-----\n"))
        #expect(pem.hasSuffix("-----END X509 CRL-----\n"))
        #expect(try PEMDocument(pemString: pem).derBytes == der)
    }

    // MARK: Size

    @Test func hundredThousandEntriesStreamQuickly() throws {
        let authority = try Support.authority(.ec(.secp256r1))
        let count = 100_000
        let started = ContinuousClock.now
        var builder = try CRLBuilder(issuer: authority.issuer, options: Support.options())
        let revokedAt = Support.now.addingTimeInterval(-3600)
        for index in 0..<count {
            let serial = withUnsafeBytes(of: UInt32(index + 1).bigEndian) { Array($0) }
            try builder.append(
                RevokedEntry(
                    serialNumber: serial, revokedAt: revokedAt, reason: index % 2 == 0 ? .keyCompromise : .unspecified))
        }
        let der = try builder.finish()
        let elapsed = ContinuousClock.now - started
        #expect(builder.entryCount == count)
        #expect(elapsed < .seconds(5), "building took \(elapsed)")
        try Support.withTemporaryDirectory { directory in
            let text = try Support.crlText(der, in: directory)
            #expect(Support.occurrences(of: "Serial Number:", in: text) == count)
        }
    }
}

/// The Issuing Distribution Point extension on its own.
@Suite(.timeLimit(.minutes(10))) struct IssuingDistributionPointTests {
    @Test func roundTripsThroughDER() throws {
        let point = IssuingDistributionPoint(
            fullName: [.uniformResourceIdentifier("http://crl.example.com/ca.crl")], onlyContainsCACertificates: true,
            onlySomeReasons: [.keyCompromise, .aACompromise], indirectCRL: true)
        let ext = try point.makeCertificateExtension()
        #expect(ext.critical)
        #expect(ext.oid == [2, 5, 29, 28])
        #expect(try IssuingDistributionPoint(ext) == point)
    }

    @Test func falseFlagsAreLeftOut() throws {
        let ext = try IssuingDistributionPoint(onlyContainsUserCertificates: true).makeCertificateExtension()
        // SEQUENCE { [1] TRUE }
        #expect(Array(ext.value) == [0x30, 0x03, 0x81, 0x01, 0xFF])
    }

    @Test func explicitFalseFlagIsRejected() throws {
        let ext = Certificate.Extension(
            oid: IssuingDistributionPoint.oid, critical: true, value: [0x30, 0x03, 0x81, 0x01, 0x00])
        #expect(throws: CAError.self) { try IssuingDistributionPoint(ext) }
    }

    @Test func twoRestrictionsAreRejected() {
        let point = IssuingDistributionPoint(onlyContainsUserCertificates: true, onlyContainsCACertificates: true)
        #expect(throws: CAError.self) { try point.makeCertificateExtension() }
    }
}
