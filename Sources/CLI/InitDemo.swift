import ArgumentParser
import CAAuthority
import CACore
import Foundation
import X509

struct InitDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-demo",
        abstract: "Create a demo hierarchy in CA_DIR: a root, an intermediate and a few certificates (one revoked).")

    @Flag(help: "Do not run openssl to verify the result.") var noVerify = false

    func run() async throws {
        try await CommandRunner.run { authority in
            guard try await authority.authorities().isEmpty else {
                throw CAError(.conflict, "init-demo needs an empty CA_DIR; \(authority.settings.caDirectory) already has CAs")
            }
            let directory = (authority.settings.caDirectory as NSString).appendingPathComponent("demo")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

            var rootRequest = AuthorityCreationRequest(
                name: "Root", subject: "CN=Example Root CA,O=Example", keyAlgorithm: .ec(.secp384r1))
            rootRequest.pathLength = 1
            rootRequest.defaultHostname = authority.settings.defaultHostname ?? "ca.example.com"
            let root = try await authority.createAuthority(rootRequest)
            var intermediateRequest = AuthorityCreationRequest(
                name: "Intermediate", subject: "CN=Example Issuing CA,O=Example", keyAlgorithm: .ec(.secp256r1))
            intermediateRequest.parent = root.serial
            intermediateRequest.defaultHostname = rootRequest.defaultHostname
            let intermediate = try await authority.createAuthority(intermediateRequest)
            try write(try root.certificate().pemString(), to: path("root.pem"))
            try write(try intermediate.certificate().pemString(), to: path("intermediate.pem"))

            var lines: [String] = [
                "Created CA \"Root\" (\(SerialNumberText.colonSeparated(root.serial)))",
                "Created CA \"Intermediate\" (\(SerialNumberText.colonSeparated(intermediate.serial)))",
            ]
            let hosts: [(name: String, profile: String, key: KeyAlgorithm)] = [
                ("www.example.com", "webserver", .ec(.secp256r1)),
                ("mail.example.com", "server", .rsa(bits: 2048)),
                ("user@example.com", "enduser", .ed25519),
                ("revoked.example.com", "webserver", .ec(.secp256r1)),
            ]
            var revokedSerial = ""
            for host in hosts {
                let key = try KeyGenerator.generate(host.key)
                let csr = try CertificateSigningRequest(
                    version: .v1, subject: try SubjectParser.parse("CN=\(host.name)"), privateKey: key,
                    attributes: .init(), signatureAlgorithm: try SignatureHash.signatureAlgorithm(for: host.key, hash: nil))
                var request = SigningRequest()
                request.subject = "CN=\(host.name)"
                request.profile = host.profile
                let issued = try await authority.sign(
                    csr: try Self.der(csr), request: request, authority: intermediate.serial, password: nil)
                try write(try PrivateKeyCoding.pkcs8PEM(key), to: path("\(host.name).key"))
                try write(try issued.certificate.pemString(), to: path("\(host.name).pem"))
                lines.append("Signed \(host.name) (\(host.profile), \(host.key)): \(SerialNumberText.colonSeparated(issued.record.serial))")
                if host.name.hasPrefix("revoked") { revokedSerial = issued.record.serial }
            }
            _ = try await authority.revoke(revokedSerial, reason: .keyCompromise, compromisedAt: nil)
            lines.append("Revoked revoked.example.com (key_compromise)")
            lines.append("")
            lines.append("Files are in \(directory). Verify them with openssl:")
            let commands = hosts.map {
                "openssl verify -CAfile \(path("root.pem")) -untrusted \(path("intermediate.pem")) \(path("\($0.name).pem"))"
            }
            lines.append(contentsOf: commands.map { "  " + $0 })
            lines.append("revoked.example.com passes these checks because they consult no CRL; `list-certs --revoked` shows it revoked.")
            for line in lines { print(line) }
            if !noVerify { try Self.verify(commands) }
        }
    }

    func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CAError(.storage, "cannot write \(path)") }
    }

    static func der(_ csr: CertificateSigningRequest) throws -> [UInt8] {
        Array(try csr.serializeAsPEM().derBytes)
    }

    /// Runs the printed commands so that the demo proves itself with a tool swift-ca did not write.
    static func verify(_ commands: [String]) throws {
        print("")
        fflush(nil)
        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command.split(separator: " ").map(String.init)
            do {
                try process.run()
            } catch {
                print("openssl was not found; run the commands above yourself")
                return
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CAError(.storage, "openssl could not verify: \(command)")
            }
        }
    }
}
