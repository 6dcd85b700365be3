// RFC 7517 §4: a JWK is a JSON object whose "kty" member names the key type.
//
// RFC 7518 §6.2.1 (EC public keys): "crv" is "P-256", "P-384" or "P-521"; "x" and "y" are the
// coordinates, and "The length of this octet string MUST be the full size of a coordinate for the
// curve specified in the "crv" parameter."
// RFC 7518 §6.3.1 (RSA public keys): "n" (modulus) and "e" (exponent) are Base64urlUInt values.
// RFC 8037 §2 (OKP keys): "crv" is "Ed25519", "Ed448", "X25519" or "X448"; "x" is the public key.
// RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2: the private members are "d", and for RSA "p", "q", "dp",
// "dq", "qi" and "oth"; RFC 7518 §6.4.1: a symmetric ("oct") key is "k".
//
// RFC 8555 §6.2: the "jwk" header field "MUST contain the public key corresponding to the private key
// used to sign the JWS".

import Crypto
import Foundation
import X509
import _CryptoExtras

/// An account's public key as a JWK: EC P-256 or P-384, RSA of 2048 to 8192 bits, or Ed25519.
///
/// Two keys are equal when their RFC 7638 thumbprint input is, so the same key written with different
/// member order, optional members (`kid`, `use`, `alg`) or a leading zero octet in `n` compares equal.
public struct JSONWebKey: Sendable, Hashable, CustomStringConvertible {
    /// The smallest RSA modulus accepted, as Let's Encrypt and the CA/Browser Forum require.
    public static let minimumRSABits = 2048
    /// The largest RSA modulus accepted: verifying costs grow with the square of the size, and no client
    /// makes larger account keys.
    public static let maximumRSABits = 8192

    enum VerifyingKey: Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    let verifyingKey: VerifyingKey
    /// The members RFC 7638 §3.2 requires for the key type, with canonical values.
    public let members: [String: String]

    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// Reads a public JWK, as found in a JWS header's `jwk` or an external account binding's payload.
    ///
    /// - Throws: `JWSError(.malformed)` for a value that is not a JWK object, lacks a member or has one
    ///   of the wrong type or length, or carries private key members; `JWSError(.badPublicKey)` for a key
    ///   type, curve or RSA size that is not accepted, or numbers that are not a valid key.
    public init(jsonObject: Any) throws(JWSError) {
        guard let object = jsonObject as? [String: Any] else {
            throw JWSError(.malformed, "the JWK is not a JSON object")
        }
        // A client that sends its private key has leaked it; refusing stops it from being stored as an
        // account key and tells the client loudly.
        for member in Self.privateMembers where object[member] != nil {
            throw JWSError(.malformed, "the JWK has the private key member \"\(member)\"; send only the public key")
        }
        let keyType = try JWSParsing.string("kty", in: object, what: "the JWK")
        switch keyType {
        case "EC": self = try Self.ellipticCurveKey(object)
        case "RSA": self = try Self.rsaKey(object)
        case "OKP": self = try Self.octetKeyPairKey(object)
        case "oct": throw JWSError(.badPublicKey, "a symmetric key (kty \"oct\") cannot sign ACME requests")
        default:
            throw JWSError(
                .badPublicKey, "the key type \(JWSParsing.quoted(keyType)) is not supported; use EC, RSA or OKP")
        }
    }

    /// Reads a public JWK from JSON text.
    public init(json: some Collection<UInt8>) throws(JWSError) {
        try self.init(jsonObject: try JWSParsing.object(json: json, what: "the JWK"))
    }

    /// The JWK of a certificate's or CSR's public key.
    ///
    /// - Throws: `JWSError(.badPublicKey)` for key types and sizes a JWK here may not have (P-521, RSA
    ///   outside 2048 to 8192 bits).
    public init(publicKey: Certificate.PublicKey) throws(JWSError) {
        if let key = P256.Signing.PublicKey(publicKey) {
            self.init(p256: key)
        } else if let key = P384.Signing.PublicKey(publicKey) {
            self.init(p384: key)
        } else if let key = Curve25519.Signing.PublicKey(publicKey) {
            self.init(ed25519: key)
        } else if let key = _RSA.Signing.PublicKey(publicKey) {
            let primitives: _RSA.Signing.PublicKey.Primitives
            do {
                primitives = try key.getKeyPrimitives()
            } catch {
                throw JWSError(.badPublicKey, "the RSA key's numbers cannot be read")
            }
            self = try Self.rsaKey(modulus: Array(primitives.modulus), exponent: Array(primitives.publicExponent))
        } else {
            throw JWSError(.badPublicKey, "the key is not EC P-256, EC P-384, RSA or Ed25519")
        }
    }

    public init(p256 key: P256.Signing.PublicKey) {
        let raw = Array(key.rawRepresentation)
        self.init(key: .p256(key), members: Self.ellipticCurveMembers("P-256", raw))
    }

    public init(p384 key: P384.Signing.PublicKey) {
        let raw = Array(key.rawRepresentation)
        self.init(key: .p384(key), members: Self.ellipticCurveMembers("P-384", raw))
    }

