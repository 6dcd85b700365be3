import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of `swift-ca serve` while API clients sign and revoke: whatever the server acknowledged must have
/// been durable when it said so.
@Suite(.timeLimit(.minutes(10))) struct CrashDurabilityTests {
    @Test func everyAcknowledgedSignatureAndRevocationSurvivesKill9() async throws {
        let api = try APIFixture()
        let csr = try api.sandbox.write(try api.csrPEM("load"), to: "load.csr")
        let output = api.sandbox.directory + "/acknowledged.json"
        let python = Binaries.pkilint("python")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/api_load.py").path
        let load = Process()
        load.executableURL = URL(fileURLWithPath: python)
        load.arguments = [script, api.server.baseURL, api.rootSerial, api.tokens["operator"] ?? "", csr, output, "16"]
        try load.run()
        // Long enough for hundreds of signatures and revocations to be in flight when the server dies.
        try await Task.sleep(nanoseconds: 3_000_000_000)
        kill(api.server.process.processIdentifier, SIGKILL)
        api.server.process.waitUntilExit()
        load.waitUntilExit()
        #expect(load.terminationStatus == 0)
        let acknowledged = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: [String]]
        let signed = Set(acknowledged?["signed"] ?? [])
        let revoked = Set(acknowledged?["revoked"] ?? [])
        #expect(signed.count > 20 && revoked.count > 5, "too little load to judge: \(signed.count) signed, \(revoked.count) revoked")

        // Every certificate answered 201 is stored, and every revocation answered 200 is recorded.
        let listing = try api.sandbox.expectSuccess("list-certs", "--revoked", "--expired")
        let listed = Set(listing.split(separator: "\n").compactMap { $0.split(separator: " ").first.map {
            $0.replacingOccurrences(of: ":", with: "") } })
        let missing = signed.subtracting(listed)
        #expect(missing.isEmpty, "answered 201 but not stored: \(missing.sorted().prefix(5))")

        // The next CRL lists every acknowledged revocation (openssl reads it).
        let crl = api.sandbox.directory + "/after-crash.crl"
        try api.sandbox.expectSuccess("dump-crl", "--ca", api.rootSerial, crl)
        let crlText = try api.sandbox.openssl("crl", "-in", crl, "-noout", "-text").standardOutput
        let crlSerials = Set(crlText.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("Serial Number: ") else { return nil }
            return String(trimmed.dropFirst("Serial Number: ".count)).uppercased()
        })
        let notInCRL = revoked.filter { serial in !crlSerials.contains(serial) && !crlSerials.contains("0" + serial) }
        #expect(notInCRL.isEmpty, "answered 200 to a revocation but not in the CRL: \(notInCRL.sorted().prefix(5))")

        // And OCSP on a restarted server says so, for a sample of them.
        let restarted = try RunningServer(api.sandbox)
        defer { restarted.stop() }
        for serial in revoked.sorted().prefix(3) {
            let answer = try api.sandbox.ocspQuery(
                issuer: api.rootPEM, serial: "0x" + serial, url: "\(restarted.baseURL)/ca/ocsp/\(api.rootSerial)/cert/", trust: api.rootPEM)
            #expect(answer.standardOutput.contains(": revoked"), "OCSP for \(serial): \(answer.standardOutput) \(answer.standardError)")
        }
    }
}
