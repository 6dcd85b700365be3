import SwiftASN1

/// One attribute type a subject may contain, with the rules RFC 5280 sets for its value.
struct SubjectAttributeType: Sendable {
    /// The ASN.1 string type the value is encoded as.
    enum StringEncoding: Sendable {
        /// PrintableString: letters, digits, space and `'()+,-./:=?`.
        case printable
        /// IA5String: 7-bit ASCII.
        case ia5
        /// UTF8String: any Unicode text.
        case utf8
    }

    /// Names accepted in subjects, case-insensitively. The first one is used when formatting.
    let names: [String]
    let objectIdentifier: ASN1ObjectIdentifier
    let encoding: StringEncoding
    /// The largest number of characters allowed (an `ub-*` value of RFC 5280 Appendix A or X.520).
    let maximumLength: Int?
    /// countryName and jurisdictionCountryName hold an ISO 3166 alpha-2 code.
    let isCountryCode: Bool

    var preferredName: String { names[0] }

    init(
        _ names: [String],
        _ objectIdentifier: ASN1ObjectIdentifier,
        _ encoding: StringEncoding = .utf8,
        maximumLength: Int? = nil,
        isCountryCode: Bool = false
    ) {
        self.names = names
        self.objectIdentifier = objectIdentifier
        self.encoding = encoding
        self.maximumLength = maximumLength
        self.isCountryCode = isCountryCode
    }
}

extension SubjectAttributeType {
    /// `ub-name` of RFC 5280, the bound of the X520name types (surname, givenName, ...).
    private static let upperBoundName = 32768

    /// Every attribute type known by name. Encodings follow RFC 5280 (and what Python's
    /// cryptography does for django-ca): country codes, serialNumber and dnQualifier are
    /// PrintableString, emailAddress and domainComponent IA5String, everything else UTF8String.
    static let all: [SubjectAttributeType] = [
        .init(["CN", "commonName"], [2, 5, 4, 3], maximumLength: 64),
        .init(["SN", "surname"], [2, 5, 4, 4], maximumLength: upperBoundName),
        .init(["serialNumber"], [2, 5, 4, 5], .printable, maximumLength: 64),
        .init(["C", "countryName"], [2, 5, 4, 6], .printable, isCountryCode: true),
        .init(["L", "localityName"], [2, 5, 4, 7], maximumLength: 128),
        .init(["ST", "stateOrProvinceName"], [2, 5, 4, 8], maximumLength: 128),
        .init(["street", "streetAddress"], [2, 5, 4, 9], maximumLength: 128),
        .init(["O", "organizationName"], [2, 5, 4, 10], maximumLength: 64),
        .init(["OU", "organizationalUnitName"], [2, 5, 4, 11], maximumLength: 64),
        .init(["title"], [2, 5, 4, 12], maximumLength: 64),
        .init(["businessCategory"], [2, 5, 4, 15], maximumLength: 128),
        .init(["postalCode"], [2, 5, 4, 17], maximumLength: 40),
        .init(["name"], [2, 5, 4, 41], maximumLength: upperBoundName),
        .init(["GN", "givenName"], [2, 5, 4, 42], maximumLength: upperBoundName),
        .init(["initials"], [2, 5, 4, 43], maximumLength: upperBoundName),
        .init(["generationQualifier"], [2, 5, 4, 44], maximumLength: upperBoundName),
        .init(["x500UniqueIdentifier"], [2, 5, 4, 45]),
        .init(["dnQualifier"], [2, 5, 4, 46], .printable),
        .init(["pseudonym"], [2, 5, 4, 65], maximumLength: 128),
        .init(["organizationIdentifier"], [2, 5, 4, 97]),
        .init(["UID", "userId"], [0, 9, 2342, 19_200_300, 100, 1, 1]),
        .init(["DC", "domainComponent"], [0, 9, 2342, 19_200_300, 100, 1, 25], .ia5),
        .init(["emailAddress"], [1, 2, 840, 113_549, 1, 9, 1], .ia5, maximumLength: 255),
        .init(["unstructuredName"], [1, 2, 840, 113_549, 1, 9, 2]),
        .init(["jurisdictionLocalityName"], [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 1], maximumLength: 128),
        .init(["jurisdictionStateOrProvinceName"], [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 2], maximumLength: 128),
        .init(["jurisdictionCountryName"], [1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3], .printable, isCountryCode: true),
        .init(["inn"], [1, 2, 643, 3, 131, 1, 1]),
        .init(["ogrn"], [1, 2, 643, 100, 1]),
        .init(["snils"], [1, 2, 643, 100, 3]),
    ]

    private static let byLowercasedName: [String: SubjectAttributeType] = {
        var table: [String: SubjectAttributeType] = [:]
        for type in all {
            for name in type.names {
                precondition(table[name.lowercased()] == nil, "duplicate subject attribute name \(name)")
                table[name.lowercased()] = type
            }
        }
        return table
    }()

    private static let byObjectIdentifier: [ASN1ObjectIdentifier: SubjectAttributeType] = {
        Dictionary(uniqueKeysWithValues: all.map { ($0.objectIdentifier, $0) })
    }()

    static func named(_ name: some StringProtocol) -> SubjectAttributeType? {
        byLowercasedName[name.lowercased()]
    }

    static func identified(by objectIdentifier: ASN1ObjectIdentifier) -> SubjectAttributeType? {
        byObjectIdentifier[objectIdentifier]
    }
}
