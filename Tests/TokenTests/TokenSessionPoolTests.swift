import CACore
import Foundation
import Testing
import X509

@testable import CAHSM

/// The session pool of one SoftHSM2 token, in this process: concurrent signatures borrow sessions of their own, and
/// every signature verifies. SoftHSM reads SOFTHSM2_CONF once, when the module is first initialised, so this
/// process uses one token, made here.
@Suite(.serialized) struct TokenSessionPoolTests {
    static let library = "/usr/lib/softhsm/libsofthsm2.so"

    /// A token labelled `label` in a new temp directory, with SOFTHSM2_CONF pointing at it.
    static func makeToken(label: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: library) else { return nil }
        let directory = NSTemporaryDirectory() + "swift-ca-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/tokens", withIntermediateDirectories: true)
        let configuration = directory + "/softhsm2.conf"
        try "directories.tokendir = \(directory)/tokens\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", configuration, 1)
        let initialise = Process()
        initialise.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        initialise.arguments = ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", "1234", "--so-pin", "5678"]
        initialise.standardOutput = FileHandle.nullDevice
        try initialise.run()
        initialise.waitUntilExit()
        return initialise.terminationStatus == 0 ? directory : nil
    }

    @Test func concurrentSignaturesBorrowSessionsOfTheirOwnAndAllVerify() async throws {
        guard let directory = try Self.makeToken(label: "pool-token") else {
            Issue.record("SoftHSM2 is not installed (Debian's softhsm2; .ci/run installs it)")
            return
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let backend = HSMKeyBackend(alias: "hsm", libraryPath: Self.library, tokenLabel: "pool-token", userPIN: "1234")
        let created = try backend.createKey(.ec(.secp256r1), label: "pool-key", password: nil)
        let signer = try backend.loadSigner(created.reference, password: nil)
        #expect(signer.publicKey == created.signer.publicKey)

        let workers = 6
        let signaturesEach = 100
        let verified = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    // Each worker runs on a thread of its own, as the server's request handlers do.
                    try await withCheckedThrowingContinuation { continuation in
                        Thread.detachNewThread {
                            do {
                                var good = 0
                                for index in 0..<signaturesEach {
                                    let name = try DistinguishedName { CommonName("worker \(worker) certificate \(index)") }
                                    let certificate = try Certificate(
                                        version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signer.publicKey,
                                        notValidBefore: Date(), notValidAfter: Date().addingTimeInterval(3_600), issuer: name, subject: name,
                                        signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: signer)
                                    if signer.publicKey.isValidSignature(certificate.signature, for: certificate) { good += 1 }
                                }
                                continuation.resume(returning: good)
                            } catch {
                                continuation.resume(throwing: error)
                            }
                        }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(verified == workers * signaturesEach)
        let token = try backend.token(pin: nil)
        #expect(token.openSessions > 1, "concurrent signatures shared one session")
        #expect(token.openSessions <= token.maximumSessions)
    }
}
