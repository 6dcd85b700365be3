import CACore
import CAStore
import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509
@testable import CAAuthority

/// `Authority.sign` takes the CA from a copy read within the last second and checks it inside the transaction
/// that stores the certificate. Two Authorities over one database play two server nodes: what one node changes
/// about a CA, the other obeys at once, whatever its copy says.
@Suite(.timeLimit(.minutes(10))) struct SigningSnapshotTests {
    final class Node: Sendable {
        let authority: Authority
        init(directory: String, database: TemporaryDatabase) async throws {
            var settings = Settings.defaults(home: directory)
            settings.caDirectory = directory + "/ca"
            settings.databaseURL = try DatabaseLocation.parse(database.url)
            authority = try await Authority.open(settings: settings)
        }
    }

    static func csr(for name: String) throws -> [UInt8] {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let request = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(name) }, privateKey: key, attributes: CertificateSigningRequest.Attributes(),
            signatureAlgorithm: .ecdsaWithSHA256)
        return Array(try request.serializeAsPEM().pemString.utf8)
    }

    static func request(_ name: String) -> SigningRequest {
        var request = SigningRequest()
        request.subject = "CN=\(name)"
        request.alternativeNames = ["DNS:\(name)"]
        return request
    }

    static func storedCount(_ node: Node, authority serial: String) async throws -> Int {
        var filter = CertificateFilter()
        filter.authoritySerial = serial
        filter.includeExpired = true
        filter.includeRevoked = true
        return try await node.authority.listCertificates(filter).count
    }

    @Test func aCADisabledOrRevokedOnAnotherNodeRefusesAtOnceAndNothingIsStored() async throws {
        let directory = NSTemporaryDirectory() + "swift-ca-authority-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try TemporaryDatabase(directory: directory)
        let signer = try await Node(directory: directory, database: database)
        let other = try await Node(directory: directory, database: database)
        defer {
            Task {
                await signer.authority.close()
                await other.authority.close()
            }
        }
        let ca = try await signer.authority.createAuthority(
            AuthorityCreationRequest(name: "Root", subject: "CN=Snapshot Root", keyAlgorithm: .ec(.secp256r1)))

        _ = try await signer.authority.sign(csr: try Self.csr(for: "a.example"), request: Self.request("a.example"), authority: ca.serial, password: nil)
        let enabled = try await signer.authority.authorities()

        // The signing node's copy is set to what it read before each change, so that every signature below
        // starts from a stale copy however slowly the test runs.
        _ = try await other.authority.editAuthority(
            ca.serial, name: nil, enabled: false, signTemplateChanges: SignTemplateChanges(), website: nil, termsOfService: nil, caaIdentity: nil)
        let disabled = try await other.authority.authorities()
        signer.authority.authoritySnapshot.remember(enabled, readAt: Date())
        await #expect {
            try await signer.authority.sign(csr: try Self.csr(for: "b.example"), request: Self.request("b.example"), authority: ca.serial, password: nil)
        } throws: { error in
            (error as? CAError)?.kind == .policy && "\(error)".contains("disabled")
        }
        #expect(try await Self.storedCount(signer, authority: ca.serial) == 1)

        // Enabled again elsewhere: the copy that says disabled does not refuse either.
        _ = try await other.authority.editAuthority(
            ca.serial, name: nil, enabled: true, signTemplateChanges: SignTemplateChanges(), website: nil, termsOfService: nil, caaIdentity: nil)
        signer.authority.authoritySnapshot.remember(disabled, readAt: Date())
        _ = try await signer.authority.sign(csr: try Self.csr(for: "c.example"), request: Self.request("c.example"), authority: ca.serial, password: nil)
        #expect(try await Self.storedCount(signer, authority: ca.serial) == 2)

        _ = try await other.authority.revokeAuthority(ca.serial, reason: .keyCompromise, compromisedAt: nil)
        signer.authority.authoritySnapshot.remember(enabled, readAt: Date())
        await #expect {
            try await signer.authority.sign(csr: try Self.csr(for: "d.example"), request: Self.request("d.example"), authority: ca.serial, password: nil)
        } throws: { error in
            (error as? CAError)?.kind == .policy && "\(error)".contains("revoked")
        }
        #expect(try await Self.storedCount(signer, authority: ca.serial) == 2)
    }
}
