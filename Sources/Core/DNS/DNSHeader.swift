/// The fixed 12-byte header of every DNS message (RFC 1035 §4.1.1).
public struct DNSHeader: Sendable, Equatable {
    public static let byteCount = 12

    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var isAuthoritativeAnswer: Bool
    /// TC: the answer did not fit in the datagram and must be asked again over TCP.
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var responseCode: DNSResponseCode
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16

    public init(
        id: UInt16,
        isResponse: Bool = false,
        opcode: UInt8 = 0,
        isAuthoritativeAnswer: Bool = false,
        isTruncated: Bool = false,
        recursionDesired: Bool = true,
        recursionAvailable: Bool = false,
        responseCode: DNSResponseCode = .noError,
        questionCount: UInt16 = 0,
        answerCount: UInt16 = 0,
        authorityCount: UInt16 = 0,
        additionalCount: UInt16 = 0
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritativeAnswer = isAuthoritativeAnswer
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.responseCode = responseCode
        self.questionCount = questionCount
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }

    /// Reads only the header, which is enough to see the id and the TC bit of a reply before
    /// deciding whether to decode the rest or to ask again over TCP.
    public init(decoding bytes: [UInt8]) throws(DNSMessageError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
    }

    init(from reader: inout ByteReader) throws(DNSMessageError) {
        id = try reader.readUInt16("header")
        let flags = try reader.readUInt16("header")
        isResponse = flags & 0x8000 != 0
        opcode = UInt8((flags >> 11) & 0x0F)
        isAuthoritativeAnswer = flags & 0x0400 != 0
        isTruncated = flags & 0x0200 != 0
        recursionDesired = flags & 0x0100 != 0
        recursionAvailable = flags & 0x0080 != 0
        responseCode = DNSResponseCode(rawValue: UInt8(flags & 0x000F))
        questionCount = try reader.readUInt16("header")
        answerCount = try reader.readUInt16("header")
        authorityCount = try reader.readUInt16("header")
        additionalCount = try reader.readUInt16("header")
    }

    func write(to writer: inout ByteWriter) {
        var flags: UInt16 = 0
        if isResponse { flags |= 0x8000 }
        flags |= UInt16(opcode & 0x0F) << 11
        if isAuthoritativeAnswer { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        flags |= UInt16(responseCode.rawValue & 0x0F)
        writer.writeUInt16(id)
        writer.writeUInt16(flags)
        writer.writeUInt16(questionCount)
        writer.writeUInt16(answerCount)
        writer.writeUInt16(authorityCount)
        writer.writeUInt16(additionalCount)
    }
}
