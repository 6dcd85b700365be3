import CAAuthority
import CACore
import CAStore
import Foundation

/// The MAC keys of External Account Binding (RFC 8555 §7.3.4), handed to an operator by `acme-eab create`
/// and given by the operator to one ACME client.
public enum ExternalAccountKeys {
    /// Creates a key, for one CA (`authority`, resolved like `--ca`) or for every CA when nil.
    public static func create(_ authority: Authority, for identifier: String?, comment: String) async throws -> ACMEExternalAccountKeyRecord {
        var serial: String?
        if let identifier { serial = try await authority.resolveAuthority(identifier).serial }
        // 256 bits: the HS256 key size the RFC's examples and common clients use.
        let record = ACMEExternalAccountKeyRecord(
            keyID: "kid-" + ACMEService.randomToken(), authoritySerial: serial, macKey: ACMEService.randomToken(bytes: 32), comment: comment,
            accountID: nil, createdAt: Date())
        try await authority.store.write { try await $0.insertExternalAccountKey(record) }
        return record
    }

    public static func list(_ authority: Authority) async throws -> [ACMEExternalAccountKeyRecord] {
        try await authority.store.read { try await $0.externalAccountKeys() }
    }
}
