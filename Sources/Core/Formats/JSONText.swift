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

    public static func encode(_ value: Any) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1_024)
        try write(value, to: &output)
        return output
    }

    private static func write(_ value: Any, to output: inout [UInt8]) throws {
        // Bool before Int: a parsed JSON `true` is a boxed boolean that also casts to Int, never the reverse.
        switch value {
        case let text as String: writeString(text, to: &output)
        case let object as [String: Any]: try writeObject(object, to: &output)
        case let flag as Bool: output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case let number as Int: output.append(contentsOf: String(number).utf8)
        case let array as [Any]:
            output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case is NSNull: output.append(contentsOf: "null".utf8)
        case let number as Int64: output.append(contentsOf: String(number).utf8)
        case let number as Double: try writeDouble(number, to: &output)
        case let text as Substring: writeString(String(text), to: &output)
        default:
            // An optional that reached here inside `Any`: nil is null, a value is written as itself.
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { throw UnsupportedValue(typeName: "\(type(of: value))") }
            if let wrapped = mirror.children.first?.value {
                try write(wrapped, to: &output)
            } else {
                output.append(contentsOf: "null".utf8)
            }
        }
    }

    private static func writeObject(_ object: [String: Any], to output: inout [UInt8]) throws {
        output.append(UInt8(ascii: "{"))
        let members = object.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (index, member) in members.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeString(member.key, to: &output)
            output.append(UInt8(ascii: ":"))
            try write(member.value, to: &output)
        }
        output.append(UInt8(ascii: "}"))
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
