import CACore
import CAStore
import Foundation

/// `swift-ca backup DIR` and `swift-ca restore DIR`: the database, the key directory and the settings files, with a
/// manifest of sizes and SHA-256 sums.
///
/// The database is copied first, as one snapshot, and the keys after it: a CA in the snapshot wrote its key file
/// before its row was committed, so every key the snapshot needs is in the copy. Key files are copied byte for byte,
/// so encrypted keys stay encrypted.
extension Authority {
    /// What a backup reports besides its manifest.
    public struct BackupResult: Sendable {
        public let manifest: BackupManifest
        public let directory: String
    }

    /// Writes a backup into `directory`, which must not exist or be empty, while the store keeps working.
    ///
    /// - Parameter progress: Called after each file with the files done and the total (for a terminal's progress line).
    /// - Throws: `CAError(.invalidInput)` on PostgreSQL (with the `pg_dump` line to use instead) or for a directory
    ///   that holds files; `CAError(.storage)` when a copy fails, after removing what was written.
    public func backup(to directory: String, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> BackupResult {
        if case .postgres(let location) = settings.database {
            throw CAError(
                .invalidInput,
                "the database is PostgreSQL: back it up with `pg_dump --format=custom --file=\(directory)/swift-ca.pgdump "
                    + "--host=\(location.host) --port=\(location.port) --username=\(location.user) \(location.database)` "
                    + "and copy \(keyDirectory) beside it; swift-ca backup copies SQLite databases only")
        }
        let files = FileManager.default
        let existing = (try? files.contentsOfDirectory(atPath: directory)) ?? []
        guard existing.isEmpty else {
            throw CAError(.invalidInput, "\(directory) is not empty; give a new or empty directory for the backup")
        }
        let createdHere = !files.fileExists(atPath: directory)
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let startedAt = Date()
            let database = (directory as NSString).appendingPathComponent(BackupManifest.databaseFile)
            try await store.backupDatabase(into: database)
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: database)
            var copied = [BackupManifest.databaseFile]
            let keys = try Self.regularFiles(under: keyDirectory)
            let settingsFiles = settingsFilesInUse
            let total = 1 + keys.count + settingsFiles.count
            progress(1, total)
            for key in keys {
                let relative = "keys/" + key
                try Self.copy((keyDirectory as NSString).appendingPathComponent(key), to: (directory as NSString).appendingPathComponent(relative))
                copied.append(relative)
                progress(copied.count, total)
            }
            for file in settingsFiles {
                let relative = "settings/" + (file as NSString).lastPathComponent
                try Self.copy(file, to: (directory as NSString).appendingPathComponent(relative))
                copied.append(relative)
                progress(copied.count, total)
            }
            let entries = try copied.map { try BackupFileEntry.measure(path: $0, in: directory) }
            var notes = [
                "made by swift-ca backup from \(settings.caDirectory); restore with: CA_DIR=<empty directory> swift-ca restore \(directory)",
            ]
            if try await store.read({ try await $0.allAuthorities() }).contains(where: { $0.keyBackend != FileKeyBackend.backendName }) {
                notes.append("keys kept in PKCS#11 tokens (CA_KEY_BACKENDS) are not in this backup: back up the token with its vendor's tools")
            }
            let manifest = BackupManifest(createdAt: startedAt, schemaVersion: Store.schemaVersion, files: entries, notes: notes)
            // Written last, through a temporary name: a directory with a manifest is a complete backup.
            let manifestPath = (directory as NSString).appendingPathComponent(BackupManifest.fileName)
            try manifest.encoded().write(to: URL(fileURLWithPath: manifestPath + ".partial"), options: .atomic)
            try files.moveItem(atPath: manifestPath + ".partial", toPath: manifestPath)
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: manifestPath)
            return BackupResult(manifest: manifest, directory: directory)
        } catch {
            Self.removeContents(of: directory, removingDirectory: createdHere)
            if let error = error as? CAError { throw error }
            throw CAError(.storage, "the backup failed and was removed: \(error.localizedDescription)")
        }
    }

    /// The key directory of CA_DIR.
    var keyDirectory: String { (settings.caDirectory as NSString).appendingPathComponent("keys") }

    /// The settings files this process read (CA_DIR's settings.json/yaml, or those of SWIFT_CA_SETTINGS).
    var settingsFilesInUse: [String] {
        Array(Set(settings.sources.values.compactMap { source in
            source.hasPrefix("file ") ? String(source.dropFirst("file ".count)) : nil
        })).sorted()
    }

    /// Restores a backup into the empty CA_DIR (and database) that `settings` name: checks the manifest against every
    /// file first, then copies, then opens the database once so that migrations newer than the backup run.
    ///
    /// - Throws: `CAError(.invalidInput)` for a target that is not empty, PostgreSQL, a manifest that does not match
    ///   the files (nothing is copied then), or a backup made by a newer swift-ca.
    public static func restoreBackup(from directory: String, settings: Settings) async throws -> BackupManifest {
        if case .postgres = settings.database {
            throw CAError(.invalidInput, "the configured database is PostgreSQL: restore its pg_dump with pg_restore; swift-ca restore writes SQLite databases")
        }
        let files = FileManager.default
        let manifestPath = (directory as NSString).appendingPathComponent(BackupManifest.fileName)
        guard let data = files.contents(atPath: manifestPath) else {
            throw CAError(.invalidInput, "\(directory) has no \(BackupManifest.fileName): it is not a complete swift-ca backup")
        }
        let manifest = try BackupManifest.decode(data)
        guard manifest.schemaVersion <= Store.schemaVersion else {
            throw CAError(
                .invalidInput,
                "the backup's database has schema \(manifest.schemaVersion), newer than this swift-ca's \(Store.schemaVersion): restore it with a newer swift-ca")
        }
        for entry in manifest.files {
            guard files.fileExists(atPath: (directory as NSString).appendingPathComponent(entry.path)) else {
                throw CAError(.invalidInput, "the backup is incomplete: \(entry.path) is missing")
            }
            let measured = try BackupFileEntry.measure(path: entry.path, in: directory)
            guard measured.size == entry.size, measured.sha256 == entry.sha256 else {
                throw CAError(.invalidInput, "the backup is damaged: \(entry.path) does not match its size and SHA-256 in the manifest")
            }
        }
        let keyDirectory = (settings.caDirectory as NSString).appendingPathComponent("keys")
        guard !files.fileExists(atPath: settings.databasePath), ((try? files.contentsOfDirectory(atPath: keyDirectory)) ?? []).isEmpty else {
            throw CAError(
                .invalidInput,
                "\(settings.caDirectory) already holds a database or keys; restore into an empty CA_DIR (set CA_DIR to a new directory)")
        }
        var written: [String] = []
        do {
            try files.createDirectory(atPath: keyDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: settings.caDirectory)
            for entry in manifest.files {
                let source = (directory as NSString).appendingPathComponent(entry.path)
                let target: String
                if entry.path == BackupManifest.databaseFile {
                    target = settings.databasePath
                } else if entry.path.hasPrefix("keys/") {
                    target = (keyDirectory as NSString).appendingPathComponent(String(entry.path.dropFirst("keys/".count)))
                } else {
                    // Settings go where swift-ca finds them by default, unless one is there already.
                    let name = (entry.path as NSString).lastPathComponent
                    let standard = (settings.caDirectory as NSString).appendingPathComponent(name)
                    target = ["settings.json", "settings.yaml"].contains(name) && !files.fileExists(atPath: standard)
                        ? standard : (settings.caDirectory as NSString).appendingPathComponent("restored-settings/" + name)
                }
                try copy(source, to: target)
                written.append(target)
            }
            let store = try await Store.open(settings.database, readers: 1)
            await store.shutdown()
        } catch {
            for file in written { try? files.removeItem(atPath: file) }
            for suffix in ["-wal", "-shm"] { try? files.removeItem(atPath: settings.databasePath + suffix) }
            if let error = error as? CAError { throw error }
            throw CAError(.storage, "the restore failed and what it wrote was removed: \(error.localizedDescription)")
        }
        return manifest
    }

    /// Files below `directory` as relative paths; none if it does not exist.
    static func regularFiles(under directory: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    /// Copies one file, readable by its owner only (key files are secrets, and so may settings be).
    static func copy(_ source: String, to target: String) throws {
        let files = FileManager.default
        try files.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try files.copyItem(atPath: source, toPath: target)
        try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
    }

    static func removeContents(of directory: String, removingDirectory: Bool) {
        let files = FileManager.default
        if removingDirectory {
            try? files.removeItem(atPath: directory)
            return
        }
        for name in (try? files.contentsOfDirectory(atPath: directory)) ?? [] {
            try? files.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }
}
