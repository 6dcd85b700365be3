/// What a person or program may do through the web interface and the REST API. Roles are fixed sets of
/// permissions, as in django-ca's groups; the command line itself is not restricted (whoever runs it can
/// read the CA keys anyway).
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Everything the web and the API offer, including CA settings.
    case admin
    /// Views, signs and revokes certificates, edits watchers.
    case `operator`
    /// Reads CAs, certificates and the audit log.
    case viewer

    public var permissions: Set<Permission> {
        switch self {
        case .admin: return Set(Permission.allCases)
        case .operator: return [.view, .sign, .revoke]
        case .viewer: return [.view]
        }
    }

    public func allows(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// Parses `--role`, with a one-line error naming the choices.
    public init(parsing text: String) throws {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw CAError(.invalidInput, "unknown role \"\(text)\"; choose admin, operator or viewer")
        }
        self = role
    }
}

/// One kind of action, checked on every web page and API call (django-ca's model permissions).
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// See CAs, certificates, profiles and the audit log.
    case view
    /// Sign and re-sign certificates.
    case sign
    /// Revoke certificates.
    case revoke
    /// Change a CA's settings (templates, ACME, API access, name).
    case changeAuthority = "change-ca"
}
