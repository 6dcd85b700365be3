import CACore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

extension Store {
    /// Connects to the PostgreSQL database at `location`, and with `migrating` applies pending migrations. Every
    /// node of an installation migrates at start; the migration lock makes the first one migrate and the others wait.
    static func openPostgres(_ location: PostgresLocation, migrating: Bool) async throws -> DatabaseConnection {
        let logger = {
            var logger = Logger(label: "swift-ca.store")
            logger.logLevel = .critical
            return logger
        }()
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: try tls(for: location.transport))
        @Sendable func connect() async throws -> PostgresConnection {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                    id: connectionNumbers.next(), logger: logger)
            } catch {
                throw CAError(.storage, "cannot connect to the database \(location.description): \(describe(error))")
            }
            return connection
        }
        @Sendable func guarded(_ connection: PostgresConnection) -> any SQLDatabase {
            ClosingConnectionGuard(connection.sql(queryLogLevel: nil), closeFuture: connection.closeFuture)
        }
        @Sendable func reconnection(watching connection: PostgresConnection) -> DatabaseConnection.Reconnection {
            DatabaseConnection.Reconnection(isClosed: { connection.isClosed }) {
                let fresh = try await connect()
                return (guarded(fresh), fresh, reconnection(watching: fresh), { try await fresh.close() })
            }
        }
        let connection = try await connect()
        let opened = DatabaseConnection(database: guarded(connection), dialect: .postgres, postgres: connection) {
            try await connection.close()
        }
        opened.reconnection = reconnection(watching: connection)
        guard migrating else { return opened }
        do {
            // On failure the connection closes, which releases the lock too.
            try await opened.execute("SELECT pg_advisory_lock(\(migrationLockKey))")
            try await Migrations.apply(on: opened)
            try await opened.execute("SELECT pg_advisory_unlock(\(migrationLockKey))")
        } catch {
            try? await connection.close()
            if let error = error as? CAError { throw error }
            throw CAError(.storage, "cannot prepare the database \(location.description): \(describe(error))")
        }
        return opened
    }

    /// Held while migrations run, so that nodes starting together do not apply the same migration twice.
    static let migrationLockKey: Int64 = 0x73_77_69_66_74_6D_69

    private static func tls(for transport: PostgresLocation.Transport) throws -> PostgresConnection.Configuration.TLS {
        switch transport {
        case .plain:
            return .disable
        case .tls:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: configuration))
        case .verifiedTLS:
            return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// PostgresNIO's errors hide the server's message behind a generic description; users need it
    /// ("password authentication failed", "database does not exist").
    /// SQLSTATE 22021 (character_not_in_repertoire): a NUL byte in a text value.
    static func isUnstorableText(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "22021"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            // "connectionError" alone does not say why; the socket's error does ("connection refused").
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }

    private static let connectionNumbers = ConnectionNumbers()
}

/// Connection ids for PostgresNIO's logs.
private final class ConnectionNumbers: Sendable {
    private let counter = Mutex(0)

    func next() -> Int {
        counter.withLock { value in
            value += 1
            return value
        }
    }
}
