import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way Core tests run openssl and pkilint, the outside judges of what Core encodes.
enum OpenSSLProcess {
    struct Result {
        var status: Int32
        var output: [UInt8]
        var errorOutput: String

        var succeeded: Bool { status == 0 }
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// No openssl call of these tests takes more than a few seconds; one that hangs is killed at this point.
    static let deadline: TimeInterval = 120

    /// Runs `openssl` with the arguments (in `directory` if given) and returns status and both outputs.
    /// A missing openssl throws (CI installs it); so does one that runs past `deadline`.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        try run(Judge.openssl(), arguments, in: directory)
    }

    /// Runs a judge's executable; its stdin is empty and both outputs are read to their end on threads of
    /// their own, so that a judge that hangs is killed at the deadline (or at its test's time limit) instead of
    /// blocking the test forever.
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputReader = PipeReader(output.fileHandleForReading)
        let errorReader = PipeReader(errorOutput.fileHandleForReading)
        let deadline = Date().addingTimeInterval(Self.deadline)
        var pause: useconds_t = 500
        while process.isRunning {
            if Date() >= deadline || Task.isCancelled {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw JudgeFailure(description: "\(executable) \(arguments.joined(separator: " ")) was killed after \(Int(Self.deadline)) s or at its test's time limit")
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: Array(outputReader.wait()),
            errorOutput: String(decoding: errorReader.wait(), as: UTF8.self))
    }

    /// A fresh directory under the system temporary directory; the caller removes it.
    static func makeTemporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Reads one pipe to its end on a thread of its own.
    private final class PipeReader: @unchecked Sendable {
        // @unchecked: `data` is written once by the reader thread before `finished` is signalled, and read after.
        private var data = Data()
        private let finished = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread { [self] in
                data = handle.readDataToEndOfFile()
                finished.signal()
            }.start()
        }

        /// The bytes read; empty if a grandchild still holds the pipe open after ten seconds.
        func wait() -> Data {
            finished.wait(timeout: .now() + .seconds(10)) == .success ? data : Data()
        }
    }
}

/// Where the Core tests find their judges. CI installs every one of them, so a judge that cannot be found
/// fails the test that needed it, with a message saying how to install it; it never skips the test.
enum Judge {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The package root, two folders above this file.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func openssl() throws -> String {
        guard let path = ExecutableSearch.onPath("openssl") else {
            throw Missing(description: "openssl is not on PATH; install it (apt-get install openssl) to run this test")
        }
        return path
    }

    /// One of pkilint's commands (`lint_crl`, `lint_ocsp_response`, ...): in $PKILINT_BIN (scripts/test sets
    /// it), else on $PATH, else in the package's .venv-judges.
    static func pkilint(_ command: String) throws -> String {
        var candidates: [String] = []
        if let folder = ProcessInfo.processInfo.environment["PKILINT_BIN"], !folder.isEmpty {
            candidates.append(URL(fileURLWithPath: folder).appendingPathComponent(command).path)
        }
        if let found = ExecutableSearch.onPath(command) { candidates.append(found) }
        candidates.append(packageRoot.appendingPathComponent(".venv-judges/bin/\(command)").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Missing(description: """
                pkilint's \(command) was not found in $PKILINT_BIN, on $PATH or in .venv-judges/bin; run scripts/test \
                (it creates .venv-judges) or `python3 -m venv .venv-judges && .venv-judges/bin/pip install pkilint`
                """)
        }
        return found
    }
}

struct JudgeFailure: Error, CustomStringConvertible {
    let description: String
}
