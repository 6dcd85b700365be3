import SwiftASN1

/// One PEM block with its RFC 1421 header lines, such as "Proc-Type" and "DEK-Info".
///
/// swift-asn1's `PEMDocument` refuses blocks with headers, yet OpenSSL's traditional key encryption puts
/// its parameters there, so those blocks are split here and only the base64 body goes to `PEMDocument`.
package struct PEMBlock: Sendable {
    package var label: String
    package var headers: [Header]
    /// The base64 text with line breaks and surrounding white space removed.
    package var base64Body: String

    package struct Header: Sendable {
        package var name: String
        package var value: String
    }

    /// The value of the first header called `name` (compared without regard to case, as OpenSSL does).
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The decoded body.
    ///
    /// - Throws: When the body is not valid base64.
    package func derBytes() throws -> [UInt8] {
        // Rewrapped at 64 characters because PEMDocument insists on that line length, while a file edited
        // by hand or written by another tool may use a different one.
        var lines: [Substring] = []
        var remaining = base64Body[...]
        while !remaining.isEmpty {
            lines.append(remaining.prefix(64))
            remaining = remaining.dropFirst(64)
        }
        let headerless = "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
        return try PEMDocument(pemString: headerless).derBytes
    }

    /// The complete blocks of `text`, in order. Text outside the blocks and blocks without an END line are
    /// skipped, as OpenSSL skips them.
    package static func blocks(in text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var open: (label: String, lines: [Substring])?
        // "\r\n" is one Character that counts as a newline, so files with DOS line ends work too.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = trimmingTrailingWhitespace(rawLine)
            if let current = open {
                if line == "-----END \(current.label)-----" {
                    blocks.append(PEMBlock(label: current.label, contents: current.lines))
                    open = nil
                } else {
                    open?.lines.append(line)
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                open = (String(line.dropFirst(11).dropLast(5)), [])
            }
        }
        return blocks
    }

    /// Splits a block's lines into headers, which run up to the first empty line when the first line has a
    /// colon (base64 never does), and the body.
    private init(label: String, contents: [Substring]) {
        self.label = label
        var headers: [Header] = []
        var bodyLines = contents[...]
        if let first = contents.first, first.contains(":") {
            while let line = bodyLines.popFirst(), !line.allSatisfy(\.isWhitespace) {
                if line.first?.isWhitespace == true, !headers.isEmpty {
                    // RFC 1421 continuation line.
                    headers[headers.count - 1].value += " " + PEMBlock.trimmed(line)
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append(
                        Header(
                            name: PEMBlock.trimmed(line[..<colon]),
                            value: PEMBlock.trimmed(line[line.index(after: colon)...])
                        )
                    )
                }
            }
        }
        self.headers = headers
        self.base64Body = bodyLines.map { PEMBlock.trimmed($0) }.joined()
    }

    private static func trimmingTrailingWhitespace(_ text: Substring) -> Substring {
        var text = text
        while text.last?.isWhitespace == true {
            text = text.dropLast()
        }
        return text
    }

    static func trimmed(_ text: Substring) -> String {
        String(trimmingTrailingWhitespace(text.drop(while: \.isWhitespace)))
    }
}
