import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The small authoritative DNS server the ACME tests answer dns-01 and CAA lookups with
/// (Judges/dns_server.py, dnslib). It re-reads its zone file on every query, so tests and hooks edit it live.
final class TestDNSServer {
    let process = Process()
    let port: Int
    let zoneFile: String

    init(_ sandbox: Sandbox, records: [[String: Any]] = []) throws {
        zoneFile = sandbox.path("zone.json")
        try Self.write(records: records, to: zoneFile)
        port = try Judges.startServer(process, script: "dns_server.py", arguments: ["--port", "0", "--zone", zoneFile], what: "the test DNS server")
    }

    static func write(records: [[String: Any]], to file: String) throws {
        let data = try JSONSerialization.data(withJSONObject: ["records": records])
        try data.write(to: URL(fileURLWithPath: file))
    }

    deinit {
        ChildProcess.stop(process, grace: 5)
    }
}

/// A CA hierarchy with ACME on the intermediate, served over HTTPS with a certificate from the root, and
/// a validator pointed at loopback: every test name resolves to 127.0.0.1 and the challenge ports are free
/// ports the clients listen on.
final class ACMEInstallation {
    let sandbox: Sandbox
    let dns: TestDNSServer
    let server: RunningServer
    let rootFile: String
    let intermediateSerial: String
    let http01Port: Int
    let tlsALPN01Port: Int

    static let names = ["web.example.test", "lego.example.test", "tls.example.test", "eab.example.test", "renew.example.test",
                        "forbidden.example.test", "example.test", "bad.example.test"]

    /// `allowPrivateAddresses: false` leaves CA_ACME_ALLOW_PRIVATE_ADDRESSES off, as in production: every test
    /// name then resolves to an address the validator must refuse.
    /// `prepare` runs on the new sandbox before any CA exists (an HSM test configures its token there).
    init(keyType: String = "EC", dnsRecords: [[String: Any]] = [], intermediateOptions: [String] = [],
         allowPrivateAddresses: Bool = true, prepare: (Sandbox) throws -> Void = { _ in }) throws {
        sandbox = try Sandbox()
        try prepare(sandbox)
        let rootSerial = try sandbox.expectSuccess("init-ca", "Root", "CN=ACME Test Root", "--key-type", keyType, "--path-length", "1")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        intermediateSerial = try sandbox.expectSuccess(
            ["init-ca", "Intermediate", "CN=ACME Test Intermediate", "--key-type", keyType, "--parent", "Root", "--acme-enable",
             "--caa", "ca.example.test"] + intermediateOptions
        ).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        _ = rootSerial
        rootFile = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        dns = try TestDNSServer(sandbox, records: dnsRecords)
        http01Port = try FreePort.find()
        tlsALPN01Port = try FreePort.find()
        sandbox.extraEnvironment.merge([
            "CA_ACME_HTTP01_PORT": String(http01Port), "CA_ACME_TLSALPN01_PORT": String(tlsALPN01Port),
            "CA_ACME_STATIC_HOSTS": Self.names.map { "\($0)=127.0.0.1" }.joined(separator: ","),
            "CA_ACME_DNS_SERVER": "127.0.0.1:\(dns.port)", "CA_ACME_ALLOW_PRIVATE_ADDRESSES": allowPrivateAddresses ? "true" : "false",
        ]) { _, new in new }
        server = try RunningServer(sandbox, arguments: ["--tls-ca", "Root", "--tls-name", "localhost"])
    }

    /// https://localhost:PORT/ca/acme/directory/<intermediate>/
    var directoryURL: String {
        server.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/ca/acme/directory/\(intermediateSerial)/"
    }

    /// `openssl verify` of a leaf against the root with the intermediate as untrusted chain.
    func verify(certificate: String, chain: String) throws -> CommandResult {
        try sandbox.openssl("verify", "-CAfile", rootFile, "-untrusted", chain, certificate)
    }
}

extension Judges {
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Judges/\(name)").path
    }

    /// Runs a judge's server script with the judges' python and waits for its `ready PORT` line; returns the port.
    static func startServer(_ process: Process, script name: String, arguments: [String], what: String) throws -> Int {
        process.executableURL = URL(fileURLWithPath: Binaries.pkilint("python"))
        process.arguments = [script(name)] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A server that neither announces itself nor dies is killed at firstLine's deadline.
        let line = ChildProcess.firstLine(of: output.fileHandleForReading, from: process)
        guard line.hasPrefix("ready "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            ChildProcess.stop(process, grace: 5)
            throw ServerStartFailure(message: "\(what) did not start: \(line)")
        }
        return port
    }
}
