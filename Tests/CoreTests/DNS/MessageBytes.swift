/// Hand-assembled DNS messages for the decoder tests, so every byte under test is visible.
enum MessageBytes {
    static func header(
        id: UInt16 = 0x1234,
        flags: UInt16 = 0x8180,  // QR, RD, RA, NOERROR
        questions: UInt16 = 1,
        answers: UInt16 = 0
    ) -> [UInt8] {
        uint16(id) + uint16(flags) + uint16(questions) + uint16(answers) + uint16(0) + uint16(0)
    }

    /// Uncompressed wire name, e.g. name("example.com") = 07 example 03 com 00.
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func question(_ text: String, type: UInt16, class classCode: UInt16 = 1) -> [UInt8] {
        name(text) + uint16(type) + uint16(classCode)
    }

    /// A pointer to the question name, which always starts right after the 12-byte header.
    static let pointerToQuestionName: [UInt8] = [0xC0, 0x0C]

    static func record(owner: [UInt8], type: UInt16, ttl: UInt32 = 300, data: [UInt8]) -> [UInt8] {
        owner + uint16(type) + uint16(1) + uint16(UInt16(ttl >> 16)) + uint16(UInt16(ttl & 0xFFFF))
            + uint16(UInt16(data.count)) + data
    }

    static func uint16(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    /// A complete response to "example.com <type>" with the given answers, all owned by the
    /// question name through a compression pointer.
    static func response(
        id: UInt16 = 0x1234,
        flags: UInt16 = 0x8180,
        type: UInt16,
        answers: [(type: UInt16, data: [UInt8])]
    ) -> [UInt8] {
        header(id: id, flags: flags, answers: UInt16(answers.count))
            + question("example.com", type: type)
            + answers.flatMap { record(owner: pointerToQuestionName, type: $0.type, data: $0.data) }
    }
}

/// A tiny deterministic generator so that the robustness tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        // SplitMix64.
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
