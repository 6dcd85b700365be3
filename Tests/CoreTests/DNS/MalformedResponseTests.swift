import Testing
@testable import CACore

/// Responses come from the network: whatever their bytes, decoding must throw, never trap or hang.
@Suite struct MalformedResponseTests {
    let fullResponse = MessageBytes.response(
        type: 16,
        answers: [(5, [3] + Array("www".utf8) + MessageBytes.pointerToQuestionName), (16, [2, 0x68, 0x69])]
    )

    @Test func everyTruncationOfAResponseThrows() throws {
        _ = try DNSResponse(decoding: fullResponse)
        for length in 0..<fullResponse.count {
            #expect(throws: DNSMessageError.self, "prefix of \(length) bytes") {
                try DNSResponse(decoding: Array(fullResponse.prefix(length)))
            }
        }
    }

    @Test func pointerToItselfIsALoop() {
        let bytes = MessageBytes.header() + [0xC0, 0x0C] + [0, 1, 0, 1]
        #expect(throws: DNSMessageError.compressionPointerLoop(offset: 12)) { try DNSResponse(decoding: bytes) }
    }

    @Test func twoPointersReferringToEachOtherAreALoop() {
        // Offset 12 points to 14 and 14 points back to 12.
        let bytes = MessageBytes.header() + [0xC0, 0x0E, 0xC0, 0x0C] + [0, 1, 0, 1]
        #expect(throws: DNSMessageError.compressionPointerLoop(offset: 12)) { try DNSResponse(decoding: bytes) }
    }

    @Test func pointerBackToTheStartOfItsOwnNameIsALoop() {
        // "a" then a pointer back to that "a": backwards from the pointer, but a cycle.
        let bytes = MessageBytes.header() + [1, UInt8(ascii: "a"), 0xC0, 0x0C] + [0, 1, 0, 1]
        #expect(throws: DNSMessageError.compressionPointerLoop(offset: 14)) { try DNSResponse(decoding: bytes) }
    }

    @Test func pointerPastTheEndIsOutOfBounds() {
        let bytes = MessageBytes.header() + [0xC0, 0xFF] + [0, 1, 0, 1]
        #expect(throws: DNSMessageError.compressionPointerOutOfBounds(offset: 12)) { try DNSResponse(decoding: bytes) }
    }

    @Test func reservedLabelTypesAreRejected() {
        let bytes = MessageBytes.header() + [0x41, 0x00] + [0, 1, 0, 1]
        #expect(throws: DNSMessageError.unsupportedLabelType(offset: 12)) { try DNSResponse(decoding: bytes) }
    }

    @Test func namesOver255BytesAreRejected() {
        let label: [UInt8] = [63] + [UInt8](repeating: UInt8(ascii: "a"), count: 63)
        let bytes = MessageBytes.header() + label + label + label + label + [0] + [0, 1, 0, 1]
        #expect(throws: DNSMessageError.nameTooLong) { try DNSResponse(decoding: bytes) }
    }

    @Test(arguments: [
        (UInt16(1), [192, 0, 2]),
        (UInt16(28), [0, 0, 0, 1]),
        (UInt16(16), [5, 0x61, 0x62]),
        (UInt16(257), [0, 0]),
        (UInt16(257), [0, 9, 0x69]),
        (UInt16(257), [0, 2, 0x69, 0x2D]),
        (UInt16(5), [3, 0x77, 0x77, 0x77, 0, 0xFF]),
    ] as [(UInt16, [UInt8])])
    func recordDataWithTheWrongShapeIsMalformed(type: UInt16, data: [UInt8]) {
        let bytes = MessageBytes.response(type: type, answers: [(type, data)])
        #expect {
            try DNSResponse(decoding: bytes)
        } throws: { error in
            guard case .malformedRecord = error as? DNSMessageError else { return false }
            return true
        }
    }

    @Test func answerCountBeyondTheDataIsTruncation() {
        let bytes = MessageBytes.header(answers: 65535) + MessageBytes.question("example.com", type: 1)
        #expect(throws: DNSMessageError.truncated(field: "name")) { try DNSResponse(decoding: bytes) }
    }

    @Test func randomMutationsNeverTrap() {
        var generator = SeededGenerator(seed: 8555)
        for _ in 0..<5_000 {
            var bytes = fullResponse
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? DNSResponse(decoding: bytes)
        }
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...80, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count > 2 { bytes[2] |= 0x80 }  // mark as a response to get past the header
            _ = try? DNSResponse(decoding: bytes)
        }
    }
}
