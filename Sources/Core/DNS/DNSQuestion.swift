/// One entry of the question section (RFC 1035 §4.1.2).
public struct DNSQuestion: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    /// Kept raw so that a response asking about a type this client does not know can still be reported.
    public var typeCode: UInt16
    public var classCode: UInt16

    public init(name: String, type: DNSRecordType) {
        self.name = name
        self.typeCode = type.rawValue
        self.classCode = DNSClass.internet
    }

    init(from reader: inout ByteReader) throws(DNSMessageError) {
        name = try DNSName.decode(from: &reader)
        typeCode = try reader.readUInt16("question type")
        classCode = try reader.readUInt16("question class")
    }

    func write(to writer: inout ByteWriter) throws(DNSMessageError) {
        writer.writeBytes(try DNSName.encode(name))
        writer.writeUInt16(typeCode)
        writer.writeUInt16(classCode)
    }

    /// Whether a response's question is ours; names compare case-insensitively (RFC 4343).
    public func matches(_ other: DNSQuestion) -> Bool {
        typeCode == other.typeCode && classCode == other.classCode && DNSName.equal(name, other.name)
    }

    public var description: String {
        let typeName = DNSRecordType(rawValue: typeCode)?.description ?? "TYPE\(typeCode)"
        return "\(DNSName.canonical(name)) \(typeName)"
    }
}
