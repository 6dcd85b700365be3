import CACore
import Foundation
import SwiftASN1
import Testing

@Suite("JSON, hex and PEM text")
struct TextFormatTests {
    @Test("JSON text: members sorted, strings escaped, values of every kind the front ends use")
    func jsonText() throws {
        let object: [String: Any] = [
            "b": [1, "two", true, NSNull()] as [Any], "a": "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é",
            "c": ["z": false, "y": 1.5] as [String: Any], "d": Int64(-7), "e": 2.0, "f": ["x", "y"],
        ]
        let text = String(decoding: try JSONText.encode(object), as: UTF8.self)
        #expect(
            text == #"{"a":"quote \" backslash \\ slash / newline \n tab \t bell \u0007 é","b":[1,"two",true,null],"#
                + #""c":{"y":1.5,"z":false},"d":-7,"e":2,"f":["x","y"]}"#)
        // Foundation reads back what it wrote.
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["a"] as? String == object["a"] as? String)
    }

    @Test("JSON text: parsed booleans stay booleans, parsed numbers stay numbers")
    func parsedValues() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"t":true,"n":5,"f":0.25,"z":null}"#.utf8))
        #expect(String(decoding: try JSONText.encode(parsed), as: UTF8.self) == #"{"f":0.25,"n":5,"t":true,"z":null}"#)
    }

    @Test("JSON text refuses what JSON cannot hold")
    func refusals() {
        #expect(throws: JSONText.UnsupportedValue.self) { try JSONText.encode(["when": Date()]) }
        #expect(throws: JSONText.UnsupportedValue.self) { try JSONText.encode([Double.nan]) }
    }

    @Test("hex digits keep leading zeros, in either case")
    func hex() {
        #expect(Hex.upper([0x00, 0x0A, 0xFF, 0x10]) == "000AFF10")
        #expect(Hex.lower([0x00, 0x0A, 0xFF, 0x10]) == "000aff10")
        #expect(Hex.upper([]) == "")
    }

    @Test("PEM text is what swift-asn1 writes, for lengths around a full line")
    func pem() {
        for length in [0, 1, 47, 48, 49, 96, 1_000] {
            let der = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            #expect(PEMText.encode(type: "CERTIFICATE", der: der) == PEMDocument(type: "CERTIFICATE", derBytes: der).pemString)
        }
    }
}
