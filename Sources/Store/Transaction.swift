import CACore
import CASQLite
import Foundation
import PostgresNIO
import SQLKit
import Synchronization

/// The handle a `Store.read` or `Store.write` closure gets: every query method of the store lives here, so a
/// statement always runs inside the transaction of the closure that issued it, on that transaction's
/// connection, and never inside another task's.
///
/// The handle is only valid while its closure runs. Kept and used later, it refuses every statement rather
/// than run one outside its transaction.
public final class Transaction: Sendable {
    let connection: DatabaseConnection
    private let open = Atomic<Bool>(true)

    init(connection: DatabaseConnection) {
        self.connection = connection
    }

    public var dialect: Store.Dialect { connection.dialect }
    var database: any SQLDatabase { connection.database }
    var sqlite: SQLiteHandle? { connection.sqlite }
    var postgres: PostgresConnection? { connection.postgres }

    func end() {
        open.store(false, ordering: .releasing)
    }

    func execute(_ statement: String) async throws {
        try await run { try await self.database.raw(SQLQueryString(statement)).run() }
    }

    /// Maps driver errors to a CAError so that no raw SQLite message reaches a user without context.
    func run<T>(_ operation: () async throws -> T) async throws -> T {
        guard open.load(ordering: .acquiring) else {
            throw CAError(.storage, "a database statement was issued after its transaction ended")
        }
        return try await connection.run(operation)
    }
}
