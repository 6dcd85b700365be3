import CACore
import Crypto
import Foundation
import Testing
import X509

/// OpenSSH's wire types, keys, certificates and KRLs as Core writes and reads them.
@Suite struct SSHFormatTests {
    @Test func mpintsUseTheFewestBytesAndASignByteWhenNeeded() throws {
        var writer = SSHWireWriter()
        writer.mpint(unsigned: [0x00, 0x00, 0x7F])
        writer.mpint(unsigned: [0x80])
        writer.mpint(unsigned: [0x00])
        #expect(writer.bytes == [0, 0, 0, 1, 0x7F, 0, 0, 0, 2, 0x00, 0x80, 0, 0, 0, 0])
        var reader = SSHWireReader(writer.bytes, what: "test")
        #expect(try reader.unsignedMPInt() == [0x7F] && reader.unsignedMPInt() == [0x80] && reader.unsignedMPInt() == [])
        try reader.finish()
    }

    @Test func truncatedNegativeAndTrailingDataAreErrors() {
        var short = SSHWireReader([0, 0, 0, 9, 1, 2], what: "the blob")
        #expect(throws: CAError.self) { _ = try short.string() }
        var negative = SSHWireReader([0, 0, 0, 1, 0x80], what: "the blob")
        #expect(throws: CAError.self) { _ = try negative.unsignedMPInt() }
        var trailing = SSHWireReader([0, 0, 0, 0, 7], what: "the blob")
        #expect(throws: CAError.self) {
            _ = try trailing.string()
            try trailing.finish()
        }
    }

    @Test(arguments: [KeyAlgorithm.ed25519, .ec(.secp256r1), .ec(.secp384r1), .ec(.secp521r1), .rsa(bits: 2048)])
    func publicKeysRoundTripThroughTheirTextForm(_ algorithm: KeyAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        let ssh = try SSHPublicKey(key.publicKey)
        let parsed = try SSHPublicKey(text: ssh.text(comment: "someone@example.com"))
        #expect(parsed == ssh && parsed.algorithm == algorithm && parsed.fingerprint.hasPrefix("SHA256:"))
    }

    @Test func certificatesParseBackWithEveryField() throws {
        let caKey = try KeyGenerator.generate(.ec(.secp256r1))
        var options = SSHCertificateOptions()
        try options.addCriticalOption("source-address=10.0.0.0/8,192.0.2.1")
        try options.addExtension("permit-pty")
        var certificate = SSHCertificate(
            publicKey: try SSHPublicKey(try KeyGenerator.generate(.rsa(bits: 2048)).publicKey), serial: 42, type: .host, keyID: "web",
            principals: ["web.example.com", "*.example.com"], validAfter: 1_700_000_000, validBefore: UInt64.max, options: options,
            caKey: try SSHPublicKey(caKey.publicKey))
        try certificate.sign(with: caKey)
        let parsed = try SSHCertificate(blob: certificate.blob)
        #expect(parsed.serial == 42 && parsed.type == .host && parsed.keyID == "web" && parsed.principals == certificate.principals)
        #expect(parsed.validBefore == UInt64.max && parsed.options == options && parsed.publicKey == certificate.publicKey)
        #expect(certificate.text().hasPrefix("ssh-rsa-cert-v01@openssh.com AAAA"))
    }

    @Test func refusedKeysAndOptionsSayWhy() {
        #expect(throws: CAError.self) { _ = try SSHPublicKey(text: "ssh-ed25519 not-base64!") }
        #expect(throws: CAError.self) { _ = try SSHPublicKey(text: "ssh-ed25519") }
        var options = SSHCertificateOptions()
        #expect(throws: CAError.self) { try options.addCriticalOption("source-address=10.0.0.0/33") }
        #expect(throws: CAError.self) { try options.addCriticalOption("force-command=") }
        #expect(throws: CAError.self) { try options.addExtension("permit-root") }
    }

    @Test func revocationListsStartWithTheMagicAndListSortedSerials() throws {
        let caKey = try SSHPublicKey(try KeyGenerator.generate(.ed25519).publicKey)
        let list = SSHRevocationList(caKey: caKey, revokedSerials: [9, 3, 9], version: 7, generated: Date(timeIntervalSince1970: 0), comment: "")
        let bytes = list.bytes
        #expect(Array(bytes.prefix(8)) == Array("SSHKRL\n\0".utf8))
        var tail = SSHWireWriter()
        tail.byte(0x20)
        tail.string([0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9])
        #expect(Array(bytes.suffix(tail.bytes.count)) == tail.bytes)
    }

    @Test func sshKeygenTimesAreUTC() throws {
        #expect(try SSHValidityTime.parse("20270131", option: "t") == Date(timeIntervalSince1970: 1_801_353_600))
        #expect(try SSHValidityTime.parse("202701311200", option: "t") == Date(timeIntervalSince1970: 1_801_396_800))
        #expect(try SSHValidityTime.parse("2027-01-31T12:00:00Z", option: "t") == Date(timeIntervalSince1970: 1_801_396_800))
        #expect(throws: CAError.self) { _ = try SSHValidityTime.parse("20271341", option: "t") }
        #expect(throws: CAError.self) { _ = try SSHValidityTime.parse("2027013", option: "t") }
    }
}
