/// Why a DNS message could not be built or read.
///
/// Responses come from the network, so every structural problem in them is reported as one of these
/// cases instead of trapping. `message` is a complete sentence fit for a log line or a problem detail.
public enum DNSMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A name given for a query cannot be written in the wire format.
    case invalidName(String, reason: String)
    /// The message ends before a field that its own structure announces.
    case truncated(field: String)
    /// A compression pointer refers past the end of the message.
    case compressionPointerOutOfBounds(offset: Int)
    /// A compression pointer does not refer to an earlier part of the message, so it could loop.
    case compressionPointerLoop(offset: Int)
    /// A label uses a type other than a plain label or a compression pointer (RFC 6891 reserved bits).
    case unsupportedLabelType(offset: Int)
    /// A decoded name is longer than the 255 bytes that RFC 1035 §2.3.4 allows.
    case nameTooLong
    /// The message is a query, not a response.
    case notAResponse
    /// The response answers a different query (its id does not match ours).
    case idMismatch(expected: UInt16, received: UInt16)
    /// The response carries a question other than the one we asked.
    case questionMismatch(expected: String, received: String)
    /// A record's data does not have the layout its type requires.
    case malformedRecord(type: String, reason: String)

    public var message: String {
        switch self {
        case .invalidName(let name, let reason):
            return "The DNS name \"\(name)\" cannot be queried: \(reason)."
        case .truncated(let field):
            return "The DNS message ends before its \(field)."
        case .compressionPointerOutOfBounds(let offset):
            return "The DNS message has a name compression pointer at offset \(offset) that points outside the message."
        case .compressionPointerLoop(let offset):
            return "The DNS message has a name compression pointer at offset \(offset) that does not point to an earlier name, so it could loop."
        case .unsupportedLabelType(let offset):
            return "The DNS message has a label of an unsupported type at offset \(offset)."
        case .nameTooLong:
            return "The DNS message contains a name longer than 255 bytes."
        case .notAResponse:
            return "The DNS message is a query, not a response."
        case .idMismatch(let expected, let received):
            return "The DNS response has id \(received) but the query had id \(expected)."
        case .questionMismatch(let expected, let received):
            return "The DNS response answers \(received) but the query asked for \(expected)."
        case .malformedRecord(let type, let reason):
            return "The DNS response has a malformed \(type) record: \(reason)."
        }
    }

    public var description: String { message }
}
