import Foundation

/// The critical options and extensions of an OpenSSH certificate (PROTOCOL.certkeys), checked against the names
/// OpenSSH defines: an unknown critical option would make sshd refuse the certificate, and an unknown extension
/// would be ignored by it, so both are refused here with a clear line instead.
public struct SSHCertificateOptions: Sendable, Equatable {
    /// Name to value; `verify-required` has none.
    public private(set) var criticalOptions: [String: String] = [:]
    public private(set) var extensions: Set<String> = []

    public static let criticalOptionNames: Set<String> = ["force-command", "source-address", "verify-required"]
    public static let extensionNames: Set<String> = [
        "no-touch-required", "permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty",
        "permit-user-rc",
    ]
    /// What ssh-keygen gives a user certificate unless told otherwise.
    public static let defaultUserExtensions: Set<String> = [
        "permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc",
    ]

    public init() {}

    /// `force-command=CMD`, `source-address=CIDR,…` or `verify-required`.
    public mutating func addCriticalOption(_ text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let value = parts.count == 2 ? parts[1] : ""
        guard Self.criticalOptionNames.contains(name) else {
            throw CAError(
                .invalidInput,
                "unknown critical option \"\(name)\" (OpenSSH knows \(Self.criticalOptionNames.sorted().joined(separator: ", ")))")
        }
        switch name {
        case "verify-required":
            guard value.isEmpty else { throw CAError(.invalidInput, "the critical option verify-required takes no value") }
        case "force-command":
            guard !value.isEmpty, !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
                throw CAError(.invalidInput, "force-command needs a command on one line: force-command=CMD")
            }
        default:
            let addresses = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for address in addresses {
                guard !address.isEmpty, (try? GeneralNameParser.parse("IP:" + address, allowNetworks: true)) != nil else {
                    throw CAError(.invalidInput, "source-address needs addresses or networks such as 10.0.0.0/8,192.0.2.1; \"\(address)\" is neither")
                }
            }
        }
        criticalOptions[name] = value
    }

    public mutating func addExtension(_ name: String) throws {
        guard Self.extensionNames.contains(name) else {
            throw CAError(.invalidInput, "unknown extension \"\(name)\" (OpenSSH knows \(Self.extensionNames.sorted().joined(separator: ", ")))")
        }
        extensions.insert(name)
    }

    /// The critical options field: for each option in name order, `string name, string data`, where data wraps the
    /// value in a string of its own (or is empty for a flag).
    public var criticalOptionsField: [UInt8] {
        var writer = SSHWireWriter()
        for name in criticalOptions.keys.sorted() {
            writer.string(name)
            let value = criticalOptions[name] ?? ""
            if value.isEmpty {
                writer.string([UInt8]())
            } else {
                var data = SSHWireWriter()
                data.string(value)
                writer.string(data.bytes)
            }
        }
        return writer.bytes
    }

    /// The extensions field: each name in order, with empty data.
    public var extensionsField: [UInt8] {
        var writer = SSHWireWriter()
        for name in extensions.sorted() {
            writer.string(name)
            writer.string([UInt8]())
        }
        return writer.bytes
    }

    /// Reads both fields back from a certificate.
    public init(criticalOptionsField: [UInt8], extensionsField: [UInt8]) throws {
        var options = SSHWireReader(criticalOptionsField, what: "the certificate's critical options")
        while !options.isAtEnd {
            let name = try options.text()
            let data = try options.string()
            if data.isEmpty {
                criticalOptions[name] = ""
            } else {
                var value = SSHWireReader(data, what: "the critical option \(name)")
                criticalOptions[name] = try value.text()
            }
        }
        var extensionReader = SSHWireReader(extensionsField, what: "the certificate's extensions")
        while !extensionReader.isAtEnd {
            extensions.insert(try extensionReader.text())
            _ = try extensionReader.string()
        }
    }
}