    public init(ed25519 key: Curve25519.Signing.PublicKey) {
        self.init(key: .ed25519(key), members: ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(key.rawRepresentation)])
    }

    private init(key: VerifyingKey, members: [String: String]) {
        self.verifyingKey = key
        self.members = members
    }

    /// The key's type and size in swift-ca's terms.
    public var algorithm: KeyAlgorithm {
        switch verifyingKey {
        case .p256: return .ec(.secp256r1)
        case .p384: return .ec(.secp384r1)
        case .rsa(let key): return .rsa(bits: key.keySizeInBits)
        case .ed25519: return .ed25519
        }
    }

    /// The key as swift-certificates holds it, to compare with a certificate's or CSR's key (for
    /// revocation authorized by the certificate key, RFC 8555 §7.6, or to refuse a CSR for the account
    /// key, §11.1).
    public var publicKey: Certificate.PublicKey {
        switch verifyingKey {
        case .p256(let key): return Certificate.PublicKey(key)
        case .p384(let key): return Certificate.PublicKey(key)
        case .rsa(let key): return Certificate.PublicKey(key)
        case .ed25519(let key): return Certificate.PublicKey(key)
        }
    }

    public var description: String { "\(algorithm) JWK \(thumbprint())" }

    public static func == (lhs: JSONWebKey, rhs: JSONWebKey) -> Bool { lhs.members == rhs.members }

    public func hash(into hasher: inout Hasher) { hasher.combine(members) }

    // MARK: - Reading each key type

    private static func ellipticCurveKey(_ object: [String: Any]) throws(JWSError) -> JSONWebKey {
        let curve = try JWSParsing.string("crv", in: object, what: "the EC JWK")
        let coordinateLength: Int
        switch curve {
        case "P-256": coordinateLength = 32
        case "P-384": coordinateLength = 48
        default:
            throw JWSError(.badPublicKey, "the EC curve \(JWSParsing.quoted(curve)) is not supported; use P-256 or P-384")
        }
        let x = try JWSParsing.base64URL("x", in: object, what: "the EC JWK")
        let y = try JWSParsing.base64URL("y", in: object, what: "the EC JWK")
        guard x.count == coordinateLength, y.count == coordinateLength else {
            throw JWSError(
                .malformed, "the coordinates of a \(curve) JWK must be \(coordinateLength) octets each, not \(x.count) and \(y.count)")
        }
        do {
            if coordinateLength == 32 {
                return JSONWebKey(p256: try P256.Signing.PublicKey(rawRepresentation: x + y))
            }
            return JSONWebKey(p384: try P384.Signing.PublicKey(rawRepresentation: x + y))
        } catch {
            throw JWSError(.badPublicKey, "the \(curve) JWK's coordinates are not a point on the curve")
        }
    }

    private static func rsaKey(_ object: [String: Any]) throws(JWSError) -> JSONWebKey {
        let modulus = try JWSParsing.base64URL("n", in: object, what: "the RSA JWK")
        let exponent = try JWSParsing.base64URL("e", in: object, what: "the RSA JWK")
        return try rsaKey(modulus: modulus, exponent: exponent)
    }

    /// RFC 7518 §2 asks for Base64urlUInt values without leading zero octets, but go-jose and others
    /// accept them, so they are tolerated here and left out of ``members``, which keeps the thumbprint
    /// the one the client computes from its key rather than from its JSON.
    private static func rsaKey(modulus: [UInt8], exponent: [UInt8]) throws(JWSError) -> JSONWebKey {
        let modulus = Array(modulus.drop(while: { $0 == 0 }))
        let exponent = Array(exponent.drop(while: { $0 == 0 }))
        let bits = modulus.first.map { modulus.count * 8 - $0.leadingZeroBitCount } ?? 0
        guard bits >= minimumRSABits else {
            throw JWSError(.badPublicKey, "the RSA key has \(bits) bits; at least \(minimumRSABits) are required")
        }
        guard bits <= maximumRSABits else {
            throw JWSError(.badPublicKey, "the RSA key has \(bits) bits; at most \(maximumRSABits) are accepted")
        }
        let key: _RSA.Signing.PublicKey
        do {
            // BoringSSL checks the exponent: odd, greater than 1, at most 33 bits.
            key = try _RSA.Signing.PublicKey(n: modulus, e: exponent)
        } catch {
            throw JWSError(.badPublicKey, "the RSA JWK's modulus and exponent are not a valid RSA public key")
        }
        let members = ["kty": "RSA", "n": Base64URL.encode(modulus), "e": Base64URL.encode(exponent)]
        return JSONWebKey(key: .rsa(key), members: members)
    }

    private static func octetKeyPairKey(_ object: [String: Any]) throws(JWSError) -> JSONWebKey {
        let curve = try JWSParsing.string("crv", in: object, what: "the OKP JWK")
        guard curve == "Ed25519" else {
            throw JWSError(.badPublicKey, "the OKP curve \(JWSParsing.quoted(curve)) is not supported; use Ed25519")
        }
        let x = try JWSParsing.base64URL("x", in: object, what: "the OKP JWK")
        guard x.count == 32 else {
            throw JWSError(.malformed, "an Ed25519 JWK's \"x\" must be 32 octets, not \(x.count)")
        }
        do {
            return JSONWebKey(ed25519: try Curve25519.Signing.PublicKey(rawRepresentation: x))
        } catch {
            throw JWSError(.badPublicKey, "the Ed25519 JWK's \"x\" is not a public key")
        }
    }

    private static func ellipticCurveMembers(_ curve: String, _ raw: [UInt8]) -> [String: String] {
        let half = raw.count / 2
        return ["kty": "EC", "crv": curve, "x": Base64URL.encode(raw[..<half]), "y": Base64URL.encode(raw[half...])]
    }
}
