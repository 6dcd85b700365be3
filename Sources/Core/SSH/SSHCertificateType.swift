/// Whom an OpenSSH certificate identifies (PROTOCOL.certkeys: SSH_CERT_TYPE_USER 1, SSH_CERT_TYPE_HOST 2).
public enum SSHCertificateType: UInt32, Sendable, CaseIterable {
    case user = 1
    case host = 2

    public var name: String {
        switch self {
        case .user: return "user"
        case .host: return "host"
        }
    }

    public init(name: String) throws {
        switch name.lowercased() {
        case "user": self = .user
        case "host": self = .host
        default: throw CAError(.invalidInput, "the certificate type must be user or host, not \"\(name)\"")
        }
    }
}
