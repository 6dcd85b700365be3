import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

private typealias Support = OCSPTestSupport

/// Requests made by `openssl ocsp -reqout`, read by ``OCSPRequest``.
@Suite("OCSP requests from openssl", .timeLimit(.minutes(10)))
struct OCSPRequestTests {
    @Test("A default openssl request carries a SHA-1 CertID of the leaf and a 16-octet nonce")
    func defaultRequest() throws {
        try Support.withFiles { directory in
            let bytes = try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory)
            let request = try OCSPRequest(derEncoded: bytes)
            let certID = try #require(request.certIDs.first)
            #expect(request.certIDs.count == 1)
            #expect(certID.hashAlgorithm == .sha1)
            let issuer = try Support.authority.get().certificate
            let hashes = try OCSPCertID.issuerHashes(of: issuer, algorithm: .sha1)
            #expect(certID.issuerNameHash == hashes.nameHash)
            #expect(certID.issuerKeyHash == hashes.keyHash)
            #expect(certID.serialNumber == Array(try Support.leaf.get().serialNumber.bytes))
            // openssl writes SHA-1 with NULL parameters, as swift-ca does: the bytes must agree exactly.
            let built = try Support.leafCertID()
            #expect(certID == built)
            #expect(certID.derEncoded == built.derEncoded)
            #expect(Support.contains(bytes, certID.derEncoded))

            let nonce = try #require(request.nonce)
            #expect(nonce.count == 18 && nonce.starts(with: [0x04, 0x10]), "\(Support.hex(nonce))")
            let text = try Support.ocsp(["-reqin", "req.der", "-req_text"], in: directory)
            #expect(text.contains(Support.hex(nonce)), "\(text)")
            #expect(text.contains(Support.hex(hashes.nameHash)) && text.contains(Support.hex(hashes.keyHash)))
        }
    }

    @Test("-no_nonce leaves the nonce out")
    func requestWithoutNonce() throws {
        try Support.withFiles { directory in
            let bytes = try Support.opensslRequest(
                ["-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce"], in: directory)
            let request = try OCSPRequest(derEncoded: bytes)
            #expect(request.nonce == nil)
            #expect(request.certIDs == [try Support.leafCertID()])
        }
    }

    @Test("CertIDs hashed with each SHA variant match issuerHashes", arguments: OCSPHashAlgorithm.allCases)
    func hashAlgorithms(_ algorithm: OCSPHashAlgorithm) throws {
        let option = "-" + algorithm.rawValue.lowercased().replacingOccurrences(of: "-", with: "")
        try Support.withFiles { directory in
            let bytes = try Support.opensslRequest(["-issuer", "ca.pem", option, "-cert", "leaf.pem"], in: directory)
            let certID = try #require(try OCSPRequest(derEncoded: bytes).certIDs.first)
            #expect(certID.hashAlgorithm == algorithm)
            let hashes = try OCSPCertID.issuerHashes(of: try Support.authority.get().certificate, algorithm: algorithm)
            #expect(certID.issuerNameHash == hashes.nameHash && certID.issuerNameHash.count == algorithm.digestLength)
            #expect(certID.issuerKeyHash == hashes.keyHash)
            #expect(certID == (try Support.leafCertID(algorithm)))
        }
    }

    @Test("Two certificates in one request keep their order, by -cert and by -serial")
    func twoCertificates() throws {
        try Support.withFiles { directory in
            let byCertificate = try OCSPRequest(
                derEncoded: try Support.opensslRequest(
                    ["-issuer", "ca.pem", "-cert", "leaf.pem", "-cert", "leaf2.pem"], in: directory))
            let bySerial = try OCSPRequest(
                derEncoded: try Support.opensslRequest(
                    ["-issuer", "ca.pem", "-serial", "0x5A5A5A", "-serial", "0x123456"], in: directory))
            #expect(byCertificate.certIDs.map(\.serialNumber) == [[0x12, 0x34, 0x56], [0x5A, 0x5A, 0x5A]])
            #expect(bySerial.certIDs.map(\.serialNumber) == [[0x5A, 0x5A, 0x5A], [0x12, 0x34, 0x56]])
            #expect(Set(byCertificate.certIDs) == Set(bySerial.certIDs))
        }
    }

    @Test("A serial with its high bit set keeps the INTEGER's leading zero")
    func highBitSerial() throws {
        try Support.withFiles { directory in
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(["-issuer", "ca.pem", "-serial", "0xC0FFEE"], in: directory))
            #expect(request.certIDs.first?.serialNumber == [0x00, 0xC0, 0xFF, 0xEE])
            let built = try OCSPCertID(
                issuer: try Support.authority.get().certificate,
                serialNumber: Certificate.SerialNumber(bytes: [0xC0, 0xFF, 0xEE]))
            #expect(request.certIDs.first == built)
        }
    }

    @Test("A signed request is accepted without checking its signature")
    func signedRequest() throws {
        try Support.withFiles { directory in
            let made = try CRLTestSupport.openssl(
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                    "/CN=requestor", "-keyout", "requestor.key", "-out", "requestor.pem", "-days", "1",
                ], in: directory)
            try #require(made.status == 0, "\(made.output)")
            let bytes = try Support.opensslRequest(
                ["-issuer", "ca.pem", "-cert", "leaf.pem", "-signer", "requestor.pem", "-signkey", "requestor.key"],
                in: directory)
            let text = try Support.ocsp(["-reqin", "req.der", "-req_text"], in: directory)
            #expect(text.contains("Signature Algorithm"), "openssl did not sign the request: \(text)")
            let request = try OCSPRequest(derEncoded: bytes)
            #expect(request.certIDs == [try Support.leafCertID()])
            #expect(request.nonce != nil)
        }
    }

    @Test("A CertID without hash parameters equals one with NULL parameters but keeps its own bytes")
    func absentHashParameters() throws {
        let built = try Support.leafCertID()
        let withoutParameters = Support.certID(
            algorithm: [0x30, 0x07, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A], nameHash: built.issuerNameHash,
            keyHash: built.issuerKeyHash, serial: DERBytes.tagged(0x02, built.serialNumber))
        let parsed = try OCSPCertID(derEncoded: withoutParameters)
        #expect(parsed == built)
        #expect(parsed.derEncoded == withoutParameters)
        #expect(try OCSPCertID(derEncoded: built.derEncoded).derEncoded == built.derEncoded)
    }

    @Test("Explicit v1, a requestorName and non-critical unknown extensions are accepted")
    func tolerantFields() throws {
        let certID = try Support.leafCertID()
        let requestorName = DERBytes.tagged(0xA1, DERBytes.tagged(0x82, Array("client.example".utf8)))
        let unknownOID = try CertificateBlueprint.encode(ASN1ObjectIdentifier("1.2.3.4"))
        let unknownExtension = DERBytes.tagged(0x30, unknownOID + DERBytes.tagged(0x04, [0x05, 0x00]))
        let singleExtensions = DERBytes.tagged(0xA0, DERBytes.tagged(0x30, unknownExtension))
        let requestList = DERBytes.tagged(0x30, DERBytes.tagged(0x30, certID.derEncoded + singleExtensions))
        let tbsRequest = [0xA0, 0x03, 0x02, 0x01, 0x00] + requestorName + requestList
            + DERBytes.tagged(0xA2, DERBytes.tagged(0x30, unknownExtension + Support.nonceExtension([7])))
        let request = try OCSPRequest(derEncoded: DERBytes.tagged(0x30, DERBytes.tagged(0x30, tbsRequest)))
        #expect(request.certIDs == [certID])
        #expect(request.nonce == [0x04, 0x01, 0x07])
    }

    @Test("Nonces of 1 and 32 octets are accepted, and a CertID limit of 100 holds")
    func boundaries() throws {
        let certID = try Support.leafCertID().derEncoded
        for length in [1, 16, 32] {
            let value = [UInt8](repeating: 0xA5, count: length)
            let request = try OCSPRequest(
                derEncoded: Support.request(certIDs: [certID], extensions: [Support.nonceExtension(value)]))
            #expect(request.nonce == DERBytes.tagged(0x04, value))
        }
        let full = try OCSPRequest(
            derEncoded: Support.request(certIDs: Array(repeating: certID, count: OCSPRequest.maximumCertIDCount)))
        #expect(full.certIDs.count == OCSPRequest.maximumCertIDCount)
    }
}

