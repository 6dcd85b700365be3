import CACore

/// The user a request acts for, once authenticated.
public struct Identity: Sendable, Equatable {
    public var name: String
    public var role: Role

    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// Throws the 403 error when the role lacks `permission`.
    public func require(_ permission: Permission) throws {
        guard role.allows(permission) else {
            throw CAError(.forbidden, "user \"\(name)\" (\(role.rawValue)) may not \(permission.phrase)")
        }
    }

    public func allows(_ permission: Permission) -> Bool { role.allows(permission) }
}

extension Permission {
    var phrase: String {
        switch self {
        case .view: return "view certificates"
        case .sign: return "sign certificates"
        case .revoke: return "revoke certificates"
        case .changeAuthority: return "change CA settings"
        }
    }
}
