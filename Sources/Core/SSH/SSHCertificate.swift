import Foundation
import X509

/// An OpenSSH certificate (PROTOCOL.certkeys): a public key with a serial, a type, a key id, principals, a
/// validity window, critical options and extensions, signed by a CA key. Every field but the signature is
/// signed.
public struct SSHCertificate: Sendable {
    public var publicKey: SSHPublicKey
    public var serial: UInt64
    public var type: SSHCertificateType
    public var keyID: String
    public var principals: [String]
    /// Seconds since 1970; `validBefore` is `UInt64.max` for "forever".
    public var validAfter: UInt64
    public var validBefore: UInt64
    public var options: SSHCertificateOptions
    public var caKey: SSHPublicKey
    /// The whole certificate as it is stored and sent (the base64 of the one-line form); empty until signed.
    public private(set) var blob: [UInt8] = []

    public init(
        publicKey: SSHPublicKey, serial: UInt64, type: SSHCertificateType, keyID: String, principals: [String], validAfter: UInt64,
        validBefore: UInt64, options: SSHCertificateOptions, caKey: SSHPublicKey
    ) {
        self.publicKey = publicKey
        self.serial = serial
        self.type = type
        self.keyID = keyID
        self.principals = principals
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.options = options
        self.caKey = caKey
    }

    /// Signs the certificate with the CA's key; a random 32-byte nonce comes first, as OpenSSH makes it.
    public mutating func sign(with key: Certificate.PrivateKey) throws {
        var writer = SSHWireWriter()
        writer.string(publicKey.certificateTypeName)
        writer.string((0..<32).map { _ in UInt8.random(in: 0...255) })
        writer.raw(publicKey.fields)
        writer.uint64(serial)
        writer.uint32(type.rawValue)
        writer.string(keyID)
        var principalList = SSHWireWriter()
        for principal in principals { principalList.string(principal) }
        writer.string(principalList.bytes)
        writer.uint64(validAfter)
        writer.uint64(validBefore)
        writer.string(options.criticalOptionsField)
        writer.string(options.extensionsField)
        writer.string([UInt8]())
        writer.string(caKey.blob)
        let signature = try SSHSignature.sign(writer.bytes, with: key, kind: caKey.kind)
        writer.string(signature)
        blob = writer.bytes
    }

    /// The one-line form, ready to be saved as `id_ed25519-cert.pub`.
    public func text(comment: String? = nil) -> String {
        [publicKey.certificateTypeName, Data(blob).base64EncodedString(), comment].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// Reads a stored certificate back (the signature is not checked: it was made here).
    public init(blob: [UInt8]) throws {
        var reader = SSHWireReader(blob, what: "the SSH certificate")
        let certificateType = try reader.text()
        guard certificateType.hasSuffix("-cert-v01@openssh.com") else { throw CAError(.invalidInput, "\(certificateType) is not a certificate type") }
        let keyType = String(certificateType.dropLast("-cert-v01@openssh.com".count))
        _ = try reader.string()
        var key = SSHWireWriter()
        key.string(keyType)
        switch keyType {
        case "ssh-ed25519":
            key.string(try reader.string())
        case "ssh-rsa":
            key.mpint(unsigned: try reader.unsignedMPInt())
            key.mpint(unsigned: try reader.unsignedMPInt())
        default:
            key.string(try reader.string())
            key.string(try reader.string())
        }
        publicKey = try SSHPublicKey(blob: key.bytes)
        serial = try reader.uint64()
        guard let certificateKind = SSHCertificateType(rawValue: try reader.uint32()) else {
            throw CAError(.invalidInput, "the SSH certificate has an unknown type")
        }
        type = certificateKind
        keyID = try reader.text()
        var principalReader = SSHWireReader(try reader.string(), what: "the certificate's principals")
        var names: [String] = []
        while !principalReader.isAtEnd { names.append(try principalReader.text()) }
        principals = names
        validAfter = try reader.uint64()
        validBefore = try reader.uint64()
        options = try SSHCertificateOptions(criticalOptionsField: try reader.string(), extensionsField: try reader.string())
        _ = try reader.string()
        caKey = try SSHPublicKey(blob: try reader.string())
        _ = try reader.string()
        try reader.finish()
        self.blob = blob
    }
}
