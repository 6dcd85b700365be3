import CAAuthority
import CACore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command body with an open authority and turns every failure into one line on stderr and a
/// non-zero exit: errors in values are not usage errors, so no usage block is printed.
enum CommandRunner {
    /// `tokenPINs` replace the PINs of CA_KEY_BACKENDS for this command.
    static func run(tokenPINs: TokenPINOptions? = nil, _ body: (Authority) async throws -> Void) async throws {
        let authority: Authority
        do {
            var settings = try SettingsLoader.load()
            try tokenPINs?.apply(to: &settings)
            authority = try await Authority.open(settings: settings, passwordPrompt: TerminalPrompt.password)
        } catch {
            fail(error)
        }
        do {
            try await body(authority)
            await authority.close()
        } catch {
            await authority.close()
            fail(error)
        }
    }

    static func fail(_ error: any Error) -> Never {
        let message: String
        if let caError = error as? CAError {
            message = caError.message
        } else {
            message = "\(error)"
        }
        let line = message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("swift-ca: error: \(line)\n".utf8))
        exit(1)
    }
}

enum TerminalPrompt {
    /// The password to encrypt a new or imported key with: the option's value, or asked for when the option
    /// is given empty. Never falls back to an unencrypted key when encryption was asked for.
    static func newKeyPassword(_ option: String?) throws -> String? {
        guard let option else { return nil }
        guard let chosen = option.isEmpty ? password("Password for the CA key: ") : option, !chosen.isEmpty else {
            throw CAError(.invalidInput, "--password needs a value when there is no terminal to ask on")
        }
        return chosen
    }

    /// Asks on the terminal without echo; nil when there is no terminal (scripts must pass the password).
    @Sendable static func password(_ prompt: String) -> String? {
        guard isatty(STDIN_FILENO) != 0, let raw = getpass(prompt) else { return nil }
        return String(cString: raw)
    }
}

enum InputFile {
    /// Reads a file, or standard input for `-`.
    static func read(_ path: String, what: String) throws -> [UInt8] {
        if path == "-" {
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CAError(.invalidInput, "cannot read \(what) \(path)")
        }
        return [UInt8](data)
    }
}

/// Buffered output to stdout or a file (`--out`), so that large listings are written in few system calls.
struct OutputSink {
    private var buffer: [UInt8] = []
    let path: String?

    init(path: String? = nil) {
        self.path = path
        buffer.reserveCapacity(1 << 16)
    }

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if path == nil && buffer.count > 1 << 16 { flushStandardOutput() }
    }

    mutating func bytes(_ data: [UInt8]) {
        buffer.append(contentsOf: data)
    }

    private mutating func flushStandardOutput() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws {
        guard let path else {
            flushStandardOutput()
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(buffer)) else {
            throw CAError(.storage, "cannot write \(path)")
        }
    }
}

/// Output written from the database thread while rows stream in; buffered, written in 64 KiB pieces to
/// standard output or to a file.
final class StreamingOutput: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private let handle: FileHandle

    init(path: String? = nil) throws {
        guard let path else {
            handle = FileHandle.standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw CAError(.storage, "cannot write \(path)")
        }
        handle = file
    }

    func line(_ text: String) {
        lock.withLock {
            buffer.append(contentsOf: text.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Writes `bytes` as they are, after anything buffered.
    func write(_ bytes: [UInt8]) {
        lock.withLock {
            handle.write(Data(buffer))
            buffer.removeAll()
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                handle.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none))
            }
        }
    }

    func flush() {
        lock.withLock {
            handle.write(Data(buffer))
            buffer.removeAll()
        }
    }
}
