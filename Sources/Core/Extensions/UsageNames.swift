import SwiftASN1
import X509

// Names for the bits of Key Usage (RFC 5280 §4.2.1.3) and the purposes of Extended Key Usage
// (§4.2.1.12), as django-ca accepts them on its command line, in profiles and in its API.
//
// KeyUsage ::= BIT STRING {
//      digitalSignature        (0),
//      nonRepudiation          (1), -- recent editions of X.509 have
//                                   -- renamed this bit to contentCommitment
//      keyEncipherment         (2),
//      dataEncipherment        (3),
//      keyAgreement            (4),
//      keyCertSign             (5),
//      cRLSign                 (6),
//      encipherOnly            (7),
//      decipherOnly            (8) }
//
// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
// KeyPurposeId ::= OBJECT IDENTIFIER
//
// Every name is matched without regard to case, `_`, `-` and spaces, so the camelCase names
// (`keyCertSign`), the snake_case names of django-ca 2.x profiles (`key_cert_sign`) and the long
// names OpenSSL prints (`Certificate Sign`) are all accepted.

/// Folds a usage name to the form names are compared in.
private func foldedUsageName(_ name: String) -> String {
    name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " }
}

/// Every accepted spelling of every case, folded, built once: names are looked up for every certificate.
private func foldedNameTable<Name: CaseIterable>(_ spellings: (Name) -> [String]) -> [String: Name] {
    var table: [String: Name] = [:]
    for candidate in Name.allCases {
        // The first case to claim a spelling keeps it.
        for spelling in spellings(candidate) where table[foldedUsageName(spelling)] == nil {
            table[foldedUsageName(spelling)] = candidate
        }
    }
    return table
}

/// A bit of the Key Usage extension, named as django-ca names it.
public enum KeyUsageName: String, CaseIterable, Sendable {
    case digitalSignature
    case nonRepudiation
    case keyEncipherment
    case dataEncipherment
    case keyAgreement
    case keyCertSign
    case cRLSign
    case encipherOnly
    case decipherOnly

    private static let byFoldedName = foldedNameTable { (name: KeyUsageName) in [name.rawValue] + name.aliases }

    /// Spellings accepted besides the canonical name and its snake_case form.
    private var aliases: [String] {
        switch self {
        case .digitalSignature: return []
        case .nonRepudiation: return ["contentCommitment"]
        case .keyEncipherment: return []
        case .dataEncipherment: return []
        case .keyAgreement: return []
        case .keyCertSign: return ["Certificate Sign"]
        case .cRLSign: return []
        case .encipherOnly: return []
        case .decipherOnly: return []
        }
    }

    /// Looks a name up.
    ///
    /// - Throws: `CAError(.invalidInput)` listing the valid names.
    public init(parsing name: String) throws {
        if let match = Self.byFoldedName[foldedUsageName(ExtensionText.trimmed(name))] {
            self = match
            return
        }
        let valid = Self.allCases.map(\.rawValue).joined(separator: ", ")
        throw CAError(.invalidInput, "Unknown key usage \"\(name)\"; valid key usages are \(valid).")
    }

    /// Whether `keyUsage` has this bit set.
    public func isSet(in keyUsage: KeyUsage) -> Bool {
        switch self {
        case .digitalSignature: return keyUsage.digitalSignature
        case .nonRepudiation: return keyUsage.nonRepudiation
        case .keyEncipherment: return keyUsage.keyEncipherment
        case .dataEncipherment: return keyUsage.dataEncipherment
        case .keyAgreement: return keyUsage.keyAgreement
        case .keyCertSign: return keyUsage.keyCertSign
        case .cRLSign: return keyUsage.cRLSign
        case .encipherOnly: return keyUsage.encipherOnly
        case .decipherOnly: return keyUsage.decipherOnly
        }
    }

