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
        for profile in profiles.values where profile.noRevocationAvailable {
            try Self.checkShortLived(profile, maximumDays: settings.shortLivedMaximumDays)
        }
        guard profiles[settings.defaultProfile] != nil else {
            throw CAError(.invalidInput, "CA_DEFAULT_PROFILE \"\(settings.defaultProfile)\" is not a defined profile")
        }
        self.profiles = profiles
        self.defaultProfileName = settings.defaultProfile
    }

    public var names: [String] { profiles.keys.sorted() }

    /// A profile that claims noRevAvail (RFC 9608) promises that nobody needs to look for revocation: its
    /// certificates carry no CRL or OCSP URL and live no longer than CA_SHORT_LIVED_MAXIMUM_DAYS.
    static func checkShortLived(_ profile: Profile, maximumDays: Int) throws {
        guard !profile.addCRLURL, !profile.addOCSPURL else {
            throw CAError(
                .invalidInput,
                "profile \"\(profile.name)\" claims no_revocation_available but adds CRL or OCSP URLs; set add_crl_url and add_ocsp_url to false")
        }
        guard let days = profile.expiresDays, days <= maximumDays else {
            throw CAError(
                .invalidInput,
                "profile \"\(profile.name)\" claims no_revocation_available, so its \"expires\" must be at most CA_SHORT_LIVED_MAXIMUM_DAYS (\(maximumDays))")
        }
    }

    public func profile(named name: String?) throws -> Profile {
        let wanted = name ?? defaultProfileName
        guard let profile = profiles[wanted] else {
            throw CAError(.invalidInput, "unknown profile \"\(wanted)\"; defined profiles: \(names.joined(separator: ", "))")
        }
        return profile
    }
}
