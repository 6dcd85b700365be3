import Foundation

/// The fields of a submitted form: `application/x-www-form-urlencoded` or `multipart/form-data` (the CSR
/// upload). A field may repeat (checkboxes); files keep their bytes, text fields are UTF-8.
///
/// It is in Core, away from the web interface's NIO and store dependencies, so that the fuzz targets reach it.
package struct FormData: Sendable {
    package private(set) var fields: [String: [String]] = [:]
    package private(set) var files: [String: [UInt8]] = [:]

    package init() {}

    package func value(_ name: String) -> String? { fields[name]?.first }

    /// The field trimmed; nil when absent or blank.
    package func text(_ name: String) -> String? {
        guard let value = value(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    package func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// A textarea's non-empty lines (SANs, watchers), also split at commas so that pasted lists work.
    package func lines(_ name: String) -> [String] {
        (value(name) ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "," })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// An uploaded file's bytes; nil when no file was chosen.
    package func file(_ name: String) -> [UInt8]? {
        guard let bytes = files[name], !bytes.isEmpty else { return nil }
        return bytes
    }

    package mutating func append(_ name: String, _ value: String) {
        fields[name, default: []].append(value)
    }

    /// Reads a body by its content type. Throws `MalformedForm` for anything a browser would not send.
    package static func parse(body: [UInt8], contentType: String?) throws -> FormData {
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("multipart/form-data") {
            guard let boundary = parameter("boundary", in: contentType ?? "") else { throw MalformedForm("the multipart body has no boundary") }
            return try parseMultipart(body, boundary: boundary)
        }
        if type.isEmpty && body.isEmpty { return FormData() }
        guard type.hasPrefix("application/x-www-form-urlencoded") else { throw MalformedForm("the form's content type is not supported") }
        guard let text = String(bytes: body, encoding: .utf8) else { throw MalformedForm("the form is not UTF-8") }
        return try parseURLEncoded(text)
    }

    package static func parseURLEncoded(_ text: String) throws -> FormData {
        var form = FormData()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { throw MalformedForm("a form field name is not valid percent-encoding") }
            guard let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw MalformedForm("the form field \(name) is not valid percent-encoding")
            }
            form.append(name, value)
        }
        return form
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// `boundary=...` or `boundary="..."` from a header value.
    package static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// RFC 7578: parts separated by `--boundary`, each with headers, a blank line and the content.
    package static func parseMultipart(_ body: [UInt8], boundary: String) throws -> FormData {
        let delimiter = Array(("--" + boundary).utf8)
        let separator = Array("\r\n\r\n".utf8)
        var form = FormData()
        var positions = ranges(of: delimiter, in: body)
        guard positions.count >= 2 else { throw MalformedForm("the multipart body has no parts") }
        positions.append(body.endIndex)
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            // The closing delimiter is followed by "--".
            if body[partStart...].starts(with: Array("--".utf8)) { break }
            guard body[partStart...].starts(with: Array("\r\n".utf8)) else { throw MalformedForm("a multipart delimiter is malformed") }
            partStart += 2
            // The content ends with the CRLF that precedes the next delimiter.
            let partEnd = end >= partStart + 2 ? end - 2 : partStart
            let part = body[partStart..<partEnd]
            guard let split = ranges(of: separator, in: Array(part)).first else { throw MalformedForm("a multipart part has no headers") }
            let headerBytes = part.prefix(split)
            let content = Array(part.dropFirst(split + separator.count))
            guard let headers = String(bytes: headerBytes, encoding: .utf8) else { throw MalformedForm("multipart headers are not UTF-8") }
            let disposition = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }
            guard let disposition, let name = parameter("name", in: String(disposition)) else {
                throw MalformedForm("a multipart part has no field name")
            }
            if parameter("filename", in: String(disposition)) != nil {
                form.files[name] = content
            } else {
                guard let value = String(bytes: content, encoding: .utf8) else { throw MalformedForm("the form field \(name) is not UTF-8") }
                form.append(name, value)
            }
        }
        return form
    }

    /// Start offsets of every occurrence of `needle`.
    private static func ranges(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
        var found: [Int] = []
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }
}

/// A body that no browser form would produce: answered with 400.
package struct MalformedForm: Error {
    package let message: String
    package init(_ message: String) { self.message = message }
}

/// The `Cookie` header's name=value pairs.
package enum CookieHeader {
    package static func parse(_ header: String?) -> [String: String] {
        var cookies: [String: String] = [:]
        for piece in (header ?? "").split(separator: ";") {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmingCharacters(in: .whitespaces)
            // The first occurrence wins, as browsers send the most specific path first.
            if cookies[name] == nil { cookies[name] = pair[1].trimmingCharacters(in: .whitespaces) }
        }
        return cookies
    }
}
