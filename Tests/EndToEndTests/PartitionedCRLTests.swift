import Foundation
import Testing

/// Partitioned (sharded) CRLs and delta CRLs, fetched from the URLs the certificates name and judged by openssl,
/// pkilint and pyhanko-certvalidator.
@Suite struct PartitionedCRLTests {
    /// A root, and an intermediate without OCSP (so that the judges can only use its CRLs) with the given options.
    struct Hierarchy {
        let sandbox: Sandbox
        let port: Int
        let intermediateSerial: String
        let root: String
        let intermediate: String
        let csr: String

        init(intermediateOptions: [String]) throws {
            sandbox = try Sandbox()
            port = try FreePort.find()
            sandbox.extraEnvironment["CA_DEFAULT_HOSTNAME"] = "127.0.0.1:\(port)"
            sandbox.extraEnvironment["CA_JOB_CRL_INTERVAL"] = "1"
            try sandbox.expectSuccess("init-ca", "Root", "CN=Shard Root", "--key-type", "EC", "--path-length", "1")
            intermediateSerial = Self.serial(try sandbox.expectSuccess(
                ["init-ca", "Intermediate", "CN=Shard Intermediate", "--key-type", "EC", "--parent", "Root", "--no-ocsp"]
                    + intermediateOptions))
            root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
            intermediate = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Intermediate"), to: "intermediate.pem")
            csr = try sandbox.makeCSR("leaf")
        }

        static func serial(_ output: String) -> String {
            output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        }

        /// Signs a leaf and returns its file, serial and the URL of its CRL Distribution Points.
        func sign(_ name: String) throws -> (file: String, serial: String, crlURL: String) {
            let file = try sandbox.write(
                try sandbox.expectSuccess("sign-cert", "--ca", "Intermediate", "--csr", csr, "--alt", "\(name).example.com"),
                to: "\(name).pem")
            let serial = Self.serial(try sandbox.expectSuccess("view-cert", "\(name).example.com", "--output-format", "serial"))
            let points = try sandbox.openssl("x509", "-in", file, "-noout", "-ext", "crlDistributionPoints").standardOutput
            let url = points.components(separatedBy: "URI:").dropFirst().first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return (file, serial, url)
        }

        /// GETs a URL the CA wrote (http://127.0.0.1:<port>/...) and saves the DER CRL.
        func fetch(_ url: String, as name: String) throws -> String {
            let exchange = try HTTPExchange.run(sandbox, [url], saveAs: name)
            #expect(exchange.status == 200, "\(url): \(exchange.status)")
            return exchange.bodyFile
        }

        /// openssl verify with CRL checks for the leaf and the given CRL files; "OK", or the error line.
        func verify(_ leaf: String, crls: [String], extra: [String] = []) throws -> String {
            var arguments = ["verify", "-crl_check", "-CAfile", root, "-untrusted", intermediate] + extra
            // -CRLfile reads DER as well as PEM.
            for crl in crls { arguments += ["-CRLfile", crl] }
            let result = try runProgram("/usr/bin/env", ["openssl"] + arguments + [leaf], directory: sandbox.directory)
            return result.succeeded ? "OK" : result.standardOutput + result.standardError
        }
    }

