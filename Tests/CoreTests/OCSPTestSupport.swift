import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// Helpers for the OCSP tests, kept in one namespace so they cannot clash with other test files.
enum OCSPTestSupport {
    /// A responder certificate and its key.
    struct Responder: Sendable {
        var certificate: Certificate
        var key: Certificate.PrivateKey

        func signer(hash: SignatureHash? = nil) throws -> OCSPResponseSigner {
            try OCSPResponseSigner(responderCertificate: certificate, key: key, hash: hash)
        }
    }

    static let now = CRLTestSupport.now

    // Made once per test run: RSA keys take a noticeable moment to generate.
    static let authority = Result(catching: {
        try CRLTestSupport.makeAuthority(.ec(.secp256r1), name: "swift-ca OCSP Test Root")
    })
    /// Serials 0x123456 and 0x5A5A5A: no high bit, so the INTEGER needs no leading zero.
    static let leaf = Result(catching: {
        try CRLTestSupport.makeLeaf(by: authority.get(), serialNumber: [0x12, 0x34, 0x56])
    })
    static let secondLeaf = Result(catching: {
        try CRLTestSupport.makeLeaf(by: authority.get(), serialNumber: [0x5A, 0x5A, 0x5A])
    })
    static let p256Responder = Result(catching: { try makeResponder(.ec(.secp256r1)) })
    static let p384Responder = Result(catching: { try makeResponder(.ec(.secp384r1)) })
    static let rsaResponder = Result(catching: { try makeResponder(.rsa(bits: 2048)) })
    static let ed25519Responder = Result(catching: { try makeResponder(.ed25519) })

    /// The responder key types the signer must support.
    static let responderAlgorithms: [KeyAlgorithm] = [.ec(.secp256r1), .ec(.secp384r1), .rsa(bits: 2048), .ed25519]

    static func responder(_ algorithm: KeyAlgorithm) throws -> Responder {
        switch algorithm {
        case .ec(.secp384r1): return try p384Responder.get()
        case .rsa: return try rsaResponder.get()
        case .ed25519: return try ed25519Responder.get()
        default: return try p256Responder.get()
        }
    }

    /// A delegated responder (RFC 6960 §4.2.2.2) issued by ``authority``: OCSPSigning extended key usage and
    /// id-pkix-ocsp-nocheck, as django-ca's responder certificates have.
    static func makeResponder(_ algorithm: KeyAlgorithm) throws -> Responder {
        let key = try KeyGenerator.generate(algorithm)
        var extensions = ExtensionSet()
        extensions.set(try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        extensions.set(try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
        extensions.set(try Certificate.Extension(ExtendedKeyUsage([.ocspSigning]), critical: false))
        extensions.set(try Certificate.Extension(OCSPNoCheck(), critical: false))
        let specification = CertificateSpecification(
            serialNumber: SerialNumberText.random(),
            subject: try DistinguishedName { CommonName("swift-ca OCSP responder \(algorithm)") },
            publicKey: key.publicKey, notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(30 * 86400), hash: nil, extensions: extensions)
        let certificate = try CertificateSigner.sign(specification, by: try authority.get().issuer)
        return Responder(certificate: certificate, key: key)
    }

    // MARK: Files

    /// A fresh directory holding ca.pem, leaf.pem, leaf2.pem and responder.pem (the P-256 responder, for
    /// `-VAfile`), removed when `body` returns.
    static func withFiles<Result>(_ body: (URL) throws -> Result) throws -> Result {
        let directory = try OpenSSLProcess.makeTemporaryDirectory(prefix: "swift-ca-ocsp")
        defer { try? FileManager.default.removeItem(at: directory) }
        try CRLTestSupport.write(try authority.get().pem, to: directory.appendingPathComponent("ca.pem"))
        try CRLTestSupport.write(try pem(leaf.get()), to: directory.appendingPathComponent("leaf.pem"))
        try CRLTestSupport.write(try pem(secondLeaf.get()), to: directory.appendingPathComponent("leaf2.pem"))
        return try body(directory)
    }

    static func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString + "\n"
    }

    /// Runs `openssl ocsp` in `directory` and returns stdout and stderr together; fails the test if it exits
    /// non-zero.
    @discardableResult
    static func ocsp(
        _ arguments: [String], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let result = try CRLTestSupport.openssl(["ocsp"] + arguments, in: directory)
        try #require(
            result.status == 0, "openssl ocsp \(arguments.joined(separator: " ")) failed: \(result.output)",
            sourceLocation: sourceLocation)
        return result.output
    }

