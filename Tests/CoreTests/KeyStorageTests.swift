import Foundation
import Testing
import X509

@testable import CACore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("FileKeyBackend", .timeLimit(.minutes(10)))
struct KeyStorageTests {
    typealias Support = KeyTestSupport

    private static func backend(in directory: URL) -> FileKeyBackend {
        FileKeyBackend(directory: directory.appendingPathComponent("keys"), iterations: Support.fastIterations)
    }

    private static func mode(of path: String) throws -> mode_t {
        var status = stat()
        try #require(stat(path, &status) == 0, "stat \(path)")
        return status.st_mode & 0o7777
    }

    @Test("creates the directory at 0700 and the key at 0600, and loads a key that signs", arguments: KeyTestSupport.algorithms)
    func createAndLoad(_ algorithm: KeyAlgorithm) throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            let created = try backend.createKey(algorithm, label: "ABCD", password: nil)

            #expect(created.reference == KeyReference(backend: "file", location: "ABCD.key"))
            let path = backend.directory.appendingPathComponent("ABCD.key").path
            #expect(try Self.mode(of: backend.directory.path) == 0o700)
            #expect(try Self.mode(of: path) == 0o600)

            let loaded = try backend.loadSigner(created.reference, password: nil)
            #expect(loaded.publicKey == created.signer.publicKey)
            #expect(try Support.signsValidCertificate(loaded))
            #expect(try !backend.isPasswordProtected(created.reference))
            #expect(backend.describe(created.reference) == "file \(path) (PKCS#8)")