    /// Shards: each new certificate names one of the CA's shard URLs, chosen from its serial; the shard's CRL,
    /// fetched from that URL, has a critical IDP with the same URL and only that shard's revocations. openssl finds the
    /// revoked certificate revoked and refuses another shard's CRL for it; pyhanko validates through the shard URLs with
    /// hard-fail; the job signs again only the shard that changed; certificates from before sharding stay on the full
    /// CRL; pkilint is clean. Out-of-range shards and fewer shards are refused.
    @Test func shardedCRLsAreFetchedFromTheirOwnURLsAndJudged() throws {
        let hierarchy = try Hierarchy(intermediateOptions: [])
        let sandbox = hierarchy.sandbox
        let serial = hierarchy.intermediateSerial
        let before = try hierarchy.sign("before")
        #expect(before.crlURL.hasSuffix("/ca/crl/\(serial)/"), "\(before.crlURL)")
        try sandbox.expectSuccess("edit-ca", "Intermediate", "--crl-shards", "4")
        #expect(try sandbox.expectSuccess("view-ca", "Intermediate").contains("CRL shards: 4"))

        // Enough leaves that at least two shards are used (the chance that 12 random serials share one is 4^-11).
        var leaves: [(file: String, serial: String, crlURL: String)] = []
        for index in 0..<12 { leaves.append(try hierarchy.sign("leaf\(index)")) }
        func shard(_ url: String) -> Int? {
            guard let range = url.range(of: "/shard/") else { return nil }
            return Int(url[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "/")))
        }
        let shards = leaves.map { shard($0.crlURL) }
        #expect(shards.allSatisfy { $0 != nil && (0..<4).contains($0!) }, "\(leaves.map(\.crlURL))")
        let revoked = leaves[0]
        guard let other = leaves.first(where: { shard($0.crlURL) != shard(revoked.crlURL) }) else {
            Issue.record("every leaf fell into one shard")
            return
        }
        #expect(revoked.crlURL.hasPrefix("http://127.0.0.1:\(hierarchy.port)/ca/crl/\(serial)/shard/"))

        try sandbox.expectSuccess("generate-crls")
        try sandbox.expectSuccess("revoke-cert", revoked.serial, "--reason", "key_compromise")
        let jobOutput = try sandbox.expectSuccess("generate-crls")
        let revokedShard = shard(revoked.crlURL)!
        #expect(jobOutput.contains("shard \(revokedShard) CRL #1 stored"), "\(jobOutput)")
        for untouched in (0..<4).filter({ $0 != revokedShard }) {
            #expect(jobOutput.contains("shard \(untouched) CRL is current"), "\(jobOutput)")
        }

        let server = try RunningServer(sandbox, arguments: ["--port", String(hierarchy.port)])
        defer { server.stop() }
        let revokedShardCRL = try hierarchy.fetch(revoked.crlURL, as: "revoked-shard.crl")
        let otherShardCRL = try hierarchy.fetch(other.crlURL, as: "other-shard.crl")
        let fullCRL = try hierarchy.fetch(before.crlURL, as: "user.crl")
        let idp = try sandbox.openssl("crl", "-in", revokedShardCRL, "-inform", "DER", "-noout", "-text").standardOutput
        #expect(idp.contains("Issuing Distribution Point: critical") && idp.contains("URI:\(revoked.crlURL)"), "\(idp)")
        #expect(idp.contains(revoked.serial), "the shard lists its revoked certificate: \(idp)")
        let otherText = try sandbox.openssl("crl", "-in", otherShardCRL, "-inform", "DER", "-noout", "-text").standardOutput
        #expect(!otherText.contains(revoked.serial), "another shard does not list it: \(otherText)")

        #expect(try hierarchy.verify(revoked.file, crls: [revokedShardCRL]).contains("certificate revoked"))
        #expect(try hierarchy.verify(other.file, crls: [otherShardCRL]) == "OK")
        // The wrong shard does not cover the certificate: its IDP names another URL than the certificate's CDP.
        let wrongShard = try hierarchy.verify(revoked.file, crls: [otherShardCRL])
        #expect(wrongShard.contains("different CRL scope") || wrongShard.contains("unable to get certificate CRL"), "\(wrongShard)")
        // The certificate from before sharding is judged by the CRL it names, which lists every revocation.
        #expect(try hierarchy.verify(before.file, crls: [fullCRL]) == "OK")
        #expect(try hierarchy.verify(revoked.file, crls: [fullCRL]).contains("certificate revoked"))
        for crl in [revokedShardCRL, otherShardCRL, fullCRL] { try sandbox.expectCRLLintClean(URL(fileURLWithPath: crl).lastPathComponent) }

