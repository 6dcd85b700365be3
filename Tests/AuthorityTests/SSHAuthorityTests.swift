import CAAuthority
import CACore
import CAStore
import Crypto
import Foundation
import Testing
import X509

/// The OpenSSH CA through `Authority` in process: what it signs parses back with what was asked, refused requests
/// store nothing, revocation reaches the KRL at once, and names are shared with X.509 CAs.
@Suite struct SSHAuthorityTests {
    static func publicKey() throws -> String {
        try SSHPublicKey(Certificate.PrivateKey(Curve25519.Signing.PrivateKey()).publicKey).text(comment: "test")
    }

    @Test func signsStoresAndRevokesThroughTheKRL() async throws {
        try await AuthorityFixture.with { fixture in
            let authority = fixture.authority
            let ca = try await authority.createSSHAuthority(SSHAuthorityCreationRequest(name: "Users", keyAlgorithm: .ec(.secp384r1)))
            var request = SSHSigningRequest(publicKey: try Self.publicKey(), type: .user, principals: ["alice", "deploy"])
            request.criticalOptions = ["force-command=/usr/bin/uptime"]
            request.watchers = ["ops@example.com"]
            let now = Date()
            let issued = try await authority.signSSHCertificate(request, authority: "Users", now: now)
            let parsed = try SSHCertificate(blob: issued.record.certificate)
            #expect(parsed.principals == ["alice", "deploy"] && parsed.type == .user && parsed.caKey.blob == ca.publicKey)
            #expect(parsed.options.criticalOptions == ["force-command": "/usr/bin/uptime"])
            #expect(parsed.options.extensions == SSHCertificateOptions.defaultUserExtensions)
            #expect(Double(parsed.validAfter) <= now.timeIntervalSince1970 - Validity.backdating + 1)

            let view = try await authority.sshCertificate(serial: String(issued.record.serial))
            #expect(view.watchers == ["ops@example.com"] && view.record.revocation == nil)
            let before = try await authority.sshRevocationList(ca)
            _ = try await authority.revokeSSHCertificate(serial: String(issued.record.serial), reason: .keyCompromise)
            let after = try await authority.sshRevocationList(ca)
            var serialBytes = SSHWireWriter()
            serialBytes.uint64(issued.record.serial)
            #expect(!Self.contains(before, serialBytes.bytes) && Self.contains(after, serialBytes.bytes))
            await #expect(throws: CAError.self) {
                _ = try await authority.revokeSSHCertificate(serial: String(issued.record.serial))
            }
        }
    }

    @Test func refusedRequestsStoreNothing() async throws {
        try await AuthorityFixture.with { fixture in
            let authority = fixture.authority
            _ = try await authority.createSSHAuthority(SSHAuthorityCreationRequest(name: "Hosts"))
            let key = try Self.publicKey()
            let refused: [SSHSigningRequest] = [
                SSHSigningRequest(publicKey: key, type: .host, principals: ["not a host"]),
                SSHSigningRequest(publicKey: key, type: .user, principals: ["a,b"]),
                SSHSigningRequest(publicKey: key, type: .user, principals: []),
                SSHSigningRequest(publicKey: "ssh-ed25519 AAAA", type: .user, principals: ["a"]),
                { var request = SSHSigningRequest(publicKey: key, type: .host, principals: ["h.example.com"]); request.extensions = ["permit-pty"]; return request }(),
                { var request = SSHSigningRequest(publicKey: key, type: .user, principals: ["a"]); request.criticalOptions = ["no-such"]; return request }(),
                { var request = SSHSigningRequest(publicKey: key, type: .user, principals: ["a"]); request.watchers = ["not an address"]; return request }(),
            ]
            for request in refused {
                await #expect(throws: CAError.self) { _ = try await authority.signSSHCertificate(request, authority: "Hosts") }
            }
            #expect(try await authority.listSSHCertificates(authority: nil).isEmpty)
            await #expect(throws: CAError.self) {
                _ = try await authority.createSSHAuthority(SSHAuthorityCreationRequest(name: "Hosts"))
            }
            await #expect(throws: CAError.self) {
                _ = try await authority.createSSHAuthority(SSHAuthorityCreationRequest(name: "Weak", keyAlgorithm: .rsa(bits: 2048)))
            }
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<$0 + needle.count]) == needle }
    }
}