            // The file is plain PKCS#8 that OpenSSL reads.
            #expect(try Support.opensslPublicKey(of: path) == (try Support.subjectPublicKeyInfo(of: created.signer)))
        }
    }

    @Test("a password-protected key needs its password to load")
    func encryptedKey() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            let created = try backend.createKey(.ec(.secp384r1), label: "protected", password: "SECRET")
            let path = backend.directory.appendingPathComponent("protected.key").path

            #expect(try backend.isPasswordProtected(created.reference))
            #expect(backend.describe(created.reference) == "file \(path) (encrypted PKCS#8)")
            #expect(try backend.loadSigner(created.reference, password: "SECRET").publicKey == created.signer.publicKey)

            Support.expectCAError(.keyAccess) { _ = try backend.loadSigner(created.reference, password: nil) }
            Support.expectCAError(.keyAccess) { _ = try backend.loadSigner(created.reference, password: "") }
            let wrong = Support.expectCAError(.keyAccess) { _ = try backend.loadSigner(created.reference, password: "nope") }
            #expect(wrong?.message == "wrong password for the private key")

            try Support.requireOpenSSL(["pkey", "-in", path, "-noout", "-passin", "pass:SECRET"])
            #expect(!(try Support.openssl(["pkey", "-in", path, "-noout", "-passin", "pass:WRONG"])).succeeded)
        }
    }

    @Test("an empty password stores the key unencrypted")
    func emptyPassword() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            let created = try backend.createKey(.ed25519, label: "open", password: "")
            #expect(try !backend.isPasswordProtected(created.reference))
        }
    }

    @Test("never overwrites an existing key")
    func refusesOverwrite() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            let first = try backend.createKey(.ed25519, label: "CA1", password: nil)
            let path = backend.directory.appendingPathComponent("CA1.key")
            let before = try Support.read(path)

            Support.expectCAError(.conflict) { _ = try backend.createKey(.ed25519, label: "CA1", password: nil) }
            let other = try KeyGenerator.generate(.ed25519)
            Support.expectCAError(.conflict) { _ = try backend.importKey(other, label: "CA1", password: "pw") }

            #expect(try Support.read(path) == before)
            #expect(try backend.loadSigner(first.reference, password: nil).publicKey == first.signer.publicKey)
            // No temporary files are left behind by the failed writes.
            let entries = try FileManager.default.contentsOfDirectory(atPath: backend.directory.path)
            #expect(entries == ["CA1.key"])
        }
    }

    @Test("imports an existing key")
    func importKey() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            let key = try KeyGenerator.generate(.rsa(bits: 2048))
            let reference = try backend.importKey(key, label: "imported", password: "pw")
            #expect(reference.location == "imported.key")
            #expect(try backend.loadSigner(reference, password: "pw").publicKey == key.publicKey)
        }
    }

    @Test("removeKey deletes the file and may be repeated")
    func removeKey() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            let created = try backend.createKey(.ec(.secp256r1), label: "gone", password: nil)
            let path = backend.directory.appendingPathComponent("gone.key").path

            try backend.removeKey(created.reference)
            #expect(!FileManager.default.fileExists(atPath: path))
            try backend.removeKey(created.reference)

            let missing = Support.expectCAError(.keyAccess) { _ = try backend.loadSigner(created.reference, password: nil) }
            #expect(missing?.message == "the key file \(path) is missing")
            #expect(backend.describe(created.reference) == "file \(path) (missing)")
            Support.expectCAError(.keyAccess) { _ = try backend.isPasswordProtected(created.reference) }

            // The label is free again.
            _ = try backend.createKey(.ec(.secp256r1), label: "gone", password: nil)
        }
    }

    @Test("tightens an existing key directory to 0700")
    func tightensDirectoryMode() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            try FileManager.default.createDirectory(
                at: backend.directory,
                withIntermediateDirectories: false,
                attributes: [.posixPermissions: 0o755]
            )
            #expect(try Self.mode(of: backend.directory.path) == 0o755)
            _ = try backend.createKey(.ed25519, label: "key", password: nil)
            #expect(try Self.mode(of: backend.directory.path) == 0o700)
        }
    }

    @Test("creates missing parent directories")
    func createsParents() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = FileKeyBackend(directory: directory.appendingPathComponent("ca/dir/keys"))
            _ = try backend.createKey(.ed25519, label: "key", password: nil)
            #expect(try Self.mode(of: backend.directory.path) == 0o700)
        }
    }

    @Test("an unreadable or damaged key file is a key access error")
    func unreadableFile() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            try backend.prepareDirectory()

            // Tests run as root in CI, so permissions cannot make a file unreadable; a directory cannot be read.
            try FileManager.default.createDirectory(
                at: backend.directory.appendingPathComponent("folder.key"),
                withIntermediateDirectories: false
            )
            let unreadable = Support.expectCAError(.keyAccess) {
                _ = try backend.loadSigner(KeyReference(backend: "file", location: "folder.key"), password: nil)
            }
            #expect(unreadable?.message.contains("cannot be read") == true)

            try Support.write("not a key", to: backend.directory.appendingPathComponent("junk.key"))
            let junk = Support.expectCAError(.keyAccess) {
                _ = try backend.loadSigner(KeyReference(backend: "file", location: "junk.key"), password: nil)
            }
            #expect(junk?.message.contains("not a private key in PEM or DER form") == true)
        }
    }

    @Test("reads keys that OpenSSL wrote into the key directory")
    func readsOpenSSLKeyFile() throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            try backend.prepareDirectory()
            let path = backend.directory.appendingPathComponent("external.key").path
            try Support.requireOpenSSL(
                ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes-256-cbc", "-pass", "pass:x", "-out", path]
            )
            let reference = KeyReference(backend: "file", location: "external.key")
            #expect(try backend.isPasswordProtected(reference))
            let key = try backend.loadSigner(reference, password: "x")
            #expect(try Support.subjectPublicKeyInfo(of: key) == (try Support.opensslPublicKey(of: path, password: "x")))
        }
    }

    @Test("labels that are not plain file names are refused", arguments: ["", "../escape", "a/b", ".hidden", "space name", "ü"])
    func badLabels(_ label: String) throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            Support.expectCAError(.invalidInput) { _ = try backend.createKey(.ed25519, label: label, password: nil) }
        }
    }

    @Test(
        "references to other backends or outside the directory are refused",
        arguments: [
            KeyReference(backend: "pkcs11", location: "slot0"),
            KeyReference(backend: "file", location: "../../etc/passwd"),
            KeyReference(backend: "file", location: ".."),
            KeyReference(backend: "file", location: ""),
        ]
    )
    func badReferences(_ reference: KeyReference) throws {
        try Support.withTemporaryDirectory { directory in
            let backend = Self.backend(in: directory)
            Support.expectCAError(.keyAccess) { _ = try backend.loadSigner(reference, password: nil) }
            Support.expectCAError(.keyAccess) { try backend.removeKey(reference) }
            #expect(backend.describe(reference).contains(reference.backend))
        }
    }

    @Test("KeyReference round-trips through JSON as two strings")
    func referenceCoding() throws {
        let reference = KeyReference(backend: "file", location: "ABCD.key")
        let json = try JSONEncoder().encode(reference)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        #expect(object == ["backend": "file", "location": "ABCD.key"])
        #expect(try JSONDecoder().decode(KeyReference.self, from: json) == reference)
    }

    @Test("the backend is usable as an existential")
    func existential() throws {
        try Support.withTemporaryDirectory { directory in
            let backend: any KeyBackend = Self.backend(in: directory)
            #expect(backend.name == "file")
            let created = try backend.createKey(.ec(.secp521r1), label: "any", password: nil)
            #expect(try backend.loadSigner(created.reference, password: nil).publicKey == created.signer.publicKey)
        }
    }
}
