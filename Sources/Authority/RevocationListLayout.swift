import CACore
import CAStore
import Foundation
import X509

/// How a CA publishes its CRLs beyond the complete ones of CA_CRL_PROFILES: partitions (shards) of the CRL of
/// end-entity certificates, and delta CRLs next to the complete ones. What `init-ca`/`edit-ca --crl-shards` and
/// `--crl-deltas` change; nil fields stay as they are.
public struct RevocationListLayoutChanges: Sendable, Equatable {
    /// 0 turns shards off (allowed only while no certificate was issued into one).
    public var shards: Int?
    public var deltas: Bool?

    public init(shards: Int? = nil, deltas: Bool? = nil) {
        self.shards = shards
        self.deltas = deltas
    }

    public var isEmpty: Bool { shards == nil && deltas == nil }

    /// More shards than this would make the CRL Distribution Points of a certificate one of too many URLs to
    /// pre-fetch, which is the point of sharding a CRL.
    public static let maximumShards = 1_024
}

/// The shard a certificate belongs to and the URLs of shard and delta CRLs.
public enum RevocationListLayout {
    /// The shard of a serial among `count`: its last eight bytes read as an unsigned number, modulo `count`.
    /// Serials are random, so shards fill evenly; the choice is kept with the certificate, so that adding shards
    /// later never moves a certificate away from the URL it names.
    public static func shard(of serial: Certificate.SerialNumber, count: Int) -> Int {
        var value: UInt64 = 0
        for byte in serial.bytes.suffix(8) { value = value << 8 | UInt64(byte) }
        return Int(value % UInt64(count))
    }

    /// Where the server publishes the CA's CRLs; nil when the CA has no default hostname to build URLs from.
    static func urls(for authority: AuthorityRecord, urlPath: String) throws -> URLLayout? {
        try authority.configurationValue().defaultHostname.map { URLLayout(hostname: $0, urlPath: urlPath) }
    }
}

extension Authority {
    /// Applies layout changes to a CA's configuration, refusing what would break certificates already issued.
    ///
    /// - Parameter authority: The CA as stored; nil for a CA being created, which has issued nothing.
    func applying(
        _ changes: RevocationListLayoutChanges, to configuration: AuthorityConfiguration, authority: AuthorityRecord?
    ) async throws -> AuthorityConfiguration {
        var result = configuration
        let name = authority.map { "CA \"\($0.name)\"" } ?? "the CA"
        if let shards = changes.shards {
            guard (0...RevocationListLayoutChanges.maximumShards).contains(shards) else {
                throw CAError(.invalidInput, "--crl-shards must be between 0 (none) and \(RevocationListLayoutChanges.maximumShards)")
            }
            let current = configuration.crlShards ?? 0
            if shards < current, let authority,
                let highest = try await store.read({ try await $0.highestCRLShard(authority: authority.serial) })
            {
                throw CAError(
                    .invalidInput,
                    "\(name) has \(current) CRL shards and issued certificates into shard \(highest) and others; their CRL "
                        + "Distribution Points name those shards' URLs, so it cannot have fewer than \(current)")
            }
            result.crlShards = shards == 0 ? nil : shards
        }
        if let deltas = changes.deltas { result.crlDeltas = deltas ? true : nil }
        if (result.crlShards != nil || result.crlDeltas == true), result.defaultHostname == nil {
            throw CAError(
                .invalidInput,
                "\(name) has no default hostname, which the URLs of CRL shards and delta CRLs are made from; "
                    + "give --default-hostname (or set CA_DEFAULT_HOSTNAME) when creating it")
        }
        return result
    }
}
