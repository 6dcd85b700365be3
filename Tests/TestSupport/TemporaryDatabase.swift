import Foundation

/// A database of its own for one test, removed afterwards: an SQLite file in a temporary directory, or,
/// when SWIFT_CA_TEST_POSTGRES names a server (`postgres://USER@HOST:PORT`), a new PostgreSQL database
/// on it. `.ci/run` runs the whole suite once each way.
public final class TemporaryDatabase: @unchecked Sendable {
    // @unchecked: immutable after init.
    /// The URL swift-ca takes in CA_DATABASE_URL or `--database`.
    public let url: String
    /// Set for SQLite: the file's path.
    public let sqlitePath: String?
    private let directory: String?
    private let postgresServer: String?
    private let postgresName: String?

    /// The server the suite runs against, if any.
    public static var postgresServer: String? {
        guard let server = ProcessInfo.processInfo.environment["SWIFT_CA_TEST_POSTGRES"], !server.isEmpty else { return nil }
        return server.hasSuffix("/") ? String(server.dropLast()) : server
    }

    public static var usesPostgres: Bool { postgresServer != nil }

    public init(directory parent: String? = nil) throws {
        if let server = Self.postgresServer {
            let name = "swiftca_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            try Self.administer(server, "CREATE DATABASE \(name)")
            url = server + "/" + name
            sqlitePath = nil
            directory = nil
            postgresServer = server
            postgresName = String(name)
        } else {
            let folder: String
            if let parent {
                folder = parent
                directory = nil
            } else {
                folder = NSTemporaryDirectory() + "swift-ca-store-" + UUID().uuidString
                directory = folder
            }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            sqlitePath = folder + "/test.sqlite3"
            url = "sqlite://" + folder + "/test.sqlite3"
            postgresServer = nil
            postgresName = nil
        }
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        if let postgresServer, let postgresName {
            try? Self.administer(postgresServer, "DROP DATABASE IF EXISTS \(postgresName) WITH (FORCE)")
        }
    }

    /// Runs one statement on the server's maintenance database with psql.
    public static func administer(_ server: String, _ statement: String) throws {
        let result = try ChildProcess.run(
            "/usr/bin/env", ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", server + "/postgres", "-c", statement], deadline: 120)
        guard result.status == 0 else {
            throw TemporaryDatabaseError(message: "psql \(statement): " + String(decoding: result.standardError, as: UTF8.self))
        }
    }
}

public struct TemporaryDatabaseError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
