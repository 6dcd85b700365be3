import CACore
import Foundation
import SwiftASN1
import Testing
import X509

/// Helpers for the name parser and formatter tests.
enum NameTestSupport {
    /// Checks that `body` throws `CAError(.invalidInput)` whose one-line message quotes `input` and
    /// contains every fragment.
    static func expectInvalidInput(
        _ input: String,
        mentioning fragments: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected \(input.debugDescription) to be rejected", sourceLocation: sourceLocation)
        } catch let error as CAError {
            #expect(error.kind == .invalidInput, sourceLocation: sourceLocation)
            #expect(
                !error.message.contains("\n"),
                "message spans lines: \(error.message)",
                sourceLocation: sourceLocation
            )
            let quotedInput =
                "\""
                + input.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            #expect(error.message.contains(quotedInput), "\(error.message)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The DER encoding of any serializable value.
    static func derBytes(_ value: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(value)
        return serializer.serializedBytes
    }

    /// The DER tag byte of an attribute value, which tells its string type.
    static func tag(of value: RelativeDistinguishedName.Attribute.Value) throws -> UInt8 {
        try derBytes(ASN1Any(value))[0]
    }

    enum StringTag {
        static let utf8: UInt8 = 0x0C
        static let printable: UInt8 = 0x13
        static let ia5: UInt8 = 0x16
    }

    /// All attributes, RDN by RDN, in certificate order.
    static func attributes(of name: DistinguishedName) -> [[RelativeDistinguishedName.Attribute]] {
        name.map { Array($0) }
    }
}
