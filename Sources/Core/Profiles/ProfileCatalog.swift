/// The profiles in effect: the built-ins with CA_PROFILES merged over them.
public struct ProfileCatalog: Sendable {
    public let profiles: [String: Profile]
    public let defaultProfileName: String

    public init(settings: Settings) throws {
        var profiles = Dictionary(uniqueKeysWithValues: Profile.builtIn.map { ($0.name, $0) })
        for (name, definition) in settings.profileOverrides.sorted(by: { $0.key < $1.key }) {
            if let definition {
                profiles[name] = definition.applied(to: profiles[name], name: name)
            } else {
                profiles[name] = nil
            }
        }
        guard profiles[settings.defaultProfile] != nil else {
            throw CAError(.invalidInput, "CA_DEFAULT_PROFILE \"\(settings.defaultProfile)\" is not a defined profile")
        }
        self.profiles = profiles
        self.defaultProfileName = settings.defaultProfile
    }

    public var names: [String] { profiles.keys.sorted() }

    public func profile(named name: String?) throws -> Profile {
        let wanted = name ?? defaultProfileName
        guard let profile = profiles[wanted] else {
            throw CAError(.invalidInput, "unknown profile \"\(wanted)\"; defined profiles: \(names.joined(separator: ", "))")
        }
        return profile
    }
}
