/// What a lookup established, in the three outcomes that ACME validation and CAA checking tell apart.
public enum DNSLookupResult: Sendable, Equatable {
    /// At least one record of the requested type.
    case records([DNSResourceRecord])
    /// The name has no record of the type: NOERROR with an empty answer, or NXDOMAIN.
    case noRecords(DNSResponseCode)
    /// No trustworthy answer; callers that decide on issuance must fail closed.
    case failure(DNSLookupFailure)

    /// Interprets a response that has already been matched to its query.
    public init(response: DNSResponse, type: DNSRecordType) {
        switch response.header.responseCode {
        case .noError:
            let records = response.answers(ofType: type)
            self = records.isEmpty ? .noRecords(.noError) : .records(records)
        case .nameError:
            self = .noRecords(.nameError)
        default:
            self = .failure(.serverError(response.header.responseCode))
        }
    }

    /// The decoded data of the records found, empty for `noRecords` and `failure`.
    public var recordData: [DNSRecordData] {
        if case .records(let records) = self { return records.map(\.data) }
        return []
    }
}

/// Why a lookup produced no trustworthy answer.
public enum DNSLookupFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error code such as SERVFAIL or REFUSED.
    case serverError(DNSResponseCode)
    /// No matching reply arrived in time.
    case timeout
    /// A reply arrived but could not be read, or answered another question.
    case malformedResponse(DNSMessageError)
    /// The socket could not be opened, or sending or receiving failed.
    case network(String)

    public var message: String {
        switch self {
        case .serverError(let code): "the DNS server answered \(code)"
        case .timeout: "the DNS server did not answer in time"
        case .malformedResponse(let error): error.message
        case .network(let reason): "the DNS server could not be reached: \(reason)"
        }
    }

    public var description: String { message }
}