/// Requests that must be refused with malformedRequest, never with a crash.
@Suite("OCSP malformed requests", .timeLimit(.minutes(10)))
struct OCSPMalformedRequestTests {
    @Test("Empty and random bytes")
    func emptyAndRandom() {
        Support.expectMalformed([])
        Support.expectMalformed([0x30])
        Support.expectMalformed([0x30, 0x00])
        Support.expectMalformed([0x30, 0x02, 0x30, 0x00])
        var generator = ExtensionTestSupport.SeededGenerator(seed: 6960)
        for round in 0..<2000 {
            let length = Int.random(in: 0...200, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half the rounds look like a SEQUENCE of the right length, to get past the first check.
            if round % 2 == 0, bytes.count < 0x80 { bytes = [0x30, UInt8(bytes.count)] + bytes }
            Support.expectMalformed(bytes)
        }
    }

    @Test("Every truncation of a valid request")
    func truncated() throws {
        try Support.withFiles { directory in
            let bytes = try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory)
            _ = try OCSPRequest(derEncoded: bytes)
            for length in 0..<bytes.count {
                Support.expectMalformed(Array(bytes.prefix(length)))
            }
            Support.expectMalformed(bytes + [0x00], containing: "not valid DER")
        }
    }

    @Test("Every single-byte change of a valid request either parses or throws CAError")
    func mutated() throws {
        try Support.withFiles { directory in
            let bytes = try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory)
            for index in bytes.indices {
                for replacement: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0x81, 0xFF, bytes[index] ^ 0x20] {
                    var mutated = bytes
                    mutated[index] = replacement
                    do {
                        _ = try OCSPRequest(derEncoded: mutated)
                    } catch let error as CAError {
                        #expect(error.kind == .invalidInput)
                    } catch {
                        Issue.record("byte \(index) = \(replacement): \(type(of: error)) \(error)")
                    }
                }
            }
        }
    }

    @Test("No CertID, or more than the limit")
    func certIDCount() throws {
        Support.expectMalformed(Support.request(certIDs: []), containing: "no certificate")
        let certID = try Support.leafCertID().derEncoded
        Support.expectMalformed(
            Support.request(certIDs: Array(repeating: certID, count: OCSPRequest.maximumCertIDCount + 1)),
            containing: "more than 100")
    }

    @Test("Nonces of 0 or 33 octets, not an OCTET STRING, twice, or critical extensions")
    func badExtensions() throws {
        let certID = try Support.leafCertID().derEncoded
        Support.expectMalformed(
            Support.request(certIDs: [certID], extensions: [Support.nonceExtension(Array(repeating: 1, count: 33))]),
            containing: "33 octets")
        Support.expectMalformed(
            Support.request(certIDs: [certID], extensions: [Support.nonceExtension([])]), containing: "0 octets")
        let rawNonce = DERBytes.tagged(0x30, OCSPNonce.encodedOID + DERBytes.tagged(0x04, [0x02, 0x01, 0x05]))
        Support.expectMalformed(
            Support.request(certIDs: [certID], extensions: [rawNonce]), containing: "not an OCTET STRING")
        Support.expectMalformed(
            Support.request(certIDs: [certID], extensions: [Support.nonceExtension([1]), Support.nonceExtension([2])]),
            containing: "two nonces")
        let critical = DERBytes.tagged(
            0x30,
            try CertificateBlueprint.encode(ASN1ObjectIdentifier("1.2.3.4")) + [0x01, 0x01, 0xFF]
                + DERBytes.tagged(0x04, [0x05, 0x00]))
        Support.expectMalformed(Support.request(certIDs: [certID], extensions: [critical]), containing: "critical")
        // A critical nonce is understood, so it is accepted.
        let request = try OCSPRequest(
            derEncoded: Support.request(certIDs: [certID], extensions: [Support.nonceExtension([9], critical: true)]))
        #expect(request.nonce == [0x04, 0x01, 0x09])
    }

    @Test("Unknown hash algorithm, wrong hash lengths, bad serial numbers")
    func badCertIDs() throws {
        let good = try Support.leafCertID()
        let md5OID = try CertificateBlueprint.encode(ASN1ObjectIdentifier("1.2.840.113549.2.5"))
        let md5 = DERBytes.tagged(0x30, md5OID + [0x05, 0x00])
        let md5Hash = [UInt8](repeating: 0, count: 16)
        let sha1 = Array(good.derEncoded[2..<13])
        func withSerial(_ serial: [UInt8]) -> [UInt8] {
            Support.certID(algorithm: sha1, nameHash: good.issuerNameHash, keyHash: good.issuerKeyHash, serial: serial)
        }
        let cases: [(certID: [UInt8], phrase: String)] = [
            (Support.certID(algorithm: md5, nameHash: md5Hash, keyHash: md5Hash), "unsupported hash algorithm"),
            (Support.certID(algorithm: sha1, nameHash: good.issuerNameHash, keyHash: [1, 2, 3]), "octets long"),
            (withSerial([0x02, 0x00]), "not an INTEGER"),
            (withSerial([0x02, 0x02, 0x00, 0x01]), "not minimally encoded"),
            (withSerial([0x02, 0x02, 0xFF, 0x80]), "not minimally encoded"),
            (withSerial([0x04, 0x01, 0x01]), "not an INTEGER"),
            (Support.certID(algorithm: [0x30, 0x00], nameHash: md5Hash, keyHash: md5Hash), "CertID"),
        ]
        #expect(sha1 == [0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00])
        for (certID, phrase) in cases {
            Support.expectMalformed(Support.request(certIDs: [certID]), containing: phrase)
            #expect(throws: CAError.self) { try OCSPCertID(derEncoded: certID) }
        }
    }

    @Test("Other versions, a second tbsRequest field, and deep nesting")
    func badStructure() throws {
        let certID = try Support.leafCertID().derEncoded
        let requestList = DERBytes.tagged(0x30, DERBytes.tagged(0x30, certID))
        Support.expectMalformed(
            DERBytes.tagged(0x30, DERBytes.tagged(0x30, [0xA0, 0x03, 0x02, 0x01, 0x01] + requestList)),
            containing: "version")
        Support.expectMalformed(DERBytes.tagged(0x30, DERBytes.tagged(0x30, requestList + requestList)))
        Support.expectMalformed(DERBytes.tagged(0x30, DERBytes.tagged(0x30, requestList) + [0x05, 0x00]))
        var nested: [UInt8] = [0x05, 0x00]
        for _ in 0..<200 { nested = DERBytes.tagged(0x30, nested) }
        Support.expectMalformed(nested)
        // Indefinite length is BER, not DER.
        Support.expectMalformed([0x30, 0x80] + DERBytes.tagged(0x30, requestList) + [0x00, 0x00])
    }
}

