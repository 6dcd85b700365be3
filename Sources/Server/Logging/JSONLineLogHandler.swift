import CACore
import Foundation
import Logging

/// CA_LOG_FORMAT=json: one JSON object per event on standard error, for log shippers that parse fields rather than
/// text: `time` (RFC 3339, UTC, milliseconds), `level`, `label`, `message` and the event's metadata, all strings.
public struct JSONLineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let output: JSONLineOutput

    public init(label: String, level: Logger.Level, output: JSONLineOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata { fields[key] = "\(value)" }
        for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
        fields["time"] = Self.time(Date())
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = "\(event.message)"
        // Members sorted by key, as JSONText writes every object; strings only, so this cannot fail.
        let line = ((try? JSONText.text(fields, style: .compact)) ?? "{}") + "\n"
        output.write(line)
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// Where JSON lines go: standard error, written whole under a lock so that lines of concurrent requests never mix.
public final class JSONLineOutput: @unchecked Sendable {
    // @unchecked: `write` holds `lock`.
    private let lock = NSLock()
    private let handle: FileHandle

    public init(handle: FileHandle) {
        self.handle = handle
    }

    public static let standardError = JSONLineOutput(handle: .standardError)

    func write(_ line: String) {
        lock.withLock { handle.write(Data(line.utf8)) }
    }
}
