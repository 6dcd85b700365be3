import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation

/// Keeps each CA key as a PKCS#8 PEM file `<label>.key` in one directory (normally `CA_DIR/keys`).
///
/// The directory is kept at mode 0700 and every key file at 0600. A key file is written to a temporary file
/// beside it, flushed to disk and only then given its final name, so a crash never leaves a half-written key,
/// and an existing key is never replaced.
public struct FileKeyBackend: KeyBackend {
    /// The value of ``KeyReference/backend`` for keys in files.
    public static let backendName = "file"

    /// The directory holding the key files.
    public let directory: URL
    /// PBKDF2 rounds for password-protected keys; lowered only by tests.
    public let iterations: Int

    public var name: String { Self.backendName }

    /// - Parameters:
    ///   - directory: The key directory; created on the first write if it does not exist.
    ///   - iterations: PBKDF2 rounds used when a key is stored with a password.
    public init(directory: URL, iterations: Int = PrivateKeyCoding.defaultIterations) {
        self.directory = directory
        self.iterations = iterations
    }

    public func createKey(_ algorithm: KeyAlgorithm, label: String, password: String?) throws -> CreatedKey {
        // Checked before generating, which can take seconds for large RSA keys; the write checks again.
        let path = try path(forLabel: label)
        if FileManager.default.fileExists(atPath: path) {
            throw conflict(path)
        }
        let key = try KeyGenerator.generate(algorithm)
        let reference = try importKey(key, label: label, password: password)
        return CreatedKey(reference: reference, signer: key)
    }

    public func importKey(_ key: Certificate.PrivateKey, label: String, password: String?) throws -> KeyReference {
        let path = try path(forLabel: label)
        let pem: String
        if let password, !password.isEmpty {
            pem = try PrivateKeyCoding.encryptedPKCS8PEM(key, password: password, iterations: iterations)
        } else {
            pem = try PrivateKeyCoding.pkcs8PEM(key)
        }
        try prepareDirectory()
        try writeNewFile(Array(pem.utf8), to: path)
        return KeyReference(backend: name, location: Self.fileName(forLabel: label))
    }

    public func reference(forLabel label: String) -> KeyReference {
        KeyReference(backend: name, location: Self.fileName(forLabel: label))
    }

    public func loadSigner(_ reference: KeyReference, password: String?) throws -> Certificate.PrivateKey {
        let path = try path(for: reference)
        let contents = try readKeyFile(path)
        do {
            return try PrivateKeyCoding.decode(contents, password: password)
        } catch let error as CAError where error.kind == .invalidInput {
            // Said of a stored file, "invalid input" would point at the wrong culprit.
            throw CAError(.keyAccess, "the key file \(path) cannot be used: \(error.message)")
        }
    }

    public func isPasswordProtected(_ reference: KeyReference) throws -> Bool {
        PrivateKeyCoding.isEncrypted(try readKeyFile(try path(for: reference)))
    }

    public func removeKey(_ reference: KeyReference) throws {
        let path = try path(for: reference)
        if unlink(path) != 0 && errno != ENOENT {
            throw CAError(.storage, "cannot remove the key file \(path): \(Self.systemError())")
        }
    }

    public func describe(_ reference: KeyReference) -> String {
        guard let path = try? path(for: reference) else {
            return "\(reference.backend) \(reference.location) (not a file key)"
        }
        let state: String
        do {
            let contents = try readKeyFile(path)
            state = PrivateKeyCoding.formatDescription(of: contents) ?? "not a private key"
        } catch {
            state = FileManager.default.fileExists(atPath: path) ? "unreadable" : "missing"
        }
        return "file \(path) (\(state))"
    }

