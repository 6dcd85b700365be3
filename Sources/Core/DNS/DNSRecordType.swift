/// The record types this client asks for and understands (IANA "Resource Record (RR) TYPEs").
public enum DNSRecordType: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case a = 1
    case cname = 5
    case txt = 16
    case aaaa = 28
    /// RFC 8659.
    case caa = 257

    public var description: String {
        switch self {
        case .a: "A"
        case .cname: "CNAME"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .caa: "CAA"
        }
    }
}

/// The only class used on the Internet; records of other classes are skipped.
enum DNSClass {
    static let internet: UInt16 = 1
}
