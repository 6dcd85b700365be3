import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes of the tests, run so that a hung child cannot hang the test run.
///
/// A suite's `.timeLimit` alone does not help: Swift Testing records the overrun and cancels the test's
/// task, but a test blocked reading a child's pipe never looks at its task again. So every wait here also
/// gives up when the task is cancelled or a deadline passes, and then kills the child, whose pipes close and
/// whose test goes on to fail.
public enum ChildProcess {
    /// What a finished (or killed) child left behind.
    public struct Outcome: Sendable {
        public let status: Int32
        public let standardOutput: Data
        public let standardError: Data
        /// Set when the child was killed because it outlived its deadline or its test's time limit.
        public let killedAfter: TimeInterval?
    }

    /// Long enough for the slowest judge the tests run (certbot, schemathesis) on a loaded 2-core machine.
    public static let defaultDeadline: TimeInterval = 600

    /// Runs `executable` to its end, feeding `input` and collecting both outputs; never throws on exit codes.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
        directory: String? = nil, deadline seconds: TimeInterval = defaultDeadline
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = inputPipe
        let started = Date()
        try process.run()
        // Readers and the writer run on threads of their own: a child that neither reads nor exits must not
        // block this thread, which has to stay free to notice the deadline.
        let collected = Collected()
        let writer = inputPipe.fileHandleForWriting
        collected.start {
            if let input { writer.write(input) }
            try? writer.close()
        }
        let outputReader = output.fileHandleForReading
        let errorReader = error.fileHandleForReading
        collected.start { collected.set(output: outputReader.readDataToEndOfFile()) }
        collected.start { collected.set(error: errorReader.readDataToEndOfFile()) }
        let killed = waitForExit(process, until: started.addingTimeInterval(seconds))
        // A grandchild that keeps a pipe open (a daemon the child started) must not hang the test either.
        collected.waitForThreads(seconds: killed == nil ? 30 : 5)
        return Outcome(
            status: process.terminationStatus, standardOutput: collected.output, standardError: collected.error,
            killedAfter: killed.map { $0.timeIntervalSince(started) })
    }

    /// Waits until `process` exits on its own, or kills it (SIGKILL) once `deadline` passes or the current
    /// task is cancelled. Returns when it was killed, nil if it exited on its own.
    @discardableResult
    public static func waitForExit(_ process: Process, until deadline: Date) -> Date? {
        var pause: useconds_t = 500
        while process.isRunning {
            if Date() >= deadline || Task.isCancelled {
                let killedAt = Date()
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return killedAt
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        process.waitUntilExit()
        return nil
    }

    /// Asks a long-running child to stop with SIGTERM, and kills it if it has not exited after `grace`
    /// seconds (a child may inherit a mask that blocks SIGTERM, or hang in its shutdown). Returns true if it
    /// stopped on SIGTERM.
    @discardableResult
    public static func stop(_ process: Process, grace: TimeInterval = 20) -> Bool {
        guard process.isRunning else {
            process.waitUntilExit()
            return true
        }
        kill(process.processIdentifier, SIGTERM)
        return waitForExit(process, until: Date().addingTimeInterval(grace)) == nil
    }

    /// Reads from `handle` until the first newline, end of file, or `deadline`; the child is killed at the
    /// deadline (or when the task is cancelled), which ends the read. For servers that announce their port.
    public static func firstLine(of handle: FileHandle, from process: Process, deadline seconds: TimeInterval = 120) -> String {
        let collected = Collected()
        let done = DispatchSemaphore(value: 0)
        collected.start {
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            collected.set(output: line)
            done.signal()
        }
        let deadline = Date().addingTimeInterval(seconds)
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if Date() >= deadline || Task.isCancelled {
                kill(process.processIdentifier, SIGKILL)
                _ = done.wait(timeout: .now() + .seconds(5))
                break
            }
        }
        return String(decoding: collected.output, as: UTF8.self)
    }

    /// Reads a child's pipe to its end on a thread of its own from the moment it is made, so that a chatty
    /// long-running child never blocks on a full pipe, and hands the bytes over once the pipe closes.
    public final class Drain: @unchecked Sendable {
        // @unchecked: `data` is written once by the reader thread before `finished` is signalled, and read after.
        private var data = Data()
        private let finished = DispatchSemaphore(value: 0)

        public init(_ handle: FileHandle) {
            let thread = Thread { [self] in
                data = handle.readDataToEndOfFile()
                finished.signal()
            }
            thread.start()
        }

        /// Everything read, once the pipe has closed; empty if it is still open after `seconds`.
        public func wait(seconds: TimeInterval = 10) -> Data {
            guard finished.wait(timeout: .now() + .milliseconds(Int(seconds * 1000))) == .success else { return Data() }
            finished.signal()  // later calls return at once
            return data
        }
    }

    /// Results that reader threads hand back, guarded by a lock.
    private final class Collected: @unchecked Sendable {
        // @unchecked: every stored property is read and written under `lock`.
        private let lock = NSLock()
        private let threads = DispatchGroup()
        private var outputData = Data()
        private var errorData = Data()

        var output: Data { lock.withLock { outputData } }
        var error: Data { lock.withLock { errorData } }

        func set(output: Data) { lock.withLock { outputData = output } }
        func set(error: Data) { lock.withLock { errorData = error } }

        func start(_ body: @escaping @Sendable () -> Void) {
            threads.enter()
            let thread = Thread { [threads] in
                body()
                threads.leave()
            }
            thread.start()
        }

        func waitForThreads(seconds: TimeInterval) {
            _ = threads.wait(timeout: .now() + .milliseconds(Int(seconds * 1000)))
        }
    }
}
