import Foundation

/// Where an installation keeps its records: an SQLite file (the embedded default) or a PostgreSQL database
/// that several server nodes share. Written as a URL in CA_DATABASE_URL or the global `--database` option:
/// `sqlite:///srv/ca/ca.sqlite3` or `postgres://user:password@host:5432/name?sslmode=require`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public static func parse(_ text: String) throws -> DatabaseLocation {
        let invalid = CAError(
            .invalidInput,
            "database URL \"\(Self.redact(text))\" must be sqlite:///PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/NAME")
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard path.hasPrefix("/"), path.count > 1 else { throw invalid }
            return .sqlite(path: path.removingPercentEncoding ?? path)
        }
        guard let components = URLComponents(string: text),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else { throw invalid }
        let name = String(components.path.drop(while: { $0 == "/" }))
        guard !name.isEmpty, !name.contains("/") else { throw invalid }
        guard let user = components.user, !user.isEmpty else {
            throw CAError(.invalidInput, "database URL \"\(Self.redact(text))\" must name a user (postgres://USER@HOST/NAME)")
        }
        var transport = PostgresLocation.Transport.plain
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"): transport = .plain
            case ("sslmode", "require"): transport = .tls
            case ("sslmode", "verify-full"): transport = .verifiedTLS
            case ("sslmode", let mode):
                throw CAError(.invalidInput, "database URL: sslmode \"\(mode)\" is not supported (disable, require or verify-full)")
            default:
                throw CAError(.invalidInput, "database URL: unknown parameter \"\(item.name)\" (only sslmode is understood)")
            }
        }
        return .postgres(PostgresLocation(
            host: host, port: components.port ?? 5432, user: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: name, transport: transport))
    }

    /// The URL with any password replaced, for messages and `swift-ca settings`.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite://" + path
        case .postgres(let location): return location.description
        }
    }

    public var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    static func redact(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(unreadable URL)"
    }
}

/// A PostgreSQL server and database, from a `postgres://` URL.
public struct PostgresLocation: Sendable, Equatable {
    /// `sslmode`: only the modes whose meaning is unambiguous. `require` encrypts without checking the
    /// server's certificate (libpq's meaning); `verify-full` checks it against the system's trust store.
    public enum Transport: Sendable, Equatable {
        case plain, tls, verifiedTLS
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var transport: Transport

    public init(host: String, port: Int, user: String, password: String?, database: String, transport: Transport) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.transport = transport
    }

    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }
}
