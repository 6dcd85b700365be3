import Foundation

/// Keeps the first error raised in a callback that cannot throw, such as a row handler on the database
/// thread, so that the caller can throw it once the stream has ended.
public final class FirstError: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var first: (any Error)?

    public init() {}

    public func record(_ error: any Error) {
        lock.withLock { if first == nil { first = error } }
    }

    public var error: (any Error)? { lock.withLock { first } }
}
