import ArgumentParser
import CACore
import CAStore
import Foundation

/// Moves an installation from one database to another (SQLite to PostgreSQL when it outgrows one machine).
struct MigrateDatabase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-db",
        abstract: "Copy every row from one database into another, empty one, and check that nothing was lost.",
        discussion: """
            Both are URLs: sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/NAME. The source is first brought \
            to the current schema; the target gets it on first use. The copy is one transaction: complete or absent. \
            Afterwards the row counts of every table and a SHA-256 digest over all certificates and CAs are compared \
            on both sides. Keys stay where they are (CA_DIR/keys); point CA_DATABASE_URL at the target to switch. \
            Stop servers writing to the source first.
            """,
        aliases: ["migrate_db"])

    @Option(help: "The database to copy from.") var from: String
    @Option(help: "The database to copy into (must hold no CA and no certificate).") var to: String
    @Flag(help: "Print only the result, no progress.") var quiet = false

    func run() async throws {
        do {
            let source = try DatabaseLocation.parse(from)
            let target = try DatabaseLocation.parse(to)
            guard source != target else { throw CAError(.invalidInput, "--from and --to name the same database") }
            let sourceStore = try await Store.open(source)
            let targetStore: Store
            do {
                targetStore = try await Store.open(target)
            } catch {
                await sourceStore.shutdown()
                throw error
            }
            do {
                let progress = ProgressLine(label: "migrate-db", unit: "tables", enabled: !quiet)
                let tableCount = Store.copiedTableCount
                let copied = Counter()
                try await targetStore.copyEverything(from: sourceStore) { table, rows in
                    progress.update(copied.next(), of: tableCount)
                    print("copied \(rows) row(s) of \(table)")
                }
                progress.finish()
                let before = try await sourceStore.summary()
                let after = try await targetStore.summary()
                guard before == after else {
                    let differing = before.rowCounts.keys.sorted().filter { before.rowCounts[$0] != after.rowCounts[$0] }
                    throw CAError(
                        .storage,
                        "the copy differs from the source (tables \(differing.joined(separator: ", ")); digests \(before.certificateDigest) and \(after.certificateDigest))")
                }
                print("checked: \(after.rowCounts["certificates"] ?? 0) certificate(s) and \(after.rowCounts["certificate_authorities"] ?? 0) CA(s); row counts of \(after.rowCounts.count) tables and the certificate digest \(after.certificateDigest) agree")
                await sourceStore.shutdown()
                await targetStore.shutdown()
            } catch {
                await sourceStore.shutdown()
                await targetStore.shutdown()
                throw error
            }
        } catch {
            CommandRunner.fail(error)
        }
    }
}

/// Shows the cluster's job schedule: which node holds each periodic job and when it is next due.
struct ListJobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-jobs",
        abstract: "List the periodic jobs of the servers sharing this database: holder, lease and next run.")

    func run() async throws {
        try await CommandRunner.run { authority in
            let now = Date()
            for lease in try await authority.jobLeases() {
                let holder: String
                if let node = lease.holder, lease.leaseExpiresAt > now {
                    holder = "running on \(node) (lease until \(Presentation.dateText(lease.leaseExpiresAt)))"
                } else if let node = lease.holder {
                    holder = "lease of \(node) ran out at \(Presentation.dateText(lease.leaseExpiresAt)); the next node to tick takes it"
                } else {
                    holder = "idle"
                }
                print("\(lease.name): \(holder); next due \(Presentation.dateText(lease.nextDueAt))")
            }
        }
    }
}

/// Counts calls from any thread (progress callbacks).
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
