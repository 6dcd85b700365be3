import Foundation

/// An OpenSSH key revocation list (PROTOCOL.krl) that revokes certificates of one CA by serial: the header, then
/// one KRL_SECTION_CERTIFICATES section with the CA key and a KRL_SECTION_CERT_SERIAL_LIST. It is not signed;
/// sshd (`RevokedKeys`) and `ssh-keygen -Q` read it as it is.
public struct SSHRevocationList: Sendable {
    public static let magic: UInt64 = 0x5353_484B_524C_0A00  // "SSHKRL\n\0"
    static let formatVersion: UInt32 = 1
    static let certificatesSection: UInt8 = 1
    static let serialListSection: UInt8 = 0x20

    public var caKey: SSHPublicKey
    public var revokedSerials: [UInt64]
    /// Grows with every change, so that a reader can tell a newer list.
    public var version: UInt64
    public var generated: Date
    public var comment: String

    public init(caKey: SSHPublicKey, revokedSerials: [UInt64], version: UInt64, generated: Date, comment: String) {
        self.caKey = caKey
        self.revokedSerials = revokedSerials
        self.version = version
        self.generated = generated
        self.comment = comment
    }

    public var bytes: [UInt8] {
        var writer = SSHWireWriter()
        writer.uint64(Self.magic)
        writer.uint32(Self.formatVersion)
        writer.uint64(version)
        writer.uint64(UInt64(max(0, generated.timeIntervalSince1970.rounded(.down))))
        writer.uint64(0)
        writer.string([UInt8]())
        writer.string(comment)
        var section = SSHWireWriter()
        section.string(caKey.blob)
        section.string([UInt8]())
        let serials = Set(revokedSerials).sorted()
        if !serials.isEmpty {
            var list = SSHWireWriter()
            for serial in serials { list.uint64(serial) }
            section.byte(Self.serialListSection)
            section.string(list.bytes)
        }
        writer.byte(Self.certificatesSection)
        writer.string(section.bytes)
        return writer.bytes
    }
}
