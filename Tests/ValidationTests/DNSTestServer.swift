import Foundation

/// Runs `Tests/EndToEndTests/Judges/dns_server.py` on a free port of 127.0.0.1 for the length of a test.
///
/// The interpreter is `$DNS_TEST_PYTHON`, else the package's `.venv-judges/bin/python`, else `python3`;
/// it needs dnslib (`python3 -m pip install dnslib`).
final class DNSTestServer: Sendable {
    let port: Int
    let zoneFile: URL
    private let process: Process
    private let directory: URL

    init(zone: [String: Any]) async throws {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dns-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        zoneFile = directory.appendingPathComponent("zone.json")
        try Self.write(zone, to: zoneFile)

        let process = Process()
        let script = packageRoot.appendingPathComponent("Tests/EndToEndTests/Judges/dns_server.py").path
        let arguments = [script, "--port", "0", "--zone", zoneFile.path]
        let venvPython = packageRoot.appendingPathComponent(".venv-judges/bin/python").path
        if let python = ProcessInfo.processInfo.environment["DNS_TEST_PYTHON"] {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
        } else if FileManager.default.isExecutableFile(atPath: venvPython) {
            process.executableURL = URL(fileURLWithPath: venvPython)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
        }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process

        // A server that hangs before announcing itself is killed, which ends the read and fails the start;
        // otherwise the blocked read would outlast any time limit of the test.
        let watchdog = DispatchWorkItem { [process] in
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let line = try await Self.firstLine(of: output.fileHandleForReading)
        watchdog.cancel()
        let words = line.split(separator: " ")
        guard words.count == 2, words[0] == "ready", let port = Int(words[1]) else {
            process.terminate()
            throw ServerStartError(message: "dns_server.py did not start (it printed \"\(line)\"); is dnslib installed?")
        }
        self.port = port
    }

    /// Replaces the zone atomically, as the server reads it again for every query.
    func update(zone: [String: Any]) throws {
        try Self.write(zone, to: zoneFile)
    }

    /// Sends SIGTERM, and SIGKILL if the server is still running after five seconds, so that a
    /// misbehaving server cannot hang the test run.
    func stop() {
        process.terminate()
        let giveUp = Date().addingTimeInterval(5)
        while process.isRunning, Date() < giveUp {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func write(_ zone: [String: Any], to file: URL) throws {
        try JSONSerialization.data(withJSONObject: zone).write(to: file, options: .atomic)
    }

    /// Reads up to the first newline on a background thread, so that no task thread blocks.
    private static func firstLine(of handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first, byte != UInt8(ascii: "\n") else { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }
}

struct ServerStartError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
