import ArgumentParser
import CAAuthority
import CACore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent backup of the database, the keys and the settings files into a new directory.",
        discussion: """
            Safe while `serve` and other commands keep working: the SQLite database is copied as one snapshot with \
            SQLite's online backup, then the key directory byte for byte (encrypted keys stay encrypted), then the \
            settings files; manifest.json lists every file with its size and SHA-256, and is written last. On \
            PostgreSQL this refuses and prints the pg_dump command to use. Restore with `swift-ca restore DIR` into \
            an empty CA_DIR.
            """)

    @Argument(help: "A new or empty directory for the backup.") var directory: String
    @Flag(help: "Print only the result, no progress.") var quiet = false

    func run() async throws {
        try await CommandRunner.run { authority in
            let progress = ProgressLine(label: "backup", unit: "files", enabled: !quiet)
            let result = try await authority.backup(to: directory) { done, total in progress.update(done, of: total) }
            progress.finish()
            let bytes = result.manifest.files.reduce(0) { $0 + $1.size }
            print("backup written to \(result.directory): \(result.manifest.files.count) files, \(bytes) bytes, schema \(result.manifest.schemaVersion)")
            for note in result.manifest.notes.dropFirst() { print("note: \(note)") }
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `swift-ca backup` into an empty CA_DIR.",
        discussion: """
            Every file is checked against manifest.json (size and SHA-256) before anything is copied; a damaged or \
            incomplete backup changes nothing. The database goes to CA_DATABASE, keys to CA_DIR/keys, settings files to \
            CA_DIR (or CA_DIR/restored-settings when one is there already); newer migrations run afterwards.
            """)

    @Argument(help: "The backup directory.") var directory: String

    func run() async throws {
        do {
            let settings = try SettingsLoader.load()
            let manifest = try await Authority.restoreBackup(from: directory, settings: settings)
            print("restored \(manifest.files.count) files made \(manifest.createdAt) into \(settings.caDirectory)")
        } catch {
            CommandRunner.fail(error)
        }
    }
}

/// One line of progress on a terminal for long jobs: count, rate and (when the total is known) time left, redrawn at
/// most ten times a second, from the first second on. Off a terminal, or when disabled (`--quiet`), it prints nothing,
/// so that scripts see only the result.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: the mutable fields are guarded by `lock`.
    private let label: String
    private let unit: String
    private let enabled: Bool
    private let started = Date()
    /// Jobs that end within this never draw. SWIFT_CA_PROGRESS_DELAY (seconds) changes it, for tests.
    private let delay: TimeInterval
    private let lock = NSLock()
    private var lastDrawn = Date.distantPast
    private var drawn = false

    init(label: String, unit: String, enabled: Bool = true) {
        self.label = label
        self.unit = unit
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
        delay = ProcessInfo.processInfo.environment["SWIFT_CA_PROGRESS_DELAY"].flatMap(TimeInterval.init) ?? 1
    }

    /// - Parameter total: nil when the job does not know how much is left.
    func update(_ done: Int, of total: Int? = nil) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            let elapsed = now.timeIntervalSince(started)
            guard elapsed >= delay, now.timeIntervalSince(lastDrawn) >= 0.1 || done == total else { return }
            lastDrawn = now
            let rate = Double(done) / max(elapsed, 0.001)
            var line = String(format: "%@: %d", label, done)
            if let total { line += "/\(total)" }
            line += String(format: " %@, %.0f/s", unit, rate)
            if let total, rate > 0 { line += String(format: ", %.0f s left", Double(total - done) / rate) }
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
            drawn = true
        }
    }

    /// Ends the line, if one was drawn, so that the result starts on its own.
    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }
}
