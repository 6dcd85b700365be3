import CACore

/// Bytes from an SMTP server, read into replies whole and in two pieces (replies arrive in any split).
enum SMTPReplyTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        var whole = SMTPReplyParser()
        _ = try? whole.consume(bytes)

        // The first byte picks where the stream is cut, so that the fuzzer explores pending partial lines.
        guard let first = bytes.first else { return }
        let cut = Int(first) % bytes.count
        var pieces = SMTPReplyParser()
        do {
            for reply in try pieces.consume(bytes[..<cut]) + (try pieces.consume(bytes[cut...])) {
                _ = reply.summary
                _ = reply.isPositive
            }
        } catch {}
    }
}
