import CACore
import CAStore
import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509
@testable import CAAuthority

/// CRL shards and delta CRLs through `Authority` in process: which shard a certificate goes into, what the job signs
/// after a revocation, the numbers a complete CRL and its deltas take, and what is refused.
@Suite(.timeLimit(.minutes(10))) struct RevocationListLayoutTests {
    static func createCA(_ fixture: AuthorityFixture, shards: Int?, deltas: Bool) async throws -> AuthorityRecord {
        var request = AuthorityCreationRequest(name: "Layout", subject: "CN=Layout Root", keyAlgorithm: .ec(.secp256r1))
        request.defaultHostname = "ca.example.com"
        request.revocationListLayout = RevocationListLayoutChanges(shards: shards, deltas: deltas)
        return try await fixture.authority.createAuthority(request)
    }

    static func signCertificates(_ fixture: AuthorityFixture, ca: String, count: Int) async throws -> [CertificateRecord] {
        let csrs = try (0..<count).map { _ in
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let request = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName("leaf.example.com") }, privateKey: key,
                attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
            var serializer = DER.Serializer()
            try serializer.serialize(request)
            return serializer.serializedBytes
        }
        var request = SigningRequest()
        request.subject = "CN=leaf.example.com"
        request.alternativeNames = ["DNS:leaf.example.com"]
        return try await fixture.authority.signBatch(csrs: csrs, request: request, authority: ca, password: nil)
    }

    static func generated(_ outcomes: [CRLGenerationOutcome]) -> Set<String> {
        Set(outcomes.compactMap { outcome in
            if case .generated = outcome.result { return outcome.profile }
            return nil
        })
    }

    /// The shard follows from the serial's last eight bytes; each certificate names its shard's URL and keeps it.
    @Test func theShardComesFromTheSerialAndIsStoredWithTheCertificate() async throws {
        #expect(RevocationListLayout.shard(of: Certificate.SerialNumber(bytes: [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07]), count: 4) == 3)
        #expect(RevocationListLayout.shard(of: Certificate.SerialNumber(bytes: [0x05]), count: 64) == 5)
        try await AuthorityFixture.with { fixture in
            let ca = try await Self.createCA(fixture, shards: 4, deltas: false)
            let issued = try await Self.signCertificates(fixture, ca: ca.serial, count: 40)
            for record in issued {
                let certificate = try record.certificate()
                let shard = RevocationListLayout.shard(of: certificate.serialNumber, count: 4)
                #expect(record.crlShard == shard)
                let points = try #require(try certificate.extensions.first { $0.oid == CRLDistributionPoints.oid }.map(CRLDistributionPoints.init))
                #expect(points.points.first?.fullName == [.uniformResourceIdentifier("http://ca.example.com/ca/crl/\(ca.serial)/shard/\(shard)/")])
                let stored = try await fixture.authority.store.read { try await $0.certificate(serial: record.serial) }
                #expect(stored?.crlShard == shard)
            }
            #expect(Set(issued.compactMap(\.crlShard)).count > 1, "40 random serials fall into more than one of 4 shards")
        }
    }

    /// After one revocation the job signs that certificate's shard and nothing else of the shards; with deltas it
    /// signs the deltas and keeps the complete CRLs; a delta's number follows its base's in one sequence.
    @Test func theJobSignsOnlyWhatARevocationChanged() async throws {
        try await AuthorityFixture.with { fixture in
            let authority = fixture.authority
            let ca = try await Self.createCA(fixture, shards: 8, deltas: true)
            let issued = try await Self.signCertificates(fixture, ca: ca.serial, count: 16)
            let first = try await authority.generateRevocationLists(serials: [ca.serial])
            #expect(Self.generated(first) == Set(["ca", "full", "user", "ca delta", "full delta", "user delta"] + (0..<8).map { "shard \($0)" }))
            #expect(Self.generated(try await authority.generateRevocationLists(serials: [ca.serial])).isEmpty, "nothing changed")

            let victim = issued[0]
            _ = try await authority.revoke(victim.serial, reason: .keyCompromise, compromisedAt: nil)
            let after = try await authority.generateRevocationLists(serials: [ca.serial])
            #expect(Self.generated(after) == ["ca delta", "full delta", "user delta", "shard \(victim.crlShard!)"])

            let base = try #require(try await authority.storedRevocationList(authority: ca.serial, scope: "user"))
            let delta = try #require(try await authority.storedRevocationList(authority: ca.serial, scope: "user#delta"))
            #expect(delta.number > base.number)
            let deltaList = try CertificateRevocationListText(delta.crlDER ?? [])
            #expect(deltaList.baseNumber == base.number)
            #expect(deltaList.serials == [victim.serial])
            #expect(try CertificateRevocationListText(base.crlDER ?? []).serials.isEmpty, "the complete CRL keeps its schedule")
            let shardList = try #require(try await authority.storedRevocationList(authority: ca.serial, scope: "shard-\(victim.crlShard!)"))
            #expect(try CertificateRevocationListText(shardList.crlDER ?? []).serials == [victim.serial])
        }
    }

    /// Out-of-range shards, fewer shards after issuing into them, deltas of a shard or without a stored base, and a
    /// CA without hostname: each refused with its reason, and the CA stays as it was.
    @Test func badLayoutsAreRefusedAndChangeNothing() async throws {
        try await AuthorityFixture.with { fixture in
            let authority = fixture.authority
            let ca = try await Self.createCA(fixture, shards: 4, deltas: false)
            var request = RevocationListRequest(shard: 4, validity: 3_600)
            await #expect(throws: CAError.self) { try await authority.makeRevocationList(authority: ca.serial, request: request, password: nil) }
            request.shard = 0
            request.delta = true
            await #expect(throws: CAError.self) { try await authority.makeRevocationList(authority: ca.serial, request: request, password: nil) }
            var delta = RevocationListRequest()
            delta.delta = true
            await #expect(throws: CAError.self) { try await authority.makeRevocationList(authority: ca.serial, request: delta, password: nil) }

            // Fewer shards are fine while no certificate names one; not afterwards.
            _ = try await authority.editAuthority(
                ca.serial, name: nil, enabled: nil, signTemplateChanges: SignTemplateChanges(), website: nil, termsOfService: nil,
                caaIdentity: nil, revocationListLayout: RevocationListLayoutChanges(shards: 2))
            _ = try await Self.signCertificates(fixture, ca: ca.serial, count: 1)
            await #expect(throws: CAError.self) {
                try await authority.editAuthority(
                    ca.serial, name: nil, enabled: nil, signTemplateChanges: SignTemplateChanges(), website: nil, termsOfService: nil,
                    caaIdentity: nil, revocationListLayout: RevocationListLayoutChanges(shards: 1))
            }
            let stored = try await authority.store.read { try await $0.authority(serial: ca.serial) }
            #expect(try stored?.configurationValue().crlShards == 2)

            var bare = AuthorityCreationRequest(name: "Bare", subject: "CN=Bare", keyAlgorithm: .ec(.secp256r1))
            bare.revocationListLayout = RevocationListLayoutChanges(deltas: true)
            await #expect(throws: CAError.self) { try await authority.createAuthority(bare) }
            #expect(try await authority.store.read { try await $0.allAuthorities() }.count == 1)
        }
    }
}

