import Testing
@testable import CACore

@Suite struct DNSResponseTests {
    let aQuery = try! DNSQuery(name: "example.com", type: .a, id: 0x1234)

    @Test func decodesCompressedAddressRecord() throws {
        let bytes = MessageBytes.response(type: 1, answers: [(1, [192, 0, 2, 1])])
        let response = try DNSResponse(decoding: bytes, answering: aQuery)
        #expect(response.header.responseCode == .noError)
        #expect(response.header.recursionAvailable)
        #expect(response.answers == [DNSResourceRecord(name: "example.com", timeToLive: 300, data: .a("192.0.2.1"))])
    }

    @Test(arguments: [
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "2001:db8::1"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
        ([UInt8](repeating: 0, count: 16), "::"),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], "2001:db8::1:0:0:1"),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], "2001:db8:0:1:1:1:1:1"),
        ([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD, 0, 0, 0, 0, 0, 0], "fe80::abcd:0:0:0"),
    ] as [([UInt8], String)])
    func formatsIPv6AddressesCanonically(bytes: [UInt8], text: String) throws {
        let query = try DNSQuery(name: "example.com", type: .aaaa, id: 0x1234)
        let response = try DNSResponse(decoding: MessageBytes.response(type: 28, answers: [(28, bytes)]), answering: query)
        #expect(response.answers.map(\.data) == [.aaaa(text)])
    }

    @Test func joinsTheStringsOfEachTXTRecordSeparately() throws {
        let first: [UInt8] = [3] + Array("abc".utf8) + [2] + Array("de".utf8)
        let second: [UInt8] = [1] + Array("x".utf8)
        let query = try DNSQuery(name: "example.com", type: .txt, id: 0x1234)
        let response = try DNSResponse(decoding: MessageBytes.response(type: 16, answers: [(16, first), (16, second)]), answering: query)
        #expect(response.answers.map(\.data) == [.txt("abcde"), .txt("x")])
    }

    @Test func decodesCAAFlagsTagAndValue() throws {
        let data: [UInt8] = [0x80, 5] + Array("issue".utf8) + Array("ca.example; accounturi=https://a/1".utf8)
        let query = try DNSQuery(name: "example.com", type: .caa, id: 0x1234)
        let response = try DNSResponse(decoding: MessageBytes.response(type: 257, answers: [(257, data)]), answering: query)
        let record = try #require(response.answers.first?.data.caaRecord)
        #expect(record == CAARecord(flags: 0x80, tag: "issue", value: "ca.example; accounturi=https://a/1"))
        #expect(record.isCritical)
    }

    @Test func decodesCNAMEWhoseTargetPointsIntoTheQuestion() throws {
        // "www" followed by a pointer to "example.com" at offset 12.
        let target: [UInt8] = [3] + Array("www".utf8) + MessageBytes.pointerToQuestionName
        let bytes = MessageBytes.response(type: 1, answers: [(5, target), (1, [10, 0, 0, 1])])
        let response = try DNSResponse(decoding: bytes, answering: aQuery)
        #expect(response.answers.map(\.data) == [.cname("www.example.com"), .a("10.0.0.1")])
        #expect(DNSLookupResult(response: response, type: .a).recordData == [.a("10.0.0.1")])
    }

    @Test func skipsUnknownTypesAndOtherClasses() throws {
        var bytes = MessageBytes.header(answers: 3) + MessageBytes.question("example.com", type: 1)
        bytes += MessageBytes.record(owner: MessageBytes.pointerToQuestionName, type: 46, data: [1, 2, 3, 4, 5])
        bytes += MessageBytes.pointerToQuestionName + [0, 1, 0, 3] + [0, 0, 0, 1] + [0, 4, 1, 1, 1, 1]  // class CH
        bytes += MessageBytes.record(owner: MessageBytes.pointerToQuestionName, type: 1, data: [192, 0, 2, 7])
        let response = try DNSResponse(decoding: bytes, answering: aQuery)
        #expect(response.answers.map(\.data) == [.a("192.0.2.7")])
    }

    @Test func matchesTheQuestionCaseInsensitively() throws {
        var bytes = MessageBytes.header(answers: 0) + MessageBytes.question("EXAMPLE.Com", type: 1)
        bytes[3] = 0x83  // NXDOMAIN
        let response = try DNSResponse(decoding: bytes, answering: aQuery)
        #expect(DNSLookupResult(response: response, type: .a) == .noRecords(.nameError))
    }

    @Test func rejectsAnotherID() {
        let bytes = MessageBytes.response(id: 0x4321, type: 1, answers: [])
        #expect(throws: DNSMessageError.idMismatch(expected: 0x1234, received: 0x4321)) {
            try DNSResponse(decoding: bytes, answering: aQuery)
        }
    }

    @Test func rejectsAnotherQuestion() {
        let otherType = MessageBytes.response(type: 28, answers: [])
        #expect(throws: DNSMessageError.questionMismatch(expected: "example.com A", received: "example.com AAAA")) {
            try DNSResponse(decoding: otherType, answering: aQuery)
        }
        let otherName = MessageBytes.header() + MessageBytes.question("example.org", type: 1)
        #expect(throws: DNSMessageError.self) { try DNSResponse(decoding: otherName, answering: aQuery) }
        let noQuestion = MessageBytes.header(questions: 0)
        #expect(throws: DNSMessageError.questionMismatch(expected: "example.com A", received: "no question")) {
            try DNSResponse(decoding: noQuestion, answering: aQuery)
        }
    }

    @Test func rejectsQueries() {
        let query = MessageBytes.header(flags: 0x0100) + MessageBytes.question("example.com", type: 1)
        #expect(throws: DNSMessageError.notAResponse) { try DNSResponse(decoding: query) }
    }

    @Test func mapsResponseCodesToLookupResults() throws {
        func result(flags: UInt16, answers: [(type: UInt16, data: [UInt8])] = []) throws -> DNSLookupResult {
            let response = try DNSResponse(decoding: MessageBytes.response(flags: flags, type: 1, answers: answers), answering: aQuery)
            return DNSLookupResult(response: response, type: .a)
        }
        #expect(try result(flags: 0x8180) == .noRecords(.noError))
        #expect(try result(flags: 0x8183) == .noRecords(.nameError))
        #expect(try result(flags: 0x8182) == .failure(.serverError(.serverFailure)))
        #expect(try result(flags: 0x8185) == .failure(.serverError(.refused)))
        let onlyAlias: [UInt8] = [1, UInt8(ascii: "x")] + MessageBytes.pointerToQuestionName
        #expect(try result(flags: 0x8180, answers: [(5, onlyAlias)]) == .noRecords(.noError))
    }

    @Test func readsTheTruncationBitFromTheHeaderAlone() throws {
        let header = try DNSHeader(decoding: MessageBytes.header(flags: 0x8380))
        #expect(header.isTruncated)
        #expect(header.isResponse)
    }
}
