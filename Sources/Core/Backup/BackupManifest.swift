import Crypto
import Foundation

/// `manifest.json` of a backup directory: what `swift-ca backup` wrote and what `swift-ca restore` checks before it
/// copies anything.
///
/// ```json
/// {"format": "swift-ca backup", "format_version": 1, "created_at": "2026-12-07T08:30:00Z", "schema_version": 17,
///  "files": [{"path": "swift-ca.sqlite3", "size": 118784, "sha256": "9f86…"}, {"path": "keys/7A92….key", …}],
///  "notes": ["…"]}
/// ```
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let formatName = "swift-ca backup"
    public static let currentFormatVersion = 1
    public static let fileName = "manifest.json"
    /// Where the database is in a backup directory.
    public static let databaseFile = "swift-ca.sqlite3"

    public var format = formatName
    public var formatVersion = currentFormatVersion
    public var createdAt: String
    /// The newest schema migration of the database copied.
    public var schemaVersion: Int
    public var files: [BackupFileEntry]
    /// What the backup does not hold, for the operator.
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", createdAt = "created_at", schemaVersion = "schema_version", files, notes
    }

    public init(createdAt: Date, schemaVersion: Int, files: [BackupFileEntry], notes: [String]) {
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
        self.schemaVersion = schemaVersion
        self.files = files
        self.notes = notes
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a manifest and checks what can be checked without the files: format, version, and that every path stays
    /// inside the backup directory.
    ///
    /// - Throws: `CAError(.invalidInput)` naming what is wrong.
    public static func decode(_ data: Data) throws -> BackupManifest {
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: data)
        } catch {
            throw CAError(.invalidInput, "manifest.json is not a swift-ca backup manifest: \(error)")
        }
        guard manifest.format == formatName else {
            throw CAError(.invalidInput, "manifest.json describes \"\(manifest.format)\", not a swift-ca backup")
        }
        guard manifest.formatVersion == currentFormatVersion else {
            throw CAError(.invalidInput, "the backup has format version \(manifest.formatVersion); this swift-ca reads version \(currentFormatVersion)")
        }
        for entry in manifest.files {
            let components = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !entry.path.hasPrefix("/"), !components.contains(".."), !components.contains(""), entry.size >= 0 else {
                throw CAError(.invalidInput, "the manifest names a file outside the backup: \(entry.path)")
            }
        }
        guard manifest.files.contains(where: { $0.path == databaseFile }) else {
            throw CAError(.invalidInput, "the manifest lists no database (\(databaseFile))")
        }
        return manifest
    }
}

/// One file of a backup, relative to its directory.
public struct BackupFileEntry: Codable, Sendable, Equatable {
    public var path: String
    public var size: Int
    /// Lowercase hex.
    public var sha256: String

    public init(path: String, size: Int, sha256: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }

    /// Size and SHA-256 of a file, read in 1 MiB pieces so that a database of gigabytes is never held in memory.
    public static func measure(path relativePath: String, in directory: String) throws -> BackupFileEntry {
        let full = (directory as NSString).appendingPathComponent(relativePath)
        guard let handle = FileHandle(forReadingAtPath: full) else {
            throw CAError(.storage, "cannot read \(full)")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        var size = 0
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hash.update(data: chunk)
            size += chunk.count
        }
        return BackupFileEntry(path: relativePath, size: size, sha256: Hex.lower(hash.finalize()))
    }
}
