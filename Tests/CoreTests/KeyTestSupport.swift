import Foundation
import SwiftASN1
import Testing
import X509

@testable import CACore

/// Helpers for the key tests, kept in one namespace so they cannot clash with other test files.
enum KeyTestSupport {
    /// Iterations used where the test is not about the default: 600,000 rounds take about half a second.
    static let fastIterations = 1000

    /// A fresh directory under the system temporary directory, removed when `body` returns.
    static func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
        let base = try OpenSSLProcess.makeTemporaryDirectory(prefix: "swift-ca-keys")
        defer { try? FileManager.default.removeItem(at: base) }
        return try body(base)
    }

    typealias ProcessResult = OpenSSLProcess.Result

    static func openssl(_ arguments: [String]) throws -> ProcessResult {
        try OpenSSLProcess.run(arguments)
    }

    /// Runs `openssl` and fails the test with its error output if it exits non-zero.
    @discardableResult
    static func requireOpenSSL(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws
        -> ProcessResult
    {
        let result = try openssl(arguments)
        try #require(
            result.succeeded,
            "openssl \(arguments.joined(separator: " ")) failed: \(result.errorOutput)",
            sourceLocation: sourceLocation
        )
        return result
    }

    /// The DER SubjectPublicKeyInfo that OpenSSL derives from a key file.
    static func opensslPublicKey(of path: String, password: String? = nil) throws -> [UInt8] {
        var arguments = ["pkey", "-in", path, "-pubout", "-outform", "DER"]
        if let password {
            arguments += ["-passin", "pass:\(password)"]
        }
        return try requireOpenSSL(arguments).output
    }

    /// The DER SubjectPublicKeyInfo of a key, in the form `openssl pkey -pubout -outform DER` prints.
    static func subjectPublicKeyInfo(of key: Certificate.PrivateKey) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(key.publicKey)
        return serializer.serializedBytes
    }

    /// Bytes from a hex literal written in a test; a typo fails the test instead of crashing it.
    static func bytes(hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        let bytes = Hex.decode(hex) ?? []
        #expect(bytes.count * 2 == hex.count, "bad hex literal \(hex)", sourceLocation: sourceLocation)
        return bytes
    }

    /// Lower-case hex, as `openssl enc -K` and `-iv` take it.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    static func read(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    /// Asserts that `body` throws a `CAError` of `kind` and returns it for further checks.
    @discardableResult
    static func expectCAError(
        _ kind: CAError.Kind,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) -> CAError? {
        do {
            try body()
            Issue.record("expected CAError(.\(kind)), but nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as CAError {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), "message is not one line", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected CAError(.\(kind)), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Signs a small self-signed certificate with `key` and checks the signature, which proves the key works.
    static func signsValidCertificate(_ key: Certificate.PrivateKey) throws -> Bool {
        let name = try DistinguishedName { CommonName("swift-ca key test") }
        let now = Date()
        let signatureAlgorithm = try #require(key.supportedSignatureAlgorithms.first)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now,
            notValidAfter: now.addingTimeInterval(3600),
            issuer: name,
            subject: name,
            signatureAlgorithm: signatureAlgorithm,
            extensions: Certificate.Extensions(),
            issuerPrivateKey: key
        )
        return key.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    /// Every key type swift-ca generates, with a name for test output.
    static let algorithms: [KeyAlgorithm] = [.rsa(bits: 2048), .ec(.secp256r1), .ec(.secp384r1), .ec(.secp521r1), .ed25519]
}
