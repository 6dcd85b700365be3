import CACore

/// What the web interface reads from a request itself: the form body, the query and the Cookie header.
enum FormTargets {
    @Sendable static func runURLEncoded(_ bytes: [UInt8]) {
        if let form = try? FormData.parse(body: bytes, contentType: "application/x-www-form-urlencoded") {
            read(form)
        }
        // The query string goes through the same decoder.
        _ = try? FormData.parseURLEncoded(bytes.lenientText)
    }

    /// The first line is the Content-Type header (its boundary parameter), the rest is the body.
    @Sendable static func runMultipart(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        let contentType = Array(bytes[..<newline]).lenientText
        let body = Array(bytes[min(newline + 1, bytes.endIndex)...])
        if let form = try? FormData.parse(body: body, contentType: contentType) {
            read(form)
        }
    }

    @Sendable static func runCookieHeader(_ bytes: [UInt8]) {
        _ = CookieHeader.parse(bytes.lenientText)
    }

    /// The accessors the pages use, which split and trim what the parser kept.
    private static func read(_ form: FormData) {
        for name in form.fields.keys {
            _ = form.text(name)
            _ = form.lines(name)
            _ = form.values(name)
        }
        for name in form.files.keys {
            _ = form.file(name)
        }
    }
}
