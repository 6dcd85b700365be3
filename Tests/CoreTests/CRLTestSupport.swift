import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// Helpers for the CRL and OpenSSL index tests, kept in one namespace so they cannot clash with other
/// test files in CoreTests.
enum CRLTestSupport {
    /// A self-signed CA made with swift-ca's own signer, as a CA of swift-ca would be.
    struct TestAuthority: Sendable {
        var certificate: Certificate
        var key: Certificate.PrivateKey
        var issuer: Issuer

        var pem: String {
            get throws { try certificate.serializeAsPEM().pemString + "\n" }
        }
    }

    /// CA keys are made once per test run: an RSA key takes a noticeable moment to generate.
    static let p256Authority = Result(catching: {
        try makeAuthority(.ec(.secp256r1), name: "swift-ca CRL Test P-256 Root")
    })
    static let rsaAuthority = Result(catching: {
        try makeAuthority(.rsa(bits: 2048), name: "swift-ca CRL Test RSA Root")
    })

    static func authority(_ algorithm: KeyAlgorithm) throws -> TestAuthority {
        switch algorithm {
        case .rsa: return try rsaAuthority.get()
        default: return try p256Authority.get()
        }
    }

    static let now = Date()

    static func makeAuthority(_ algorithm: KeyAlgorithm, name: String) throws -> TestAuthority {
        let key = try KeyGenerator.generate(algorithm)
        let subject = try DistinguishedName {
            CountryName("AT")
            OrganizationName("swift-ca tests")
            CommonName(name)
        }
        var extensions = ExtensionSet()
        extensions.set(
            try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true))
        extensions.set(try Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true))
        let issuer = try Issuer.selfSigned(name: subject, key: key)
        let specification = CertificateSpecification(
            serialNumber: SerialNumberText.random(), subject: subject, publicKey: key.publicKey,
            notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(365 * 86400), hash: nil,
            extensions: extensions)
        let certificate = try CertificateSigner.sign(specification, by: issuer)
        return TestAuthority(certificate: certificate, key: key, issuer: try Issuer(certificate: certificate, key: key))
    }

    /// An end-entity certificate issued by `authority`. The serial must not have its high bit set: the signer
    /// writes the bytes as they are, so such a serial would make a negative INTEGER.
    static func makeLeaf(
        by authority: TestAuthority, serialNumber: [UInt8], subject: DistinguishedName? = nil
    ) throws -> Certificate {
        let key = try KeyGenerator.generate(.ec(.secp256r1))
        var extensions = ExtensionSet()
        extensions.set(try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        extensions.set(try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
        let specification = CertificateSpecification(
            serialNumber: Certificate.SerialNumber(bytes: serialNumber),
            subject: try subject ?? DistinguishedName { CommonName("leaf.example.com") }, publicKey: key.publicKey,
            notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(30 * 86400), hash: nil,
            extensions: extensions)
        return try CertificateSigner.sign(specification, by: authority.issuer)
    }

    static func options(
        scope: CRLScope = .all, onlySomeReasons: ReasonFlags? = nil, number: Int = 1,
        distributionPoint: [GeneralName]? = nil
    ) -> CRLOptions {
        CRLOptions(
            scope: scope, onlySomeReasons: onlySomeReasons, thisUpdate: now.addingTimeInterval(-60),
            nextUpdate: now.addingTimeInterval(86400), number: number, distributionPoint: distributionPoint)
    }

    static func buildCRL(by authority: TestAuthority, options: CRLOptions, entries: [RevokedEntry]) throws -> [UInt8] {
        var builder = try CRLBuilder(issuer: authority.issuer, options: options)
        for entry in entries { try builder.append(entry) }
        return try builder.finish()
    }

    /// `count` entries with sequential serials that cycle through every reason; every third one has an
    /// invalidity date.
    static func mixedEntries(count: Int) -> [RevokedEntry] {
        let reasons = RevocationReason.allCases
        return (0..<count).map { index in
            RevokedEntry(
                serialNumber: [
                    0x10, UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
                    UInt8(truncatingIfNeeded: index),
                ],
                revokedAt: now.addingTimeInterval(-Double(index) - 120),
                reason: reasons[index % reasons.count],
                invalidityDate: index % 3 == 0 ? now.addingTimeInterval(-86400) : nil)
        }
    }

    // MARK: Files and judges

    /// A fresh directory under the system temporary directory, removed when `body` returns.
    static func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
        let directory = try OpenSSLProcess.makeTemporaryDirectory(prefix: "swift-ca-crl")
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    /// Runs openssl and returns stdout and stderr together.
    static func openssl(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let result = try OpenSSLProcess.run(arguments, in: directory)
        return (result.status, result.text + result.errorOutput)
    }

    /// `openssl crl -text` of a DER CRL in `directory`.
    static func crlText(_ der: [UInt8], in directory: URL) throws -> String {
        let url = directory.appendingPathComponent("crl-text.der")
        try write(der, to: url)
        let result = try openssl(["crl", "-inform", "DER", "-in", url.path, "-text", "-noout"])
        #expect(result.status == 0, "openssl crl failed: \(result.output)")
        return result.output
    }

    /// Checks the CRL's signature against the CA certificate with `openssl crl -verify`.
    static func expectSignatureVerifies(
        _ der: [UInt8], by authority: TestAuthority, in directory: URL,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let crlURL = directory.appendingPathComponent("crl-verify.der")
        let caURL = directory.appendingPathComponent("ca-verify.pem")
        try write(der, to: crlURL)
        try write(try authority.pem, to: caURL)
        let result = try openssl([
            "crl", "-inform", "DER", "-in", crlURL.path, "-CAfile", caURL.path, "-verify", "-noout",
        ])
        #expect(
            result.status == 0 && result.output.contains("verify OK"), "\(result.output)",
            sourceLocation: sourceLocation)
    }

    /// pkilint's RFC 5280 CRL profile; findings of severity ERROR or FATAL fail the test, and so does a
    /// missing pkilint (see `Judge.pkilint`).
    static func expectLintClean(
        _ der: [UInt8], type: String = "CRL", in directory: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let linter = try Judge.pkilint("lint_crl")
        let url = directory.appendingPathComponent("crl-lint.der")
        try write(der, to: url)
        let result = try OpenSSLProcess.run(linter, ["lint", "-t", type, "-p", "PKIX", "-s", "ERROR", url.path])
        let text = result.text + result.errorOutput
        #expect(
            text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            "pkilint found problems: \(text)", sourceLocation: sourceLocation)
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    // MARK: Reading the DER back

    /// The fields of TBSCertList, in order.
    static func tbsFields(_ der: [UInt8]) throws -> [ASN1Node] {
        let list = try DER.parse(der)
        guard case .constructed(let parts) = list.content, let tbs = Array(parts).first,
            case .constructed(let fields) = tbs.content
        else {
            throw CAError(.invalidInput, "not a CertificateList")
        }
        return Array(fields)
    }

    /// The children of a constructed node.
    static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let children) = node.content else {
            throw CAError(.invalidInput, "\(node.identifier) is not constructed")
        }
        return Array(children)
    }

    /// The revokedCertificates entries, empty if the field is absent.
    static func entries(_ der: [UInt8]) throws -> [ASN1Node] {
        // version, signature, issuer, thisUpdate, nextUpdate come first; a SEQUENCE after them is the list.
        let fields = try tbsFields(der)
        guard fields.count > 5, fields[5].identifier == .sequence else { return [] }
        return try children(fields[5])
    }

    static func primitiveBytes(_ node: ASN1Node) throws -> [UInt8] {
        guard case .primitive(let bytes) = node.content else {
            throw CAError(.invalidInput, "\(node.identifier) is not primitive")
        }
        return Array(bytes)
    }
}
