import Foundation

/// Compact JSON text (RFC 8259) for the values the HTTP front ends build: dictionaries with string keys,
/// arrays, strings, booleans, integers, doubles and `NSNull`, members sorted by key.
///
/// Written here because `JSONSerialization` on Linux sorts keys through ICU collation and boxes every value
/// in Foundation objects: it was a quarter of the CPU of an API signature. Keys are sorted by their UTF-8
/// bytes, which for the ASCII member names of django-ca's schemas and RFC 8555 is the order people expect.
/// Slashes are not escaped and non-ASCII text is written as UTF-8, as JSONSerialization's
/// `.withoutEscapingSlashes` did.
public enum JSONText {
    public struct UnsupportedValue: Error, CustomStringConvertible {
        public let typeName: String
        public var description: String { "JSON cannot hold a value of type \(typeName)" }
    }

    /// How members and elements are separated.
    public enum Style: Sendable {
        /// No whitespace: the HTTP front ends' answers.
        case compact
        /// What Python's `json.dumps(…, indent=N)` writes, as django-ca's commands print JSON: without an indent
        /// one line with `", "` and `": "`, with one a line per member indented by N spaces.
        case python(indent: Int?)
    }

    public static func encode(_ value: Any, style: Style = .compact) throws -> [UInt8] {
        var writer = Writer(style: style)
        writer.output.reserveCapacity(1_024)
        try writer.write(value, depth: 0)
        return writer.output
    }

    /// The JSON as a String, for commands that print it.
    public static func text(_ value: Any, style: Style) throws -> String {
        String(decoding: try encode(value, style: style), as: UTF8.self)
    }

    private struct Writer {
        let style: Style
        var output: [UInt8] = []

        init(style: Style) {
            self.style = style
        }

        /// After `[` or `{` and between elements: a newline and the indent of `depth` in the indented style.
        mutating func separate(first: Bool, depth: Int) {
            switch style {
            case .compact:
                if !first { output.append(UInt8(ascii: ",")) }
            case .python(indent: nil):
                if !first { output.append(contentsOf: ", ".utf8) }
            case .python(indent: let indent?):
                if !first { output.append(UInt8(ascii: ",")) }
                output.append(UInt8(ascii: "\n"))
                output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * depth))
            }
        }

        /// Before `]` or `}` of a non-empty container.
        mutating func close(depth: Int) {
            if case .python(indent: let indent?) = style {
                output.append(UInt8(ascii: "\n"))
                output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * depth))
            }
        }

        var keySeparator: String {
            if case .compact = style { return ":" }
            return ": "
        }

        mutating func write(_ value: Any, depth: Int) throws {
            try JSONText.write(value, depth: depth, to: &self)
        }
    }

    private static func write(_ value: Any, depth: Int, to writer: inout Writer) throws {
        // Bool before Int: a parsed JSON `true` is a boxed boolean that also casts to Int, never the reverse.
        switch value {
        case let text as String: writeString(text, to: &writer.output)
        case let object as [String: Any]: try writeObject(object, depth: depth, to: &writer)
        case let flag as Bool: writer.output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case let number as Int: writer.output.append(contentsOf: String(number).utf8)
        case let array as [Any]:
            writer.output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                writer.separate(first: index == 0, depth: depth + 1)
                try write(element, depth: depth + 1, to: &writer)
            }
            if !array.isEmpty { writer.close(depth: depth) }
            writer.output.append(UInt8(ascii: "]"))
        case is NSNull: writer.output.append(contentsOf: "null".utf8)
        case let number as Int64: writer.output.append(contentsOf: String(number).utf8)
        case let number as Double: try writeDouble(number, to: &writer.output)
        case let text as Substring: writeString(String(text), to: &writer.output)
        default:
            // An optional that reached here inside `Any`: nil is null, a value is written as itself.
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { throw UnsupportedValue(typeName: "\(type(of: value))") }
            if let wrapped = mirror.children.first?.value {
                try write(wrapped, depth: depth, to: &writer)
            } else {
                writer.output.append(contentsOf: "null".utf8)
            }
        }
    }

    private static func writeObject(_ object: [String: Any], depth: Int, to writer: inout Writer) throws {
        writer.output.append(UInt8(ascii: "{"))
        let members = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (index, member) in members.enumerated() {
            writer.separate(first: index == 0, depth: depth + 1)
            writeString(member.key, to: &writer.output)
            writer.output.append(contentsOf: writer.keySeparator.utf8)
            try write(member.value, depth: depth + 1, to: &writer)
        }
        if !members.isEmpty { writer.close(depth: depth) }
        writer.output.append(UInt8(ascii: "}"))
    }

    private static func writeDouble(_ number: Double, to output: inout [UInt8]) throws {
        guard number.isFinite else { throw UnsupportedValue(typeName: "Double (\(number))") }
        // Whole numbers as integers, as JSONSerialization writes them.
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
            output.append(contentsOf: String(Int64(number)).utf8)
        } else {
            output.append(contentsOf: String(number).utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// One JSON string, quoted and escaped (RFC 8259 §7).
    public static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 2)
        writeString(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
