import Foundation
import Testing

/// `swift-ca serve` judged from outside: openssl as OCSP client and CRL checker, pkilint on every CRL and
/// OCSP response, curl for the HTTP contract.
@Suite(.timeLimit(.minutes(10))) struct ServerTests {
    struct Hierarchy {
        let sandbox: Sandbox
        let rootSerial: String
        let intermediateSerial: String
        let root: String
        let intermediate: String
        let good: String
        let bad: String
        let badSerial: String
    }

    /// root → intermediate → two leaves, one of which the test will revoke.
    static func makeHierarchy(keyOptions: [String], hostname: String? = nil) throws -> Hierarchy {
        let sandbox = try Sandbox()
        if let hostname { sandbox.extraEnvironment["CA_DEFAULT_HOSTNAME"] = hostname }
        // The jobs check for due CRLs every second, so that the test need not wait 30 s.
        sandbox.extraEnvironment["CA_JOB_CRL_INTERVAL"] = "1"
        func serial(_ output: String) -> String {
            output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        }
        let rootSerial = serial(try sandbox.expectSuccess(["init-ca", "Root", "CN=Server Root", "--path-length", "1"] + keyOptions))
        let intermediateSerial = serial(
            try sandbox.expectSuccess(["init-ca", "Intermediate", "CN=Server Intermediate", "--parent", "Root"] + keyOptions))
        let csr = try sandbox.makeCSR("leaf")
        let good = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "Intermediate", "--csr", csr, "--alt", "good.example.com"), to: "good.pem")
        let bad = try sandbox.write(
            try sandbox.expectSuccess("sign-cert", "--ca", "Intermediate", "--csr", csr, "--alt", "bad.example.com"), to: "bad.pem")
        let badSerial = serial(try sandbox.expectSuccess("view-cert", "bad.example.com", "--output-format", "serial"))
        let root = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        let intermediate = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Intermediate"), to: "intermediate.pem")
        return Hierarchy(
            sandbox: sandbox, rootSerial: rootSerial, intermediateSerial: intermediateSerial, root: root,
            intermediate: intermediate, good: good, bad: bad, badSerial: badSerial)
    }

    static let keyTypes: [[String]] = [
        ["--key-type", "EC"], ["--key-type", "RSA", "--key-size", "2048"], ["--key-type", "Ed25519"],
    ]

    /// Good, revoked (with reason) and unknown through the `cert/` and `ca/` responders; revocations by
    /// another process answered within a second; served CRLs used by `openssl verify -crl_check`.
    @Test(arguments: keyTypes)
    func revocationStatusIsJudgedByOpenSSL(keyOptions: [String]) throws {
        let hierarchy = try Self.makeHierarchy(keyOptions: keyOptions)
        let sandbox = hierarchy.sandbox
        // Nothing generated beforehand: the server makes the responder keys and CRLs itself.
        let server = try RunningServer(sandbox)
        let leafResponder = "\(server.baseURL)/ca/ocsp/\(hierarchy.intermediateSerial)/cert/"
        let caResponder = "\(server.baseURL)/ca/ocsp/\(hierarchy.rootSerial)/ca/"
        func query(_ certificate: String, issuer: String, url: String, extra: [String] = [], save: String? = nil) throws -> String {
            let result = try sandbox.ocspQuery(
                issuer: issuer, certificate: certificate, url: url, trust: hierarchy.root, extra: extra, saveResponse: save)
            return result.standardOutput + result.standardError
        }

        #expect(try eventually(within: 30) {
            try query(hierarchy.good, issuer: hierarchy.intermediate, url: leafResponder).contains(": good")
        }, "the server never answered good for the leaf")
        for (extra, name) in [([String](), "good-nonce.der"), (["-no_nonce"], "good.der"), (["-no_nonce"], "good-cached.der")] {
            let text = try query(hierarchy.good, issuer: hierarchy.intermediate, url: leafResponder, extra: extra, save: name)
            #expect(text.contains("Response verify OK") && text.contains("good.pem: good"), "\(text)")
            #expect(!text.contains("WARNING"), "\(text)")
            try sandbox.expectOCSPResponseLintClean(name)
        }
        let sha256 = try query(hierarchy.good, issuer: hierarchy.intermediate, url: leafResponder, extra: ["-sha256"])
        #expect(sha256.contains("Response verify OK") && sha256.contains("good.pem: good"), "\(sha256)")

        let unknown = try sandbox.ocspQuery(
            issuer: hierarchy.intermediate, serial: "0x1234567890", url: leafResponder, trust: hierarchy.root, saveResponse: "unknown.der")
        #expect((unknown.standardOutput + unknown.standardError).contains(": unknown"), "\(unknown.standardOutput)")
        try sandbox.expectOCSPResponseLintClean("unknown.der")

        // Revoked by another process while the server runs.
        try sandbox.expectSuccess("revoke-cert", hierarchy.badSerial, "--reason", "key_compromise")
        Thread.sleep(forTimeInterval: 1)
        for extra in [["-no_nonce"], []] {
            let text = try query(hierarchy.bad, issuer: hierarchy.intermediate, url: leafResponder, extra: extra, save: "revoked.der")
            #expect(text.contains("Response verify OK") && text.contains("bad.pem: revoked"), "\(text)")
            #expect(text.contains("Reason: keyCompromise"), "\(text)")
            try sandbox.expectOCSPResponseLintClean("revoked.der")
        }

        // The intermediate, through the root's responder for CAs.
        let intermediateGood = try query(hierarchy.intermediate, issuer: hierarchy.root, url: caResponder, save: "ca-good.der")
        #expect(intermediateGood.contains("Response verify OK") && intermediateGood.contains("intermediate.pem: good"), "\(intermediateGood)")
        try sandbox.expectOCSPResponseLintClean("ca-good.der")

        // CRLs: regenerated by the server after the revocation.
        let userCRL = "\(server.baseURL)/ca/crl/\(hierarchy.intermediateSerial)/"
        #expect(try eventually(within: 60) {
            let exchange = try HTTPExchange.run(sandbox, [userCRL], saveAs: "user.der")
            let text = try sandbox.openssl("crl", "-inform", "DER", "-in", exchange.bodyFile, "-noout", "-text").standardOutput
            return text.contains(hierarchy.badSerial)
        }, "the served CRL never listed the revoked certificate")
        try sandbox.expectCRLLintClean("user.der")
        let pem = try HTTPExchange.run(sandbox, [userCRL + "?encoding=PEM"], saveAs: "user.pem")
        #expect(pem.status == 200 && String(decoding: pem.body, as: UTF8.self).hasPrefix("-----BEGIN X509 CRL-----"))
        let refused = try sandbox.openssl(
            "verify", "-crl_check", "-CRLfile", pem.bodyFile, "-CAfile", hierarchy.root, "-untrusted", hierarchy.intermediate, hierarchy.bad)
        #expect(!refused.succeeded && (refused.standardOutput + refused.standardError).contains("certificate revoked"))
        let accepted = try sandbox.openssl(
            "verify", "-crl_check", "-CRLfile", pem.bodyFile, "-CAfile", hierarchy.root, "-untrusted", hierarchy.intermediate, hierarchy.good)
        #expect(accepted.succeeded, "\(accepted.standardOutput) \(accepted.standardError)")
        for (path, name) in [("crl/ca/\(hierarchy.rootSerial)/", "root-ca.der"), ("crl/\(hierarchy.intermediateSerial)/full/", "full.der")] {
            let exchange = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/\(path)"], saveAs: name)
            #expect(exchange.status == 200 && exchange.headers["content-type"] == "application/pkix-crl")
            try sandbox.expectCRLLintClean(name)
        }

        // Revoking the intermediate reaches the root's `ca/` responder within a second.
        try sandbox.expectSuccess("revoke-ca", "Intermediate", "--reason", "ca_compromise")
        Thread.sleep(forTimeInterval: 1)
        let intermediateRevoked = try query(hierarchy.intermediate, issuer: hierarchy.root, url: caResponder, extra: ["-no_nonce"], save: "ca-revoked.der")
        #expect(intermediateRevoked.contains("intermediate.pem: revoked") && intermediateRevoked.contains("Reason: cACompromise"),
                "\(intermediateRevoked)")
        try sandbox.expectOCSPResponseLintClean("ca-revoked.der")

        let responder = try sandbox.expectSuccess("list-certs", "--autogenerated", "--ca", "Intermediate")
        #expect(responder.contains("OCSP responder"), "\(responder)")
        let stop = server.stop()
        #expect(stop.status == 0, "graceful shutdown should exit 0: \(stop.log)")
    }

    /// Malformed, oversized and misaddressed requests get an OCSP error status or an HTTP 4xx, are logged,
    /// and the server keeps serving; a GET with the request in the path works and carries RFC 5019 headers.
    @Test func badRequestsAreRefusedAndServingGoesOn() throws {
        let hierarchy = try Self.makeHierarchy(keyOptions: ["--key-type", "EC"])
        let sandbox = hierarchy.sandbox
        // As cron would: responder keys, CRLs and pre-signed responses made by the commands.
        #expect(try sandbox.expectSuccess("generate-ocsp-keys").contains("created"))
        #expect(try sandbox.expectSuccess("generate-crls").contains("user CRL #0 stored"))
        #expect(try sandbox.expectSuccess("generate-crls").contains("user CRL is current"))
        #expect(try sandbox.expectSuccess("generate-ocsp-responses").contains("responses signed"))
        let server = try RunningServer(sandbox)
        let responder = "\(server.baseURL)/ca/ocsp/\(hierarchy.intermediateSerial)/cert/"
        let request = sandbox.path("request.der")
        #expect(try sandbox.openssl("ocsp", "-issuer", hierarchy.intermediate, "-cert", hierarchy.good, "-no_nonce", "-reqout", request).succeeded)
        let ocspType = ["-H", "Content-Type: application/ocsp-request"]

        func responderStatus(_ exchange: HTTPExchange) throws -> String {
            try sandbox.openssl("ocsp", "-respin", exchange.bodyFile, "-resp_text", "-noverify").standardOutput
        }
        let random = sandbox.path("random.bin")
        _ = FileManager.default.createFile(atPath: random, contents: Data((0..<300).map { _ in UInt8.random(in: 0...255) }))
        let truncated = sandbox.path("truncated.der")
        _ = FileManager.default.createFile(atPath: truncated, contents: try Data(contentsOf: URL(fileURLWithPath: request)).prefix(20))
        for (body, name) in [("", "empty"), ("@" + random, "random"), ("@" + truncated, "truncated")] {
            let exchange = try HTTPExchange.run(sandbox, ["-X", "POST"] + ocspType + ["--data-binary", body, responder], saveAs: name)
            #expect(exchange.status == 200)
            #expect(try responderStatus(exchange).contains("malformedrequest"), "\(name)")
        }
        let big = sandbox.path("big.bin")
        _ = FileManager.default.createFile(atPath: big, contents: Data(count: 10 * 1024 * 1024))
        #expect(try HTTPExchange.run(sandbox, ["-X", "POST"] + ocspType + ["--data-binary", "@" + big, responder], saveAs: "big").status == 413)
        let wrongType = try HTTPExchange.run(
            sandbox, ["-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "@" + request, responder], saveAs: "type")
        #expect(wrongType.status == 415)
        let unknownCA = try HTTPExchange.run(
            sandbox, ["-X", "POST"] + ocspType + ["--data-binary", "@" + request, "\(server.baseURL)/ca/ocsp/ABCDEF/cert/"], saveAs: "unknown-ca")
        #expect(try responderStatus(unknownCA).contains("unauthorized"))
        // The root did not issue the leaf: its responder must not answer for it.
        let wrongIssuer = try HTTPExchange.run(
            sandbox, ["-X", "POST"] + ocspType + ["--data-binary", "@" + request, "\(server.baseURL)/ca/ocsp/\(hierarchy.rootSerial)/cert/"],
            saveAs: "issuer")
        #expect(try responderStatus(wrongIssuer).contains("unauthorized"))
        #expect(try responderStatus(try HTTPExchange.run(sandbox, [responder + "%%%not-base64"], saveAs: "b64")).contains("malformedrequest"))
        #expect(try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/crl/NOTHEX/"], saveAs: "crl404").status == 404)
        #expect(try HTTPExchange.run(sandbox, ["-X", "DELETE", "\(server.baseURL)/ca/crl/\(hierarchy.rootSerial)/"], saveAs: "405").status == 405)

        // GET, RFC 6960 Appendix A.1: base64 of the DER request, percent-encoded, in the path.
        let encoded = try Data(contentsOf: URL(fileURLWithPath: request)).base64EncodedString()
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let get = try HTTPExchange.run(sandbox, [responder + encoded], saveAs: "get.der")
        #expect(get.status == 200 && get.headers["content-type"] == "application/ocsp-response")
        let verified = try sandbox.openssl(
            "ocsp", "-respin", get.bodyFile, "-reqin", request, "-issuer", hierarchy.intermediate, "-cert", hierarchy.good,
            "-CAfile", hierarchy.root)
        #expect((verified.standardOutput + verified.standardError).contains("good.pem: good"), "\(verified.standardOutput) \(verified.standardError)")
        let cacheControl = get.headers["cache-control"] ?? ""
        #expect(cacheControl.contains("max-age=") && cacheControl.contains("public"), "\(cacheControl)")
        if let age = cacheControl.split(separator: ",").first.flatMap({ Int($0.replacingOccurrences(of: "max-age=", with: "")) }) {
            #expect(age > 0 && age <= 86_400)
        }
        #expect(get.headers["last-modified"] != nil && get.headers["expires"] != nil && get.headers["etag"] != nil)

        let issuer = try HTTPExchange.run(sandbox, ["\(server.baseURL)/ca/issuer/\(hierarchy.intermediateSerial).der"], saveAs: "issuer.der")
        #expect(issuer.status == 200 && issuer.headers["content-type"] == "application/pkix-cert")
        #expect(try sandbox.openssl("x509", "-inform", "DER", "-in", issuer.bodyFile, "-noout").succeeded)

        #expect(try HTTPExchange.run(sandbox, ["\(server.baseURL)/healthz"], saveAs: "health").status == 200)
        let metrics = String(decoding: try HTTPExchange.run(sandbox, ["\(server.baseURL)/metrics"], saveAs: "metrics").body, as: UTF8.self)
        #expect(metrics.contains("swift_ca_ocsp_responses_total{source=\"stored\"}"), "\(metrics)")
        #expect(metrics.contains("swift_ca_http_requests_total"))
        let stop = server.stop()
        #expect(stop.status == 0)
        #expect(stop.log.contains("malformedRequest") && stop.log.contains("refused"), "bad requests are logged: \(stop.log)")
    }

    /// The strongest check: pyhanko-certvalidator validates the leaf with hard-fail revocation, fetching the
    /// CRLs and OCSP responses from the URLs swift-ca wrote into the certificates, served by swift-ca.
    @Test func pathValidationWithHardFailRevocationThroughOwnURLs() throws {
        let port = try FreePort.find()
        let hierarchy = try Self.makeHierarchy(keyOptions: ["--key-type", "EC"], hostname: "127.0.0.1:\(port)")
        let sandbox = hierarchy.sandbox
        try sandbox.expectSuccess("generate-ocsp-keys")
        try sandbox.expectSuccess("generate-crls")
        let server = try RunningServer(sandbox, arguments: ["--port", String(port)])
        let valid = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: hierarchy.good)
        #expect(valid.status == 0 && valid.standardOutput.contains("valid"), "\(valid.standardOutput) \(valid.standardError)")

        try sandbox.expectSuccess("revoke-cert", hierarchy.badSerial, "--reason", "key_compromise")
        // The CRLs follow within CA_JOB_CRL_INTERVAL (1 s here); pyhanko checks both CRL and OCSP.
        #expect(try eventually(within: 30) {
            try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: hierarchy.bad).status == 1
        }, "pyhanko never saw the leaf as revoked")
        let revoked = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: hierarchy.bad)
        #expect(revoked.standardOutput.contains("revoked"), "\(revoked.standardOutput) \(revoked.standardError)")
        let stillValid = try Judges.validatePath(root: hierarchy.root, intermediate: hierarchy.intermediate, leaf: hierarchy.good)
        #expect(stillValid.status == 0, "\(stillValid.standardOutput) \(stillValid.standardError)")
        #expect(server.stop().status == 0)
    }
}
