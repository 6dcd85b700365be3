import CACore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `serve`'s log handler: one line per event on standard error, in either format of CA_LOG_FORMAT.
///
/// - `text`: `2026-12-07T08:37:15.507Z info swift-ca: GET /healthz 200 0.04 ms client=127.0.0.1 method=GET … node=…`
/// - `json`: one object per line, for log shippers that parse fields rather than text: `time` (RFC 3339, UTC,
///   milliseconds), `level`, `label`, `message` and the event's metadata, all strings, members sorted by name.
///
/// Written here rather than taken from swift-log's StreamLogHandler because a line is logged per request: formatting
/// the time through the C library's locale-aware calls, or a date formatter per event, cost a third of the server's
/// throughput on small answers.
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable {
        case text, json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format
    private let output: LogLineOutput

    public init(label: String, level: Logger.Level, format: Format, output: LogLineOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        for (key, value) in event.metadata ?? [:] { fields[key] = value }
        let time = Self.time(Date())
        var line: String
        switch format {
        case .text:
            line = "\(time) \(event.level.rawValue) \(label): \(event.message)"
            for key in fields.keys.sorted() { line += " \(key)=\(fields[key].map { "\($0)" } ?? "")" }
            line += "\n"
        case .json:
            var members: [(String, String)] = [("time", time), ("level", event.level.rawValue), ("label", label), ("message", "\(event.message)")]
            for (key, value) in fields where !["time", "level", "label", "message"].contains(key) { members.append((key, "\(value)")) }
            members.sort { $0.0 < $1.0 }
            line = "{"
            for (index, member) in members.enumerated() {
                if index > 0 { line += "," }
                line += JSONText.quoted(member.0) + ":" + JSONText.quoted(member.1)
            }
            line += "}\n"
        }
        output.write(line)
    }

    /// RFC 3339 in UTC with milliseconds, from the C library's `gmtime_r`.
    static func time(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let milliseconds = Int((interval - interval.rounded(.down)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}

/// Where log lines go: standard error, each line written whole under a lock so that lines of concurrent requests
/// never mix.
public final class LogLineOutput: @unchecked Sendable {
    // @unchecked: `write` holds `lock`.
    private let lock = NSLock()
    private let descriptor: Int32

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static let standardError = LogLineOutput(descriptor: STDERR_FILENO)

    func write(_ line: String) {
        var text = line
        lock.withLock {
            text.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