/// What a test needs of a CRL: its serials (hex, as stored) and its Delta CRL Indicator, read with swift-asn1.
struct CertificateRevocationListText {
    var serials: [String] = []
    var baseNumber: Int?

    init(_ der: [UInt8]) throws {
        let root = try DER.parse(der)
        guard case .constructed(let outer) = root.content, let tbs = Array(outer).first, case .constructed(let fields) = tbs.content else {
            throw CAError(.invalidInput, "not a CRL")
        }
        for field in fields {
            if field.identifier == .sequence, case .constructed(let entries) = field.content {
                for entry in entries {
                    guard case .constructed(let parts) = entry.content, let serial = Array(parts).first,
                        case .primitive(let bytes) = serial.content, serial.identifier == .integer
                    else { continue }
                    serials.append(SerialNumberText.hex(bytes: Array(bytes.drop { $0 == 0 })))
                }
            }
            if field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), case .constructed(let wrapper) = field.content,
                let extensions = Array(wrapper).first, case .constructed(let list) = extensions.content
            {
                for node in list {
                    let ext = try Certificate.Extension(derEncoded: node)
                    if ext.oid == DeltaCRLIndicator.oid { baseNumber = try DeltaCRLIndicator(ext).baseNumber }
                }
            }
        }
    }
}
