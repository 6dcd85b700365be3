import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server started as a child process (python3 or openssl) and stopped by the test.
final class ServerProcess {
    private let process = Process()
    // Kept open because openssl s_server treats end of input as a reason to stop.
    private let input = Pipe()

    init(arguments: [String], logFile: URL) throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Stops this process only, by its own pid.
    ///
    /// SIGKILL rather than `terminate()`'s SIGTERM: children inherit the test runner's
    /// blocked-signal mask, in which SIGTERM is blocked, so SIGTERM would never arrive.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    deinit {
        stop()
    }
}

/// A directory under the system temporary folder, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("challenge-probes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
