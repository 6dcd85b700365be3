import SwiftASN1

// RFC 5280 §4.2.1.13:
//
// ReasonFlags ::= BIT STRING {
//      unused                  (0),
//      keyCompromise           (1),
//      cACompromise            (2),
//      affiliationChanged      (3),
//      superseded              (4),
//      cessationOfOperation    (5),
//      certificateHold         (6),
//      privilegeWithdrawn      (7),
//      aACompromise            (8) }

/// The revocation reasons a CRL distribution point covers.
///
/// Bit *n* of the named BIT STRING is stored as `1 << n` in ``rawValue``.
public struct ReasonFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let unused = ReasonFlags(rawValue: 1 << 0)
    public static let keyCompromise = ReasonFlags(rawValue: 1 << 1)
    public static let cACompromise = ReasonFlags(rawValue: 1 << 2)
    public static let affiliationChanged = ReasonFlags(rawValue: 1 << 3)
    public static let superseded = ReasonFlags(rawValue: 1 << 4)
    public static let cessationOfOperation = ReasonFlags(rawValue: 1 << 5)
    public static let certificateHold = ReasonFlags(rawValue: 1 << 6)
    public static let privilegeWithdrawn = ReasonFlags(rawValue: 1 << 7)
    public static let aACompromise = ReasonFlags(rawValue: 1 << 8)

    /// Every named flag with the name RFC 5280 gives it, in bit order.
    static let namedFlags: [(name: String, flag: ReasonFlags)] = [
        ("unused", .unused),
        ("keyCompromise", .keyCompromise),
        ("cACompromise", .cACompromise),
        ("affiliationChanged", .affiliationChanged),
        ("superseded", .superseded),
        ("cessationOfOperation", .cessationOfOperation),
        ("certificateHold", .certificateHold),
        ("privilegeWithdrawn", .privilegeWithdrawn),
        ("aACompromise", .aACompromise),
    ]

    /// The RFC 5280 names of the flags that are set, in bit order.
    public var names: [String] {
        Self.namedFlags.filter { contains($0.flag) }.map(\.name)
    }

    /// Builds the flags from RFC 5280 names such as `keyCompromise` (case-insensitive; `_` ignored,
    /// so `key_compromise` works too).
    ///
    /// - Throws: `CAError(.invalidInput)` for a name that is not a reason.
    public init(names: [String]) throws {
        var flags = ReasonFlags()
        for name in names {
            let wanted = Self.normalized(name)
            guard let match = Self.namedFlags.first(where: { Self.normalized($0.name) == wanted }) else {
                let valid = Self.namedFlags.map(\.name).joined(separator: ", ")
                throw CAError(.invalidInput, "Unknown revocation reason \"\(name)\"; valid reasons are \(valid).")
            }
            flags.insert(match.flag)
        }
        self = flags
    }

    private static func normalized(_ name: String) -> String {
        name.lowercased().filter { $0 != "_" && $0 != " " && $0 != "-" }
    }

    /// The highest bit number that has a name; DER readers reject anything above it.
    private static let highestBit = 8
}

extension ReasonFlags: DERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .bitString }

    public init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        let bitString = try ASN1BitString(derEncoded: rootNode, withIdentifier: identifier)
        var raw: UInt16 = 0
        for (byteIndex, byte) in bitString.bytes.enumerated() {
            for bitInByte in 0..<8 where byte & (0x80 >> bitInByte) != 0 {
                let bit = byteIndex * 8 + bitInByte
                guard bit <= Self.highestBit else {
                    throw ASN1Error.invalidASN1Object(reason: "Revocation reason bit \(bit) has no meaning")
                }
                raw |= 1 << bit
            }
        }
        self.init(rawValue: raw)
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        let known = rawValue & ((1 << (Self.highestBit + 1)) - 1)
        guard known == rawValue else {
            throw CAError(.invalidInput, "Revocation reason flags contain undefined bits (\(rawValue)).")
        }
        // DER drops trailing zero bits of a named BIT STRING, so the string ends at the highest set bit.
        guard known != 0 else {
            try ASN1BitString(bytes: []).serialize(into: &coder, withIdentifier: identifier)
            return
        }
        let highestSetBit = 15 - known.leadingZeroBitCount
        var bytes = [UInt8](repeating: 0, count: highestSetBit / 8 + 1)
        for bit in 0...highestSetBit where known & (1 << bit) != 0 {
            bytes[bit / 8] |= 0x80 >> (bit % 8)
        }
        let bitString = ASN1BitString(bytes: bytes[...], paddingBits: 7 - highestSetBit % 8)
        try bitString.serialize(into: &coder, withIdentifier: identifier)
    }
}
