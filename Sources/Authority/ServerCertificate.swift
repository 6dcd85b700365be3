import CACore
import CAStore
import Foundation
import X509

/// The certificate `serve --tls-ca` uses for its own HTTPS: issued by one of its CAs through the ordinary
/// issuance path (so it is listed, revocable and published like any other), kept in `<CA_DIR>/tls/` and
/// renewed at start once two thirds of its lifetime have passed.
public struct ServerCertificateFiles: Sendable {
    public let certificatePath: String
    public let keyPath: String
}

extension Authority {
    public func ensureServerCertificate(authority identifier: String, names: [String], now: Date = Date()) async throws -> ServerCertificateFiles {
        guard let first = names.first else { throw CAError(.invalidInput, "--tls-name needs at least one name") }
        let directory = (settings.caDirectory as NSString).appendingPathComponent("tls")
        let base = (directory as NSString).appendingPathComponent(first.replacingOccurrences(of: "/", with: "_"))
        let files = ServerCertificateFiles(certificatePath: base + ".pem", keyPath: base + ".key")
        if let existing = try? String(contentsOfFile: files.certificatePath, encoding: .utf8),
            let certificate = try? Certificate(pemEncoded: existing), FileManager.default.fileExists(atPath: files.keyPath)
        {
            let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
            if certificate.notValidBefore.addingTimeInterval(lifetime * 2 / 3) > now { return files }
        }
        let record = try await resolveAuthority(identifier, enabledOnly: true)
        let key = try KeyGenerator.generate(.ec(.secp256r1))
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(first) }, privateKey: key,
            attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
        var request = SigningRequest()
        request.profile = "webserver"
        request.subject = "CN=\(first)"
        request.alternativeNames = names.map { IPAddressText.addressBytes($0) == nil ? "DNS:\($0)" : "IP:\($0)" }
        request.commonNameInAlternativeNames = false
        let issued = try await sign(
            csr: try csr.serializeAsPEM().derBytes, request: request, authority: record.serial,
            password: settings.configuredPassword(forSerial: record.serial))
        var pem = try issued.certificate.pemString() + "\n"
        // The chain without the root, as TLS servers send it.
        for certificate in issued.chain.dropLast() { pem += try certificate.pemString() + "\n" }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let keyPEM = try PrivateKeyCoding.pkcs8PEM(key)
            guard FileManager.default.createFile(atPath: files.keyPath, contents: Data(keyPEM.utf8), attributes: [.posixPermissions: 0o600]),
                FileManager.default.createFile(atPath: files.certificatePath, contents: Data(pem.utf8))
            else {
                throw CAError(.storage, "cannot write the server certificate to \(directory)")
            }
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.storage, "cannot write the server certificate to \(directory): \(error.localizedDescription)")
        }
        return files
    }
}
