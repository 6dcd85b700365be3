import CACore
import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

/// Cross-checks the encodings against OpenSSL: a certificate built from parsed names must show
/// the intended string types, RDN order and subject alternative names.
@Suite("Names in a certificate, read by OpenSSL", .timeLimit(.minutes(10)))
struct NameEncodingOpenSSLTests {
    static let subject =
        "C=AT,ST=Wien,L=Wien,O=Müller GmbH,OU=IT+CN=ca.example.com,emailAddress=admin@example.com,"
        + "DC=example,serialNumber=1234"

    static let alternativeNames = [
        "DNS:example.com", "IP:192.0.2.1", "IP:2001:db8::1", "email:user@example.com", "URI:https://example.com/",
        "RID:1.2.3.4", "dirname:C=AT,CN=dir", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com",
    ]

    private func makeCertificate(extensions: Certificate.Extensions) throws -> Certificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try SubjectParser.parse(Self.subject)
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: key.publicKey,
            notValidBefore: now,
            notValidAfter: now.addingTimeInterval(3600),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
    }

    /// Writes the certificate to a temporary file and runs `openssl x509 -in <file> -noout` with the arguments.
    private func openSSLOutput(_ certificate: Certificate, _ arguments: [String]) throws -> String {
        let directory = try NameTestSupport.TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("certificate.pem")
        try certificate.serializeAsPEM().pemString.write(to: file, atomically: true, encoding: .utf8)
        return try NameTestSupport.OpenSSLRunner.run(["x509", "-in", file.path, "-noout"] + arguments)
    }

    /// The output lines without surrounding blanks and with runs of spaces collapsed.
    private func normalizedLines(_ output: String) -> [String] {
        output.split(separator: "\n").map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }.filter { !$0.isEmpty }
    }

    @Test("subject in RFC 2253 form (which OpenSSL prints last RDN first)")
    func subjectRFC2253() throws {
        let certificate = try makeCertificate(extensions: Certificate.Extensions())
        let output = try openSSLOutput(certificate, ["-subject", "-nameopt", "RFC2253,sep_comma_plus"])
        #expect(
            normalizedLines(output) == [
                "subject=serialNumber=1234,DC=example,emailAddress=admin@example.com,CN=ca.example.com+OU=IT,"
                    + "O=M\\C3\\BCller GmbH,L=Wien,ST=Wien,C=AT"
            ]
        )
    }

    @Test("subject string types and RDN order")
    func subjectStringTypes() throws {
        let certificate = try makeCertificate(extensions: Certificate.Extensions())
        let output = try openSSLOutput(certificate, ["-subject", "-nameopt", "multiline,show_type"])
        // OpenSSL shows the UTF-8 "ü" it decoded as the code point \FC.
        #expect(
            normalizedLines(output) == [
                "subject=",
                "countryName = PRINTABLESTRING:AT",
                "stateOrProvinceName = UTF8STRING:Wien",
                "localityName = UTF8STRING:Wien",
                "organizationName = UTF8STRING:M\\FCller GmbH",
                "organizationalUnitName = UTF8STRING:IT + commonName = UTF8STRING:ca.example.com",
                "emailAddress = IA5STRING:admin@example.com",
                "domainComponent = IA5STRING:example",
                "serialNumber = PRINTABLESTRING:1234",
            ]
        )
    }

    @Test("subject alternative names")
    func subjectAlternativeNames() throws {
        let names = try Self.alternativeNames.map { try GeneralNameParser.parse($0) }
        let certificate = try makeCertificate(extensions: try Certificate.Extensions { SubjectAlternativeNames(names) })
        let output = try openSSLOutput(certificate, ["-ext", "subjectAltName"])
        // 1.3.6.1.4.1.311.20.2.3 is Microsoft's UPN, which OpenSSL decodes only if the [0] EXPLICIT
        // wrapper and the UTF8String inside are right.
        #expect(
            normalizedLines(output) == [
                "X509v3 Subject Alternative Name:",
                "DNS:example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, email:user@example.com, "
                    + "URI:https://example.com/, Registered ID:1.2.3.4, DirName:/C=AT/CN=dir, "
                    + "othername: UPN::user@example.com",
            ]
        )
    }

    @Test("name constraints with networks and domains")
    func nameConstraints() throws {
        let permitted = try ["IP:10.0.0.0/8", "IP:2001:db8::/32", "DNS:.example.com", "email:.example.com"]
            .map { try GeneralNameParser.parse($0, allowNetworks: true) }
        let excluded = try ["DNS:bad.example.com", "IP:10.1.0.0/16"].map {
            try GeneralNameParser.parse($0, allowNetworks: true)
        }
        let constraints = NameConstraints(permittedSubtrees: permitted, excludedSubtrees: excluded)
        let certificate = try makeCertificate(extensions: try Certificate.Extensions { Critical(constraints) })
        let output = try openSSLOutput(certificate, ["-ext", "nameConstraints"])
        #expect(
            normalizedLines(output) == [
                "X509v3 Name Constraints: critical",
                "Permitted:",
                "IP:10.0.0.0/255.0.0.0",
                "IP:2001:DB8:0:0:0:0:0:0/FFFF:FFFF:0:0:0:0:0:0",
                "DNS:.example.com",
                "email:.example.com",
                "Excluded:",
                "DNS:bad.example.com",
                "IP:10.1.0.0/255.255.0.0",
            ]
        )
    }
}

extension NameTestSupport {
    /// A directory under the system temporary directory, removed by the test that made it.
    struct TemporaryDirectory {
        let url: URL

        init() throws {
            url = try OpenSSLProcess.makeTemporaryDirectory(prefix: "swift-ca-names")
        }

        func remove() {
            try? FileManager.default.removeItem(at: url)
        }
    }

    enum OpenSSLRunner {
        struct Failure: Error, CustomStringConvertible {
            let description: String
        }

        /// Runs openssl and returns its standard output; throws if it exits with an error.
        static func run(_ arguments: [String]) throws -> String {
            let result = try OpenSSLProcess.run(arguments)
            guard result.succeeded else {
                throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(result.errorOutput)")
            }
            return result.text
        }
    }
}