    private func set(in keyUsage: inout KeyUsage) {
        switch self {
        case .digitalSignature: keyUsage.digitalSignature = true
        case .nonRepudiation: keyUsage.nonRepudiation = true
        case .keyEncipherment: keyUsage.keyEncipherment = true
        case .dataEncipherment: keyUsage.dataEncipherment = true
        case .keyAgreement: keyUsage.keyAgreement = true
        case .keyCertSign: keyUsage.keyCertSign = true
        case .cRLSign: keyUsage.cRLSign = true
        case .encipherOnly: keyUsage.encipherOnly = true
        case .decipherOnly: keyUsage.decipherOnly = true
        }
    }

    /// Builds a Key Usage value from names such as `["keyCertSign", "cRLSign"]`.
    ///
    /// - Throws: `CAError(.invalidInput)` for an unknown name, an empty list (RFC 5280 requires at
    ///   least one bit), or `encipherOnly`/`decipherOnly` without `keyAgreement` (they only
    ///   qualify key agreement, and django-ca refuses them too).
    public static func keyUsage(from names: [String]) throws -> KeyUsage {
        guard !names.isEmpty else {
            throw CAError(.invalidInput, "Key usage needs at least one usage.")
        }
        var keyUsage = KeyUsage()
        for name in names {
            try KeyUsageName(parsing: name).set(in: &keyUsage)
        }
        if (keyUsage.encipherOnly || keyUsage.decipherOnly) && !keyUsage.keyAgreement {
            throw CAError(.invalidInput, "encipherOnly and decipherOnly require keyAgreement.")
        }
        return keyUsage
    }

    /// The canonical names of the bits set in `keyUsage`, in bit order.
    public static func names(of keyUsage: KeyUsage) -> [String] {
        allCases.filter { $0.isSet(in: keyUsage) }.map(\.rawValue)
    }
}

/// A purpose of the Extended Key Usage extension, named as django-ca names it.
///
/// Any purpose without a name is given as its dotted OID instead.
public enum ExtendedKeyUsageName: String, CaseIterable, Sendable {
    case serverAuth
    case clientAuth
    case codeSigning
    case emailProtection
    case timeStamping
    case ocspSigning = "OCSPSigning"
    case anyExtendedKeyUsage
    case smartcardLogon
    case msKDC
    case ipsecEndSystem
    case ipsecTunnel
    case ipsecUser
    case ipsecIKE
    case certificateTransparency
    case bundleSecurity
    case mdlDS
    case mdlJWS

    /// The purpose's OID.
    public var oid: ASN1ObjectIdentifier {
        switch self {
        case .serverAuth: return [1, 3, 6, 1, 5, 5, 7, 3, 1]
        case .clientAuth: return [1, 3, 6, 1, 5, 5, 7, 3, 2]
        case .codeSigning: return [1, 3, 6, 1, 5, 5, 7, 3, 3]
        case .emailProtection: return [1, 3, 6, 1, 5, 5, 7, 3, 4]
        case .ipsecEndSystem: return [1, 3, 6, 1, 5, 5, 7, 3, 5]
        case .ipsecTunnel: return [1, 3, 6, 1, 5, 5, 7, 3, 6]
        case .ipsecUser: return [1, 3, 6, 1, 5, 5, 7, 3, 7]
        case .timeStamping: return [1, 3, 6, 1, 5, 5, 7, 3, 8]
        case .ocspSigning: return [1, 3, 6, 1, 5, 5, 7, 3, 9]
        case .ipsecIKE: return [1, 3, 6, 1, 5, 5, 7, 3, 17]
        // id-kp-bundleSecurity, RFC 9174 (DTN bundle security).
        case .bundleSecurity: return [1, 3, 6, 1, 5, 5, 7, 3, 35]
        case .anyExtendedKeyUsage: return [2, 5, 29, 37, 0]
        case .smartcardLogon: return [1, 3, 6, 1, 4, 1, 311, 20, 2, 2]
        // id-pkinit-KPKdc, RFC 4556.
        case .msKDC: return [1, 3, 6, 1, 5, 2, 3, 5]
        case .certificateTransparency: return [1, 3, 6, 1, 4, 1, 11129, 2, 4, 4]
        // ISO/IEC 18013-5 mobile driving licence: document signer and JWS signer.
        case .mdlDS: return [1, 0, 18013, 5, 1, 2]
        case .mdlJWS: return [1, 0, 18013, 5, 1, 3]
        }
    }