        let valid = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: other.file)
        #expect(valid.status == 0, "\(valid.standardOutput) \(valid.standardError)")
        let refused = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: revoked.file)
        #expect(refused.status == 1 && refused.standardOutput.contains("revoked"), "\(refused.standardOutput) \(refused.standardError)")

        // A shard the server does not have, a shard number out of range, fewer shards: refused, nothing changes.
        #expect(try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/crl/\(serial)/shard/4/"], saveAs: "missing").status == 404)
        #expect(try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/crl/\(serial)/shard/01/"], saveAs: "padded").status == 404)
        try sandbox.expectFailure(["dump-crl", "--ca", "Intermediate", "--shard", "4", "out.crl"], mentioning: "numbered 0 to 3")
        try sandbox.expectFailure(["dump-crl", "--ca", "Root", "--shard", "0", "out.crl"], mentioning: "has no CRL shards")
        try sandbox.expectFailure(
            ["dump-crl", "--ca", "Intermediate", "--shard", "0", "--only-contains-ca-certs", "out.crl"], mentioning: "--shard takes no")
        try sandbox.expectFailure(["edit-ca", "Intermediate", "--crl-shards", "2"], mentioning: "cannot have fewer than 4")
        try sandbox.expectFailure(["edit-ca", "Intermediate", "--crl-shards", "0"], mentioning: "cannot have fewer than 4")
        try sandbox.expectFailure(["edit-ca", "Intermediate", "--crl-shards", "5000"], mentioning: "between 0 (none) and 1024")
        #expect(try sandbox.expectSuccess("view-ca", "Intermediate").contains("CRL shards: 4"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("out.crl")))
        // More shards are fine: certificates keep the shard they name.
        try sandbox.expectSuccess("edit-ca", "Intermediate", "--crl-shards", "8")
        try sandbox.expectSuccess("dump-crl", "--ca", "Intermediate", "--shard", String(revokedShard), "--format", "DER", "again.crl")
        #expect(try sandbox.openssl("crl", "-in", sandbox.path("again.crl"), "-inform", "DER", "-noout", "-text").standardOutput
            .contains(revoked.serial))
        let newShard = try sandbox.expectSuccess("dump-crl", "--ca", "Intermediate", "--shard", "7")
        #expect(newShard.contains("BEGIN X509 CRL"))
        // A CA without a hostname has no URLs to name shards by.
        sandbox.extraEnvironment["CA_DEFAULT_HOSTNAME"] = nil
        try sandbox.expectFailure(["init-ca", "Bare", "CN=Bare", "--key-type", "EC", "--crl-shards", "2"], mentioning: "no default hostname")
        #expect(!(try sandbox.expectSuccess("list-cas")).contains("Bare"))
    }

    /// Deltas: the complete CRL names its delta in a Freshest CRL extension and keeps its schedule; after a
    /// revocation the server publishes a delta (Delta CRL Indicator = the base's number, a larger number from the same
    /// sequence) that lists it. openssl -use_deltas finds the revocation that only the delta has; pyhanko validates with
    /// hard-fail through the URLs; pkilint is clean on base and delta.
    @Test func deltaCRLsCarryWhatTheBaseDoesNotYetList() async throws {
        let hierarchy = try Hierarchy(intermediateOptions: ["--crl-deltas"])
        let sandbox = hierarchy.sandbox
        let serial = hierarchy.intermediateSerial
        let good = try hierarchy.sign("good")
        let bad = try hierarchy.sign("bad")
        let freshest = try sandbox.openssl("x509", "-in", good.file, "-noout", "-ext", "freshestCRL").standardOutput
        #expect(freshest.contains("/ca/crl/\(serial)/delta/"), "certificates name the delta: \(freshest)")
        try sandbox.expectFailure(["dump-crl", "--ca", "Intermediate", "--delta"], mentioning: "to be the base of a delta CRL")

        let server = try RunningServer(sandbox, arguments: ["--port", String(hierarchy.port)])
        defer { server.stop() }
        let deltaURL = "\(server.baseURL)/ca/crl/\(serial)/delta/"
        #expect(try await eventuallyAsync(within: 30) {
            try HTTPExchange.run(sandbox, [deltaURL], saveAs: "first-delta.crl").status == 200
        }, "the server publishes a delta next to the complete CRL")
        let valid = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: good.file)
        #expect(valid.status == 0, "\(valid.standardOutput) \(valid.standardError)")

        let base = try hierarchy.fetch(good.crlURL, as: "base.crl")
        let baseText = try sandbox.openssl("crl", "-in", base, "-inform", "DER", "-noout", "-text").standardOutput
        #expect(baseText.contains("Freshest CRL") && baseText.contains("/ca/crl/\(serial)/delta/"), "\(baseText)")
        let baseNumber = try Self.crlNumber(sandbox, base)

        try sandbox.expectSuccess("revoke-cert", bad.serial, "--reason", "key_compromise")
        var deltaText = ""
        #expect(try await eventuallyAsync(within: 30) {
            guard try HTTPExchange.run(sandbox, [deltaURL], saveAs: "delta.crl").status == 200 else { return false }
            deltaText = try sandbox.openssl("crl", "-in", sandbox.path("delta.crl"), "-inform", "DER", "-noout", "-text").standardOutput
            return deltaText.contains(bad.serial)
        }, "the delta lists the revocation within CA_JOB_CRL_INTERVAL")
        let delta = sandbox.path("delta.crl")
        // The base keeps its schedule: still the same CRL, without the revocation.
        let sameBase = try hierarchy.fetch(good.crlURL, as: "base-again.crl")
        #expect(try Self.crlNumber(sandbox, sameBase) == baseNumber)
        #expect(!(try sandbox.openssl("crl", "-in", sameBase, "-inform", "DER", "-noout", "-text").standardOutput.contains(bad.serial)))
        #expect(deltaText.contains("Delta CRL Indicator: critical"), "\(deltaText)")
        #expect(Self.deltaBase(deltaText) == baseNumber, "\(deltaText)")
        #expect(try Self.crlNumber(sandbox, delta) > baseNumber)

        #expect(try hierarchy.verify(bad.file, crls: [base]) == "OK", "the base alone does not know of the revocation")
        #expect(try hierarchy.verify(bad.file, crls: [base, delta], extra: ["-use_deltas"]).contains("certificate revoked"))
        #expect(try hierarchy.verify(good.file, crls: [base, delta], extra: ["-use_deltas"]) == "OK")
        try sandbox.expectCRLLintClean("base.crl")
        try sandbox.expectCRLLintClean("delta.crl")

        #expect(try await eventuallyAsync(within: 30) {
            try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: bad.file).status == 1
        }, "pyhanko finds the revocation through base and delta")
        let stillValid = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: good.file)
        #expect(stillValid.status == 0, "\(stillValid.standardOutput) \(stillValid.standardError)")

        // dump-crl --delta writes the delta on the stored base; a scope without a stored base, a CA without deltas,
        // and deltas of a shard are refused.
        let dumped = try sandbox.write(try sandbox.expectSuccess("dump-crl", "--ca", "Intermediate", "--delta", "--only-contains-user-certs"), to: "dumped.pem")
        #expect(try sandbox.openssl("crl", "-in", dumped, "-noout", "-text").standardOutput.contains(bad.serial))
        try sandbox.expectFailure(
            ["dump-crl", "--ca", "Intermediate", "--delta", "--only-some-reasons", "key_compromise"], mentioning: "to be the base of a delta CRL")
        try sandbox.expectFailure(["dump-crl", "--ca", "Root", "--delta"], mentioning: "publishes no delta CRLs")
        try sandbox.expectFailure(["dump-crl", "--ca", "Intermediate", "--delta", "--shard", "0"], mentioning: "--shard takes no")
    }

    static func crlNumber(_ sandbox: Sandbox, _ file: String) throws -> Int {
        let output = try sandbox.openssl("crl", "-in", file, "-inform", "DER", "-noout", "-crlnumber").standardOutput
        let hex = output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "crlNumber=0x", with: "")
        return Int(hex, radix: 16) ?? -1
    }

    /// The base CRL number in `openssl crl -text` output.
    static func deltaBase(_ text: String) -> Int? {
        guard let range = text.range(of: "Delta CRL Indicator: critical") else { return nil }
        let rest = text[range.upperBound...].split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return rest.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
