/// A decoded response: its header, question and the answer records of known types.
///
/// The authority and additional sections are not decoded: a recursive resolver has already followed
/// referrals, and nothing in ACME validation or CAA checking needs them.
public struct DNSResponse: Sendable, Equatable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]

    public init(header: DNSHeader, questions: [DNSQuestion], answers: [DNSResourceRecord]) {
        self.header = header
        self.questions = questions
        self.answers = answers
    }

    /// Decodes a response without relating it to a query.
    public init(decoding bytes: [UInt8]) throws(DNSMessageError) {
        var reader = ByteReader(bytes)
        header = try DNSHeader(from: &reader)
        guard header.isResponse else { throw .notAResponse }
        // Each count is at most 65535 and each entry needs bytes, so a lying count ends in `truncated`.
        questions = []
        for _ in 0..<header.questionCount {
            questions.append(try DNSQuestion(from: &reader))
        }
        answers = []
        for _ in 0..<header.answerCount {
            if let record = try DNSResourceRecord.decode(from: &reader) {
                answers.append(record)
            }
        }
    }

    /// Decodes a response and checks that it answers `query`: same id, same single question.
    public init(decoding bytes: [UInt8], answering query: DNSQuery) throws(DNSMessageError) {
        try self.init(decoding: bytes)
        guard header.id == query.id else {
            throw .idMismatch(expected: query.id, received: header.id)
        }
        guard questions.count == 1, let question = questions.first, question.matches(query.question) else {
            let received = questions.map(\.description).joined(separator: ", ")
            throw .questionMismatch(expected: query.question.description, received: received.isEmpty ? "no question" : received)
        }
    }

    /// The answers of one type; a resolver that followed a CNAME also returns the alias records.
    public func answers(ofType type: DNSRecordType) -> [DNSResourceRecord] {
        answers.filter { $0.type == type }
    }
}
