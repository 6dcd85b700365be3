import CASQLite
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's view of an `SQLiteHandle`: queries are serialised with SQLite's dialect, values are encoded and
/// decoded as sqlite-kit does, and each statement runs at once on the calling thread.
struct SQLiteSQLDatabase: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger
    private let encoder = SQLiteDataEncoder()
    private let decoder = SQLiteDataDecoder()

    init(handle: SQLiteHandle, logger: Logger) {
        self.handle = handle
        self.logger = logger
    }

    /// Only SQLKit's future-based API asks for an event loop, and swift-ca never calls it; asking starts NIO's
    /// shared threads, which nothing else here needs.
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { SQLiteDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        do {
            try run(query, onRow)
            promise.succeed(())
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        let (sql, rawBinds) = serialize(query)
        let binds = try rawBinds.map { SQLiteValue(try encoder.encode($0)) }
        try handle.query(sql, binds) { values in onRow(SQLiteValuesRow(values: values, decoder: decoder)) }
    }
}

/// A result row as SQLKit reads it.
private struct SQLiteValuesRow: SQLRow {
    let values: SQLiteValues
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { values.names }

    func contains(column: String) -> Bool { values.column(column) != nil }

    func decodeNil(column: String) throws -> Bool { (values.column(column) ?? .null) == .null }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let value = values.column(column) else { throw SQLiteFailure(code: 1, message: "the result has no column \(column)") }
        if let direct: D = Self.direct(value) { return direct }
        return try decoder.decode(D.self, from: SQLiteData(value))
    }

    /// The types the store's queries read most, without sqlite-kit's Codable decoder: a row of an ACME order
    /// cost more to decode that way than to find. Only exact type matches are taken, so `unsafeBitCast` is a
    /// no-op; anything else (enums, conversions, type mismatches and their errors) goes through the decoder.
    private static func direct<D>(_ value: SQLiteValue) -> D? {
        switch value {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(String?.some(text), to: D.self) }
        case .integer(let number):
            if D.self == Int64.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.some(number), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(Int(number), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.some(Int(number)), to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
        case .blob(let bytes):
            if D.self == Data.self { return unsafeBitCast(Data(bytes), to: D.self) }
            if D.self == [UInt8].self { return unsafeBitCast(bytes, to: D.self) }
        case .float:
            break
        }
        return nil
    }
}

/// sqlite-kit's values (its encoder and decoder speak them) and the driver's.
extension SQLiteValue {
    init(_ data: SQLiteData) {
        switch data {
        case .integer(let number): self = .integer(Int64(number))
        case .float(let number): self = .float(number)
        case .text(let text): self = .text(text)
        case .blob(let buffer): self = .blob(Array(buffer.readableBytesView))
        case .null: self = .null
        }
    }
}

extension SQLiteData {
    init(_ value: SQLiteValue) {
        switch value {
        case .integer(let number): self = .integer(SQLiteInt64(number))
        case .float(let number): self = .float(number)
        case .text(let text): self = .text(text)
        case .blob(let bytes): self = .blob(ByteBuffer(bytes: bytes))
        case .null: self = .null
        }
    }
}