    /// The swift-certificates value for this purpose.
    public var usage: ExtendedKeyUsage.Usage {
        ExtendedKeyUsage.Usage(oid: oid)
    }

    private static let byFoldedName = foldedNameTable { (name: ExtendedKeyUsageName) in [name.rawValue] + name.aliases }

    /// Spellings accepted besides the canonical name and its snake_case form: cryptography's
    /// constant names and OpenSSL's short and long names.
    private var aliases: [String] {
        switch self {
        case .serverAuth: return ["TLS Web Server Authentication"]
        case .clientAuth: return ["TLS Web Client Authentication"]
        case .codeSigning: return []
        case .emailProtection: return []
        case .timeStamping: return []
        case .ocspSigning: return []
        case .anyExtendedKeyUsage: return []
        case .smartcardLogon: return ["msSmartcardLogin", "Microsoft Smartcard Login"]
        case .msKDC: return ["kerberos_pkinit_kdc", "pkInitKDC", "Signing KDC Response"]
        case .ipsecEndSystem: return []
        case .ipsecTunnel: return []
        case .ipsecUser: return []
        case .ipsecIKE: return ["ipsec Internet Key Exchange"]
        case .certificateTransparency: return ["CT Precertificate Signer"]
        case .bundleSecurity: return []
        case .mdlDS: return []
        case .mdlJWS: return []
        }
    }

    /// The named purpose with this OID, if it has a name.
    public init?(oid: ASN1ObjectIdentifier) {
        guard let match = Self.allCases.first(where: { $0.oid == oid }) else {
            return nil
        }
        self = match
    }

    /// Looks a name up; a dotted OID such as `1.3.6.1.5.5.7.3.21` is accepted for any purpose.
    ///
    /// - Throws: `CAError(.invalidInput)` listing the valid names.
    public static func usage(named name: String) throws -> ExtendedKeyUsage.Usage {
        let trimmed = ExtensionText.trimmed(name)
        if trimmed.first?.isNumber == true, let oid = try? ASN1ObjectIdentifier(dotRepresentation: trimmed) {
            return ExtendedKeyUsage.Usage(oid: oid)
        }
        if let match = byFoldedName[foldedUsageName(trimmed)] { return match.usage }
        let valid = allCases.map(\.rawValue).joined(separator: ", ")
        throw CAError(
            .invalidInput,
            "Unknown extended key usage \"\(name)\"; valid extended key usages are \(valid), or a dotted OID."
        )
    }

    /// Builds an Extended Key Usage value from names such as `["serverAuth", "clientAuth"]`.
    /// A purpose given twice (say as `serverAuth` and `server_auth`) is written once.
    ///
    /// - Throws: `CAError(.invalidInput)` for an unknown name or an empty list.
    public static func extendedKeyUsage(from names: [String]) throws -> ExtendedKeyUsage {
        guard !names.isEmpty else {
            throw CAError(.invalidInput, "Extended key usage needs at least one usage.")
        }
        var usages: [ExtendedKeyUsage.Usage] = []
        for name in names {
            let usage = try usage(named: name)
            if !usages.contains(usage) {
                usages.append(usage)
            }
        }
        do {
            return try ExtendedKeyUsage(usages)
        } catch {
            throw CAError(.invalidInput, "Invalid extended key usage: \(error).")
        }
    }

    /// The django-ca name of a purpose, or its dotted OID if it has none.
    public static func name(of usage: ExtendedKeyUsage.Usage) -> String {
        let oid = ASN1ObjectIdentifier(usage)
        return ExtendedKeyUsageName(oid: oid)?.rawValue ?? oid.description
    }

    /// The names of the purposes in `extendedKeyUsage`, in the order they are written.
    public static func names(of extendedKeyUsage: ExtendedKeyUsage) -> [String] {
        extendedKeyUsage.map(name(of:))
    }
}
