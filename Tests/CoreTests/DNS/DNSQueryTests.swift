import Testing
@testable import CACore

@Suite struct DNSQueryTests {
    @Test func encodesHeaderWithRecursionDesiredAndOneQuestion() throws {
        let query = try DNSQuery(name: "example.com", type: .a, id: 0x1234)
        let expected: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
            + [0x00, 0x01, 0x00, 0x01]
        #expect(query.encoded() == expected)
    }

    @Test(arguments: [
        (DNSRecordType.a, UInt16(1)), (.aaaa, 28), (.cname, 5), (.txt, 16), (.caa, 257),
    ])
    func encodesQuestionType(type: DNSRecordType, code: UInt16) throws {
        let bytes = try DNSQuery(name: "example.com.", type: type, id: 1).encoded()
        #expect(Array(bytes.suffix(4)) == MessageBytes.uint16(code) + [0x00, 0x01])
    }

    @Test func trailingDotMakesNoDifference() throws {
        let relative = try DNSQuery(name: "a.example", type: .txt, id: 7)
        let absolute = try DNSQuery(name: "a.example.", type: .txt, id: 7)
        #expect(relative.encoded() == absolute.encoded())
    }

    @Test func randomIDsVary() throws {
        let ids = try Set((0..<20).map { _ in try DNSQuery(name: "example.com", type: .a).id })
        #expect(ids.count > 1)
    }

    @Test(arguments: [
        "a..example.com",
        String(repeating: "a", count: 64) + ".example",
        "bücher.example",
        "with space.example",
        Array(repeating: String(repeating: "b", count: 63), count: 5).joined(separator: "."),
    ])
    func rejectsNamesThatCannotBeEncoded(name: String) {
        #expect {
            _ = try DNSQuery(name: name, type: .a)
        } throws: { error in
            guard case .invalidName = error as? DNSMessageError else { return false }
            return true
        }
    }
}
