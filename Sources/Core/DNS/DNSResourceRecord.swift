/// One answer record (RFC 1035 §4.1.3) of a type this client understands.
public struct DNSResourceRecord: Sendable, Hashable {
    /// The owner name, without a trailing dot.
    public var name: String
    public var timeToLive: UInt32
    public var data: DNSRecordData

    public init(name: String, timeToLive: UInt32, data: DNSRecordData) {
        self.name = name
        self.timeToLive = timeToLive
        self.data = data
    }

    public var type: DNSRecordType { data.type }

    /// Reads one record and leaves the cursor after it. Returns nil for records of unknown types or
    /// classes, whose data is skipped unread because nothing here needs it.
    static func decode(from reader: inout ByteReader) throws(DNSMessageError) -> DNSResourceRecord? {
        let name = try DNSName.decode(from: &reader)
        let typeCode = try reader.readUInt16("record type")
        let classCode = try reader.readUInt16("record class")
        let timeToLive = try reader.readUInt32("record TTL")
        let dataLength = Int(try reader.readUInt16("record data length"))
        guard let type = DNSRecordType(rawValue: typeCode), classCode == DNSClass.internet else {
            _ = try reader.readBytes(dataLength, "record data")
            return nil
        }
        let data = try DNSRecordData.decode(type: type, from: &reader, length: dataLength)
        return DNSResourceRecord(name: name, timeToLive: timeToLive, data: data)
    }
}
