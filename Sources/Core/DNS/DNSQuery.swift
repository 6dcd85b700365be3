/// A recursive query for one name and type, ready to send to a resolver.
public struct DNSQuery: Sendable, Equatable {
    public let id: UInt16
    public let question: DNSQuestion
    private let wireBytes: [UInt8]

    /// Builds a query with a random id. The id is one of the few defences of plain UDP DNS against
    /// spoofed answers, so it comes from the system's secure generator.
    public init(name: String, type: DNSRecordType) throws(DNSMessageError) {
        var generator = SystemRandomNumberGenerator()
        try self.init(name: name, type: type, id: UInt16.random(in: .min ... .max, using: &generator))
    }

    /// Builds a query with a chosen id, for tests that need reproducible bytes.
    public init(name: String, type: DNSRecordType, id: UInt16) throws(DNSMessageError) {
        // Encoding here rejects unusable names when the query is made, not when it is sent.
        let question = DNSQuestion(name: name, type: type)
        var writer = ByteWriter()
        DNSHeader(id: id, recursionDesired: true, questionCount: 1).write(to: &writer)
        try question.write(to: &writer)
        self.id = id
        self.question = question
        self.wireBytes = writer.bytes
    }

    /// The wire form: a header with RD set, then the single question.
    public func encoded() -> [UInt8] {
        wireBytes
    }
}
