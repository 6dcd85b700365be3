import Foundation

/// The one way Core tests run openssl, the outside judge of what Core encodes.
enum OpenSSLProcess {
    struct Result {
        var status: Int32
        var output: [UInt8]
        var errorOutput: String

        var succeeded: Bool { status == 0 }
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs `openssl` with the arguments (in `directory` if given) and returns status and both outputs.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // stdout is drained before waiting so that large output cannot block openssl; its stderr is a few
        // lines at most, far below the pipe's buffer, so it can be read afterwards.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errorOutput.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: Array(outputData),
            errorOutput: String(decoding: errorData, as: UTF8.self))
    }

    /// A fresh directory under the system temporary directory; the caller removes it.
    static func makeTemporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
