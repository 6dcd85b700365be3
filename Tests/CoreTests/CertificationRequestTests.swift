import Foundation
import SwiftASN1
import Testing
@testable import CACore

/// PKCS#10 requests made by openssl, read by `CertificationRequest`.
@Suite(.timeLimit(.minutes(10))) struct CertificationRequestTests {
    func opensslRequest(_ keyOptions: [String], digest: String? = nil) throws -> [UInt8] {
        let directory = try OpenSSLProcess.makeTemporaryDirectory(prefix: "swift-ca-csr")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("request.der").path
        var arguments = ["req", "-new"] + keyOptions + ["-nodes", "-keyout", directory.appendingPathComponent("key.pem").path,
                                                         "-subj", "/CN=test/O=Example", "-addext", "subjectAltName=DNS:test",
                                                         "-outform", "DER", "-out", out]
        if let digest { arguments.append("-" + digest) }
        let result = try OpenSSLProcess.run(arguments)
        try #require(result.succeeded, "\(result.errorOutput)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    @Test(arguments: [
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ["-newkey", "rsa:2048"], ["-newkey", "ed25519"],
    ])
    func requestsFromOpenSSLVerify(keyOptions: [String]) throws {
        let request = try CertificationRequest(derEncoded: try opensslRequest(keyOptions))
        #expect(request.isSignedByItsKey)
        #expect(KeyAlgorithm(publicKey: request.publicKey) != nil)
        #expect(try DER.parse(Array(request.subjectPublicKeyInfo)).identifier == .sequence)
    }

    @Test func aChangedSignatureDoesNotVerify() throws {
        let original = try opensslRequest(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        #expect(try CertificationRequest(derEncoded: original).isSignedByItsKey)
        var der = original
        // The last bytes are inside the ECDSA signature's s, which the parser carries but does not decode: the
        // changed request must still parse, so that it is the signature check that refuses it.
        der[der.count - 3] ^= 0x01
        let request = try CertificationRequest(derEncoded: der)
        #expect(Array(request.signedBytes) == Array(try CertificationRequest(derEncoded: original).signedBytes))
        #expect(!request.isSignedByItsKey)
    }

    @Test func aChangedKeyDoesNotVerify() throws {
        let first = try CertificationRequest(derEncoded: try opensslRequest(["-newkey", "ed25519"]))
        let second = try CertificationRequest(derEncoded: try opensslRequest(["-newkey", "ed25519"]))
        #expect(!second.publicKey.isValidSignature(first.signature, for: first.signedBytes, signatureAlgorithm: .ed25519))
    }

    @Test func sha1SignedRequestsAreRefusedByName() throws {
        let der = try opensslRequest(["-newkey", "rsa:2048"], digest: "sha1")
        let error = try #require(throws: CAError.self) { try CertificationRequest(derEncoded: der) }
        #expect(error.message.contains("1.2.840.113549.1.1.5"))
    }

    @Test(arguments: [[UInt8](), [0x30, 0x00], [0x30, 0x03, 0x02, 0x01, 0x00], Array(repeating: 0x30, count: 40)])
    func malformedBytesThrow(bytes: [UInt8]) {
        #expect(throws: (any Error).self) { try CertificationRequest(derEncoded: bytes) }
    }
}
