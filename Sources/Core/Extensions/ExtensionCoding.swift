import SwiftASN1
import X509

// Shared plumbing for the extension types in this folder.
//
// Every extension type reads and writes its value through these helpers so that all of them fail
// the same way: with a `CAError(.invalidInput, …)` whose message names the extension, whatever the
// underlying ASN.1 error was. Callers above CACore then only ever see `CAError`.

/// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
///
/// swift-certificates has the same structure but keeps it internal, so it is repeated here. The
/// SIZE (1..MAX) bound is enforced when writing only: a reader stays lenient so that a certificate
/// from elsewhere can still be displayed.
struct ExtensionGeneralNames: DERImplicitlyTaggable, Hashable, Sendable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var names: [GeneralName]

    init(_ names: [GeneralName]) {
        self.names = names
    }

    init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self.names = try DER.sequence(of: GeneralName.self, identifier: identifier, rootNode: rootNode)
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        guard !names.isEmpty else {
            throw CAError(.invalidInput, "A list of general names must contain at least one name.")
        }
        try coder.serializeSequenceOf(names, identifier: identifier)
    }
}

enum ExtensionCoding {
    /// Throws unless `ext` carries `expected`, so that a caller who mixed up two extensions learns
    /// which one it actually handed over.
    static func requireOID(_ ext: Certificate.Extension, is expected: ASN1ObjectIdentifier, name: String) throws {
        guard ext.oid == expected else {
            throw CAError(.invalidInput, "Expected the \(name) extension (\(expected)), got \(ext.oid).")
        }
    }

    /// Runs `parse` and reports any failure as a `CAError` that names the extension.
    static func decode<Value>(_ name: String, _ parse: () throws -> Value) throws -> Value {
        do {
            return try parse()
        } catch let error as CAError {
            throw CAError(.invalidInput, "The \(name) extension is malformed: \(error.message)")
        } catch {
            throw CAError(.invalidInput, "The \(name) extension is malformed: \(error).")
        }
    }

    /// Serialises `value` as the value of an extension, reporting failures as a `CAError`.
    static func encode(
        _ value: some DERSerializable,
        oid: ASN1ObjectIdentifier,
        critical: Bool,
        name: String
    ) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(value)
        } catch let error as CAError {
            throw CAError(error.kind, "Cannot encode the \(name) extension: \(error.message)")
        } catch {
            throw CAError(.invalidInput, "Cannot encode the \(name) extension: \(error).")
        }
        return Certificate.Extension(oid: oid, critical: critical, value: serializer.serializedBytes[...])
    }

    /// Reads an INTEGER that RFC 5280 declares as `INTEGER (0..MAX)` (SkipCerts and friends).
    static func nonNegative(_ value: Int, field: String) throws -> Int {
        guard value >= 0 else {
            throw CAError(.invalidInput, "\(field) must not be negative, got \(value).")
        }
        return value
    }
}

/// Small text helpers for the extension code. Static functions rather than `String`/`Sequence`
/// extensions so that they cannot clash with helpers elsewhere in CACore.
enum ExtensionText {
    /// Upper-case hex bytes joined by colons, the form OpenSSL and django-ca print key identifiers in.
    static func colonHex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    /// `text` without leading and trailing whitespace (Foundation's `trimmingCharacters` without
    /// importing Foundation).
    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(text[first...last])
    }
}
