import CACore
import CAAuthority
import CAStore
import Foundation

/// The CAs that answer ACME, with their decoded configuration, read at most once a second: every request
/// needs them, and reading and decoding them per request cost more than verifying its signature. A CA that
/// is disabled, revoked or loses ACME stops answering within that second.
final class ACMEAuthorities: @unchecked Sendable {
    // @unchecked: `entries` and `readAt` are only touched under `lock`.
    struct Entry: Sendable {
        let record: AuthorityRecord
        let configuration: AuthorityConfiguration
    }

    static let lifetime: TimeInterval = 1
    private let lock = NSLock()
    private var entries: [Entry] = []
    private var readAt: Date = .distantPast

    /// The usable CAs with ACME enabled; `read` loads all CAs when the cached list is older than a second.
    func usable(now: Date = Date(), read: () async throws -> [AuthorityRecord]) async throws -> [Entry] {
        if let cached = lock.withLock({ now.timeIntervalSince(readAt) < Self.lifetime ? entries : nil }) { return cached }
        let fresh = try await read().compactMap { record -> Entry? in
            guard record.isUsable, let configuration = try? record.configurationValue(), configuration.acme?.enabled == true else {
                return nil
            }
            return Entry(record: record, configuration: configuration)
        }
        lock.withLock {
            entries = fresh
            readAt = now
        }
        return fresh
    }
}