    /// A request made by `openssl ocsp -reqout`, written to `name` in `directory` and returned.
    static func opensslRequest(_ arguments: [String], name: String = "req.der", in directory: URL) throws -> [UInt8] {
        try ocsp(arguments + ["-reqout", name], in: directory)
        return Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Writes `response` to resp.der and has openssl verify it twice with ca.pem as the trust anchor, and
    /// returns both outputs together.
    ///
    /// The first run checks the nonce against the request in `requestFile`. The second prints the status of
    /// the certificates in `certificateArguments` (`-cert` and friends); it cannot use `-reqin`, because
    /// `-cert` makes openssl build a request of its own, with a fresh nonce unless `-no_nonce` is given.
    static func verify(
        _ response: [UInt8], requestFile: String = "req.der", certificateArguments: [String] = ["-cert", "leaf.pem"],
        in directory: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        try CRLTestSupport.write(response, to: directory.appendingPathComponent("resp.der"))
        let nonceCheck = try ocsp(
            ["-respin", "resp.der", "-reqin", requestFile, "-CAfile", "ca.pem", "-resp_text"],
            in: directory, sourceLocation: sourceLocation)
        let summary = try ocsp(
            ["-respin", "resp.der", "-issuer", "ca.pem"] + certificateArguments + ["-no_nonce", "-CAfile", "ca.pem"],
            in: directory, sourceLocation: sourceLocation)
        return nonceCheck + summary
    }

    /// pkilint's RFC 6960 profile; findings of severity ERROR or FATAL fail the test, and so does a missing
    /// pkilint (see `Judge.pkilint`).
    static func expectLintClean(
        _ der: [UInt8], in directory: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let linter = try Judge.pkilint("lint_ocsp_response")
        let url = directory.appendingPathComponent("lint.der")
        try CRLTestSupport.write(der, to: url)
        let result = try OpenSSLProcess.run(linter, ["lint", "-s", "ERROR", "--document-format", "DER", url.path])
        let text = result.text + result.errorOutput
        #expect(
            result.status == 0 && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            "pkilint found problems: \(text)", sourceLocation: sourceLocation)
    }

    // MARK: Hand-built requests

    /// An OCSPRequest with the given CertIDs (DER) and request extensions (DER Extension elements).
    static func request(certIDs: [[UInt8]], extensions: [[UInt8]] = []) -> [UInt8] {
        let requestList = DERBytes.tagged(0x30, certIDs.flatMap { DERBytes.tagged(0x30, $0) })
        var tbsRequest = requestList
        if !extensions.isEmpty {
            tbsRequest += DERBytes.tagged(0xA2, DERBytes.tagged(0x30, extensions.flatMap { $0 }))
        }
        return DERBytes.tagged(0x30, DERBytes.tagged(0x30, tbsRequest))
    }

    /// A nonce Extension whose extnValue holds an OCTET STRING of `value`.
    static func nonceExtension(_ value: [UInt8], critical: Bool = false) -> [UInt8] {
        let criticalFlag: [UInt8] = critical ? [0x01, 0x01, 0xFF] : []
        return DERBytes.tagged(
            0x30, OCSPNonce.encodedOID + criticalFlag + DERBytes.tagged(0x04, DERBytes.tagged(0x04, value)))
    }

    /// A CertID with the parts given as DER, for requests no client would send.
    static func certID(
        algorithm: [UInt8], nameHash: [UInt8], keyHash: [UInt8], serial: [UInt8] = [0x02, 0x01, 0x01]
    ) -> [UInt8] {
        DERBytes.tagged(0x30, algorithm + DERBytes.tagged(0x04, nameHash) + DERBytes.tagged(0x04, keyHash) + serial)
    }

    static func leafCertID(_ algorithm: OCSPHashAlgorithm = .sha1) throws -> OCSPCertID {
        try OCSPCertID(certificate: try leaf.get(), issuer: try authority.get().certificate, hashAlgorithm: algorithm)
    }

    /// Upper-case hex without separators, as `openssl ocsp -req_text` prints hashes and nonces.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02X", $0) }.joined()
    }

    /// Where `part` first occurs in `bytes` as a contiguous run.
    static func offset(of part: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !part.isEmpty, bytes.count >= part.count else { return nil }
        return (0...(bytes.count - part.count)).first { bytes[$0..<($0 + part.count)].elementsEqual(part) }
    }

    static func contains(_ bytes: [UInt8], _ part: [UInt8]) -> Bool {
        offset(of: part, in: bytes) != nil
    }

    /// Throws `CAError(.invalidInput)` or records an issue: what every malformed request must do.
    static func expectMalformed(
        _ bytes: [UInt8], containing phrase: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try OCSPRequest(derEncoded: bytes)
            Issue.record("a malformed request was accepted: \(hex(bytes))", sourceLocation: sourceLocation)
        } catch let error as CAError {
            #expect(error.kind == .invalidInput, "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), "message is not one line", sourceLocation: sourceLocation)
            if let phrase {
                #expect(error.message.contains(phrase), "\(error.message)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected CAError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        }
    }
}
