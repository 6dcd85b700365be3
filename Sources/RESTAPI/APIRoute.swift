import CACore
import HTTPTypes

/// The endpoints under `/api/`, matched from the path's segments. Trailing slashes are optional, as in
/// django-ca's URLs; serials may be written in any spelling `SerialNumberText` accepts.
enum APIRoute: Equatable {
    case openAPI
    case profiles
    case profile(name: String)
    case authorities
    case authority(serial: String)
    case sign(authority: String)
    case order(authority: String, slug: String)
    case certificates(authority: String)
    case certificate(authority: String, serial: String)
    case resign(authority: String, serial: String)
    case revoke(authority: String, serial: String)
    case watchers(authority: String, serial: String)
    /// OpenSSH CAs, named (percent-encoded) in the path.
    case sshAuthorities
    case sshSign(authority: String)
    case sshCertificates(authority: String)
    case sshCertificate(authority: String, serial: String)
    case sshRevoke(authority: String, serial: String)

    /// nil when no endpoint has this path.
    init?(path: String) {
        // No object's name or serial contains NUL, and PostgreSQL cannot compare text with one.
        guard path == "/api" || path.hasPrefix("/api/"), !path.contains("\u{0}"), !path.lowercased().contains("%00") else { return nil }
        let segments = path.dropFirst("/api".count).split(separator: "/").map(String.init)
        switch segments.count {
        case 1 where segments[0] == "openapi.yaml": self = .openAPI
        case 1 where segments[0] == "profiles": self = .profiles
        case 2 where segments[0] == "profiles": self = .profile(name: segments[1])
        case 1 where segments[0] == "ca": self = .authorities
        case 1 where segments[0] == "ssh": self = .sshAuthorities
        case 3...5 where segments[0] == "ssh":
            guard let name = segments[1].removingPercentEncoding, !name.isEmpty else { return nil }
            switch (segments.count, segments[2]) {
            case (3, "sign"): self = .sshSign(authority: name)
            case (3, "certs"): self = .sshCertificates(authority: name)
            case (4, "certs"): self = .sshCertificate(authority: name, serial: segments[3])
            case (5, "certs") where segments[4] == "revoke": self = .sshRevoke(authority: name, serial: segments[3])
            default: return nil
            }
        case 2...6 where segments[0] == "ca":
            guard let authority = SerialNumberText.normalize(segments[1]) else { return nil }
            self.init(authority: authority, rest: Array(segments.dropFirst(2)))
        default: return nil
        }
    }

    private init?(authority: String, rest: [String]) {
        switch rest.count {
        case 0: self = .authority(serial: authority)
        case 1 where rest[0] == "sign": self = .sign(authority: authority)
        case 1 where rest[0] == "certs": self = .certificates(authority: authority)
        case 2 where rest[0] == "orders": self = .order(authority: authority, slug: rest[1])
        case 2...3 where rest[0] == "certs":
            guard let serial = SerialNumberText.normalize(rest[1]) else { return nil }
            switch rest.count == 2 ? nil : rest[2] {
            case nil: self = .certificate(authority: authority, serial: serial)
            case "resign": self = .resign(authority: authority, serial: serial)
            case "revoke": self = .revoke(authority: authority, serial: serial)
            case "watchers": self = .watchers(authority: authority, serial: serial)
            default: return nil
            }
        default: return nil
        }
    }

    /// The methods each endpoint answers (HEAD is not offered: every answer is computed).
    var methods: [HTTPRequest.Method] {
        switch self {
        case .openAPI, .profiles, .profile, .authorities, .order, .certificates, .certificate, .sshAuthorities, .sshCertificates, .sshCertificate:
            return [.get]
        case .sshSign, .sshRevoke: return [.post]
        case .authority: return [.get, .put]
        case .watchers: return [.get, .put]
        case .sign, .resign, .revoke: return [.post]
        }
    }

    /// The spec is public, as django-ninja's is; everything else needs credentials.
    var needsCredentials: Bool { self != .openAPI }
}