/// Responses signed by ``OCSPResponseSigner``, judged by `openssl ocsp` and pkilint.
@Suite("OCSP responses", .timeLimit(.minutes(10)))
struct OCSPResponseTests {
    enum Status: String, CaseIterable, Sendable {
        case good, revoked, unknown

        var certificateStatus: OCSPCertificateStatus {
            switch self {
            case .good: return .good
            case .revoked: return .revoked(at: OCSPTestSupport.now.addingTimeInterval(-7200), reason: .keyCompromise)
            case .unknown: return .unknown
            }
        }
    }

    private static func answers(
        _ request: OCSPRequest, _ statuses: [OCSPCertificateStatus]
    ) -> [OCSPSingleResponse] {
        zip(request.certIDs, statuses).map { certID, status in
            OCSPSingleResponse(
                certID: certID, status: status, thisUpdate: Support.now.addingTimeInterval(-60),
                nextUpdate: Support.now.addingTimeInterval(86400))
        }
    }

    @Test(
        "Each responder key type signs good, revoked and unknown answers that openssl verifies",
        arguments: OCSPTestSupport.responderAlgorithms, Status.allCases)
    func signedStatuses(_ algorithm: KeyAlgorithm, _ status: Status) throws {
        let signer = try Support.responder(algorithm).signer()
        try Support.withFiles { directory in
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory))
            let nonce = try #require(request.nonce)
            let response = try signer.sign(
                Self.answers(request, [status.certificateStatus]), producedAt: Support.now, nonce: nonce)
            let output = try Support.verify(response, in: directory)
            #expect(output.contains("Response verify OK"), "\(output)")
            #expect(output.contains("leaf.pem: \(status.rawValue)"), "\(output)")
            #expect(!output.contains("WARNING"), "\(output)")
            #expect(output.contains(Support.hex(nonce)), "\(output)")
            if status == .revoked {
                #expect(output.contains("Reason: keyCompromise"), "\(output)")
            }
            #expect(Support.contains(response, request.certIDs[0].derEncoded))
            try Support.expectLintClean(response, in: directory)
        }
    }

    @Test("Without a nonce in the request, the response has none and openssl does not complain")
    func withoutNonce() throws {
        let signer = try Support.responder(.ec(.secp256r1)).signer()
        try Support.withFiles { directory in
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(
                    ["-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce"], in: directory))
            let response = try signer.sign(
                Self.answers(request, [.good]), producedAt: Support.now, nonce: request.nonce)
            let output = try Support.verify(response, in: directory)
            #expect(output.contains("Response verify OK") && output.contains("leaf.pem: good"), "\(output)")
            #expect(!output.contains("WARNING") && !output.contains("Nonce"), "\(output)")
            try Support.expectLintClean(response, in: directory)
        }
    }

    @Test("openssl notices a missing or different nonce, so the nonce checks above are real")
    func nonceMismatch() throws {
        let signer = try Support.responder(.ec(.secp256r1)).signer()
        try Support.withFiles { directory in
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory))
            let missing = try signer.sign(Self.answers(request, [.good]), producedAt: Support.now, nonce: nil)
            #expect(try Support.verify(missing, in: directory).contains("WARNING: no nonce in response"))

            let other = try signer.sign(
                Self.answers(request, [.good]), producedAt: Support.now,
                nonce: DERBytes.tagged(0x04, Array(repeating: 0x42, count: 16)))
            try CRLTestSupport.write(other, to: directory.appendingPathComponent("other.der"))
            let result = try CRLTestSupport.openssl(
                ["ocsp", "-respin", "other.der", "-reqin", "req.der", "-CAfile", "ca.pem"], in: directory)
            #expect(result.status != 0 && result.output.contains("Nonce Verify error"), "\(result.output)")
        }
    }

    @Test("Two certificates, SHA-256 CertIDs, a revocation without reason")
    func twoCertificatesWithSHA256() throws {
        let signer = try Support.responder(.ec(.secp256r1)).signer()
        try Support.withFiles { directory in
            let certificates = ["-sha256", "-cert", "leaf.pem", "-cert", "leaf2.pem"]
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(["-issuer", "ca.pem"] + certificates, in: directory))
            #expect(request.certIDs.allSatisfy { $0.hashAlgorithm == .sha256 })
            let response = try signer.sign(
                Self.answers(request, [.good, .revoked(at: Support.now.addingTimeInterval(-600), reason: nil)]),
                producedAt: Support.now, nonce: request.nonce)
            let output = try Support.verify(response, certificateArguments: certificates, in: directory)
            #expect(output.contains("Response verify OK"), "\(output)")
            #expect(output.contains("leaf.pem: good") && output.contains("leaf2.pem: revoked"), "\(output)")
            #expect(!output.contains("Reason:") && !output.contains("WARNING"), "\(output)")
            try Support.expectLintClean(response, in: directory)
        }
    }

    @Test("The CA can answer for itself, and other hashes work")
    func otherSignersAndHashes() throws {
        let authority = try Support.authority.get()
        let signers = [
            try OCSPResponseSigner(responderCertificate: authority.certificate, key: authority.key),
            try Support.responder(.ec(.secp256r1)).signer(hash: .sha384),
            try Support.responder(.rsa(bits: 2048)).signer(hash: .sha512),
        ]
        try Support.withFiles { directory in
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory))
            for signer in signers {
                let response = try signer.sign(
                    Self.answers(request, [.good]), producedAt: Support.now, nonce: request.nonce)
                let output = try Support.verify(response, in: directory)
                #expect(output.contains("Response verify OK") && output.contains("leaf.pem: good"), "\(output)")
                try Support.expectLintClean(response, in: directory)
            }
        }
    }

    @Test("The responder ID is the key hash openssl computes as the responder's key identifier")
    func responderID() throws {
        let responder = try Support.responder(.ec(.secp256r1))
        try Support.withFiles { directory in
            let request = try OCSPRequest(
                derEncoded: try Support.opensslRequest(["-issuer", "ca.pem", "-cert", "leaf.pem"], in: directory))
            let response = try responder.signer().sign(
                Self.answers(request, [.good]), producedAt: Support.now, nonce: request.nonce)
            let output = try Support.verify(response, in: directory)
            try CRLTestSupport.write(
                try Support.pem(responder.certificate), to: directory.appendingPathComponent("r.pem"))
            // swift-ca writes the RFC 5280 method 1 key identifier, the same SHA-1 as the KeyHash; openssl
            // reads it from the certificate, so it is an outside value.
            let identifier = try CRLTestSupport.openssl(
                ["x509", "-in", "r.pem", "-noout", "-ext", "subjectKeyIdentifier"], in: directory)
            let keyHash = try #require(identifier.output.split(separator: "\n").last)
                .trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: "")
            #expect(keyHash.count == 40)
            #expect(output.contains("Responder Id: \(keyHash)"), "\(output)")
        }
    }

    @Test("Times are whole-second GeneralizedTime, also after 2049")
    func generalizedTimes() throws {
        let cases: [(Date, String)] = [
            (Date(timeIntervalSince1970: 0.75), "19700101000000Z"),
            (Date(timeIntervalSince1970: 1_700_000_000.5), "20231114221320Z"),
            (Date(timeIntervalSince1970: 2_556_144_000), "20510101000000Z"),
            (Date(timeIntervalSince1970: 253_402_300_799), "99991231235959Z"),
        ]
        for (date, text) in cases {
            #expect(try DERTime.encodeGeneralized(date) == [0x18, 0x0F] + Array(text.utf8))
        }
        #expect(throws: CAError.self) { try DERTime.encodeGeneralized(Date(timeIntervalSince1970: 253_402_300_800)) }
        #expect(throws: CAError.self) { try DERTime.encodeGeneralized(Date.distantPast.addingTimeInterval(-1e20)) }

        let signer = try Support.responder(.ec(.secp256r1)).signer()
        let certID = try Support.leafCertID()
        let thisUpdate = Date(timeIntervalSince1970: 1_700_000_000.9)
        let response = try signer.sign(
            [
                OCSPSingleResponse(
                    certID: certID,
                    status: .revoked(at: Date(timeIntervalSince1970: 1_600_000_000), reason: .superseded),
                    thisUpdate: thisUpdate, nextUpdate: Date(timeIntervalSince1970: 2_556_144_000))
            ], producedAt: thisUpdate, nonce: nil)
        for text in ["20231114221320Z", "20200913122640Z", "20510101000000Z"] {
            #expect(Support.contains(response, [0x18, 0x0F] + Array(text.utf8)), "\(text)")
        }
        // The responder certificate at the end has UTCTimes of its own.
        let certificate = try CertificateBlueprint.encode(try Support.responder(.ec(.secp256r1)).certificate)
        let certificateOffset = try #require(Support.offset(of: certificate, in: response))
        // A UTCTime is 0x17 0x0D and twelve digits and a Z; the two bytes alone also turn up by chance in the
        // random signature and key hash, so the whole shape is what is looked for.
        let head = Array(response[..<certificateOffset])
        let utcTimes = head.indices.dropLast(14).filter { index in
            head[index] == 0x17 && head[index + 1] == 0x0D && head[index + 14] == UInt8(ascii: "Z")
                && head[(index + 2)..<(index + 14)].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        #expect(utcTimes.isEmpty, "a UTCTime slipped in")
    }

    @Test("Every revocation reason as openssl names it; unspecified is left out")
    func revocationReasons() throws {
        let names: [RevocationReason: String] = [
            .keyCompromise: "keyCompromise", .caCompromise: "cACompromise", .affiliationChanged: "affiliationChanged",
            .superseded: "superseded", .cessationOfOperation: "cessationOfOperation",
            .certificateHold: "certificateHold", .removeFromCRL: "removeFromCRL",
            // OpenSSL 3.0's table of reason names ends at removeFromCRL (8).
            .privilegeWithdrawn: "(UNKNOWN)", .aaCompromise: "(UNKNOWN)",
        ]
        let signer = try Support.responder(.ec(.secp256r1)).signer()
        let certID = try Support.leafCertID()
        try Support.withFiles { directory in
            for reason in RevocationReason.allCases {
                let response = try signer.sign(
                    [
                        OCSPSingleResponse(
                            certID: certID, status: .revoked(at: Support.now.addingTimeInterval(-600), reason: reason),
                            thisUpdate: Support.now, nextUpdate: Support.now.addingTimeInterval(3600))
                    ], producedAt: Support.now, nonce: nil)
                try CRLTestSupport.write(response, to: directory.appendingPathComponent("reason.der"))
                let output = try Support.ocsp(["-respin", "reason.der", "-resp_text", "-noverify"], in: directory)
                #expect(output.contains("Cert Status: revoked"), "\(output)")
                if let name = names[reason] {
                    let expected = "Revocation Reason: \(name) (0x\(String(reason.value, radix: 16)))"
                    #expect(output.contains(expected), "\(reason): \(output)")
                } else {
                    #expect(!output.contains("Revocation Reason"), "\(output)")
                }
            }
        }
    }

    @Test("Error responses as openssl prints them", arguments: OCSPResponseStatus.allCases.filter { $0 != .successful })
    func errorResponses(_ status: OCSPResponseStatus) throws {
        let names: [OCSPResponseStatus: String] = [
            .malformedRequest: "malformedrequest", .internalError: "internalerror", .tryLater: "trylater",
            .sigRequired: "sigrequired", .unauthorized: "unauthorized",
        ]
        try Support.withFiles { directory in
            try CRLTestSupport.write(OCSPResponse.error(status), to: directory.appendingPathComponent("error.der"))
            let result = try CRLTestSupport.openssl(
                ["ocsp", "-respin", "error.der", "-resp_text", "-noverify"], in: directory)
            let expected = "Responder Error: \(names[status] ?? "?") (\(status.rawValue))"
            #expect(result.output.contains(expected), "\(result.output)")
        }
    }

    @Test("The signer refuses a foreign key, a hash for Ed25519, no answers, bad dates and bad nonces")
    func signerRefusals() throws {
        let p256 = try Support.responder(.ec(.secp256r1))
        let ed25519 = try Support.responder(.ed25519)
        KeyTestSupport.expectCAError(.keyAccess) {
            _ = try OCSPResponseSigner(responderCertificate: p256.certificate, key: ed25519.key)
        }
        KeyTestSupport.expectCAError(.invalidInput) {
            _ = try OCSPResponseSigner(responderCertificate: ed25519.certificate, key: ed25519.key, hash: .sha256)
        }
        let signer = try p256.signer()
        let certID = try Support.leafCertID()
        KeyTestSupport.expectCAError(.invalidInput) { _ = try signer.sign([], producedAt: Support.now, nonce: nil) }
        let backwards = OCSPSingleResponse(
            certID: certID, status: .good, thisUpdate: Support.now, nextUpdate: Support.now.addingTimeInterval(-1))
        KeyTestSupport.expectCAError(.invalidInput) {
            _ = try signer.sign([backwards], producedAt: Support.now, nonce: nil)
        }
        let answer = OCSPSingleResponse(
            certID: certID, status: .good, thisUpdate: Support.now, nextUpdate: Support.now.addingTimeInterval(60))
        for nonce in [[], [0x04, 0x00], [0x01, 0x02, 0x03], DERBytes.tagged(0x04, Array(repeating: 0, count: 33))] {
            KeyTestSupport.expectCAError(.invalidInput) {
                _ = try signer.sign([answer], producedAt: Support.now, nonce: nonce)
            }
        }
    }

    @Test("Fixed DER parts match swift-asn1's encoding")
    func fixedEncodings() throws {
        #expect(OCSPNonce.encodedOID == (try CertificateBlueprint.encode(OCSPNonce.oid)))
        #expect(
            OCSPResponse.basicResponseTypeOID
                == (try CertificateBlueprint.encode(ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.1"))))
        #expect(OCSPResponse.error(.unauthorized) == [0x30, 0x03, 0x0A, 0x01, 0x06])
    }
}