    /// Creates the key directory with mode 0700, or tightens the mode of an existing one.
    ///
    /// Called before every write; call it directly to secure the directory ahead of time.
    public func prepareDirectory() throws {
        let path = directory.path
        let parent = directory.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw CAError(.storage, "cannot create the directory \(parent.path): \(error.localizedDescription)")
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw CAError(.storage, "cannot create the key directory \(path): \(Self.systemError())")
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw CAError(.storage, "cannot inspect the key directory \(path): \(Self.systemError())")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw CAError(.storage, "the key directory \(path) exists but is not a directory")
        }
        // mkdir's mode is filtered through the umask, and an existing directory may have been made by hand.
        if status.st_mode & 0o7777 != 0o700 && chmod(path, 0o700) != 0 {
            throw CAError(.storage, "cannot restrict the key directory \(path) to mode 0700: \(Self.systemError())")
        }
    }

    // MARK: - Names and paths

    static func fileName(forLabel label: String) -> String {
        "\(label).key"
    }

    /// Labels become file names, so they are limited to characters that cannot leave the directory or
    /// need quoting in a shell.
    private func path(forLabel label: String) throws -> String {
        let allowed = label.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "-" || scalar == "_" || scalar == ".")
        }
        guard !label.isEmpty, label.count <= 200, allowed, !label.hasPrefix(".") else {
            throw CAError(
                .invalidInput,
                "the key label \"\(label)\" must be 1 to 200 letters, digits, '-', '_' or '.', not starting with '.'"
            )
        }
        return directory.appendingPathComponent(Self.fileName(forLabel: label)).path
    }

    /// A reference read from the database is checked too: a location with a slash could point anywhere.
    private func path(for reference: KeyReference) throws -> String {
        guard reference.backend == name else {
            throw CAError(
                .keyAccess,
                "the key is kept by the \"\(reference.backend)\" backend, which is not available here (only \"\(name)\")"
            )
        }
        let location = reference.location
        guard !location.isEmpty, !location.contains("/"), !location.contains("\0"), location != ".", location != ".."
        else {
            throw CAError(.keyAccess, "the key location \"\(location)\" is not a file name inside \(directory.path)")
        }
        return directory.appendingPathComponent(location).path
    }

    // MARK: - File operations

    /// Key files are small; anything larger is not one, and reading it whole would waste memory.
    private static let maximumKeyFileSize = 1 << 20

    private func readKeyFile(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT {
                throw CAError(.keyAccess, "the key file \(path) is missing")
            }
            throw CAError(.keyAccess, "the key file \(path) cannot be read: \(Self.systemError())")
        }
        defer { close(descriptor) }

        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 {
                return contents
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw CAError(.keyAccess, "the key file \(path) cannot be read: \(Self.systemError())")
            }
            contents += buffer[..<count]
            if contents.count > Self.maximumKeyFileSize {
                throw CAError(.keyAccess, "the key file \(path) is too large to be a private key")
            }
        }
    }

    /// Writes `bytes` to a new file at `path`, failing with `.conflict` if the path exists.
    ///
    /// The data goes to a temporary file opened with `O_CREAT | O_EXCL` at mode 0600, is fsync'd, and is then
    /// hard-linked to the final name. `link` fails when the name exists, so unlike `rename` it cannot replace a
    /// key that another process stored meanwhile; where hard links are unsupported, `rename` follows an
    /// existence check instead.
    private func writeNewFile(_ bytes: [UInt8], to path: String) throws {
        let temporaryPath = try writeTemporaryFile(bytes, besides: path)
        defer { unlink(temporaryPath) }

        if link(temporaryPath, path) != 0 {
            let linkError = errno
            switch linkError {
            case EEXIST:
                throw conflict(path)
            case EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK:
                if FileManager.default.fileExists(atPath: path) {
                    throw conflict(path)
                }
                guard rename(temporaryPath, path) == 0 else {
                    throw CAError(.storage, "cannot move the key file into place at \(path): \(Self.systemError())")
                }
            default:
                throw CAError(.storage, "cannot move the key file into place at \(path): \(Self.systemError(linkError))")
            }
        }
        synchronizeDirectory()
    }

    private func writeTemporaryFile(_ bytes: [UInt8], besides path: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = String(generator.next() as UInt64, radix: 16)
        // A leading dot keeps leftovers of a crash out of `ls` and out of the label namespace.
        let finalName = URL(fileURLWithPath: path).lastPathComponent
        let temporaryPath = directory.appendingPathComponent(".\(finalName).tmp-\(suffix)").path

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw CAError(.storage, "cannot create a temporary key file in \(directory.path): \(Self.systemError())")
        }
        var succeeded = false
        defer {
            close(descriptor)
            if !succeeded { unlink(temporaryPath) }
        }
        // The umask can only narrow the mode; fchmod makes it exactly 0600 whatever the umask.
        guard fchmod(descriptor, 0o600) == 0 else {
            throw CAError(.storage, "cannot set mode 0600 on \(temporaryPath): \(Self.systemError())")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                guard let start = buffer.baseAddress else { return 0 }
                return write(descriptor, start + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CAError(.storage, "cannot write the key file \(temporaryPath): \(Self.systemError())")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw CAError(.storage, "cannot flush the key file \(temporaryPath) to disk: \(Self.systemError())")
        }
        succeeded = true
        return temporaryPath
    }

    /// The new directory entry survives a crash only once the directory itself is flushed. Failure is not
    /// reported: the key is written and readable, and some file systems refuse fsync on directories.
    private func synchronizeDirectory() {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private func conflict(_ path: String) -> CAError {
        CAError(.conflict, "a key file already exists at \(path); it is never overwritten")
    }

    private static func systemError(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
