import ArgumentParser
import CAAuthority
import CACore
import Foundation

enum CRLEncoding: String, ExpressibleByArgument, CaseIterable {
    case pem = "PEM", der = "DER", asn1 = "ASN1"

    init?(argument: String) {
        guard let value = Self(rawValue: argument.uppercased()) else { return nil }
        self = value
    }
}

struct DumpCRL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-crl", abstract: "Write a signed CRL of a CA's revoked certificates.", aliases: ["dump_crl"])

    @Argument(help: "File to write; - for standard output.") var path: String = "-"
    @Option(help: "Serial, CN or name of the CA (default: CA_DEFAULT_CA or the usable CA that expires last).") var ca: String?
    @Option(name: [.short, .long], help: "Seconds until nextUpdate (default: 86400; for --delta, CA_DELTA_CRL_EXPIRES).")
    var expires: Int?
    @Option(name: [.short, .long], help: "PEM or DER (ASN1 is DER).") var format: CRLEncoding = .pem
    @Option(help: "Signature hash: SHA-256, SHA-384 or SHA-512 (default: the CA's).") var algorithm: String?
    @Flag(help: "Only certificates of child CAs (critical Issuing Distribution Point).") var onlyContainsCaCerts = false
    @Flag(help: "Only end-entity certificates (critical Issuing Distribution Point).") var onlyContainsUserCerts = false
    @Option(help: "Only certificates revoked for this reason (repeatable).") var onlySomeReasons: [String] = []
    @Option(help: ArgumentHelp("Only shard K of a CA with --crl-shards (its end-entity certificates of that partition).", valueName: "K"))
    var shard: Int?
    @Flag(help: "The delta CRL on the stored complete CRL of this scope (a CA with --crl-deltas).") var delta = false
    @Option(help: "Password of the CA's key.") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @Flag(help: "Print no progress (shown on a terminal for CRLs that take over a second).") var quiet = false
    @OptionGroup var pins: TokenPINOptions

    func run() async throws {
        try await CommandRunner.run(tokenPINs: pins) { authority in
            let expires = expires ?? (delta ? Int(authority.settings.deltaCRLExpires) : 86_400)
            guard expires > 0 else { throw CAError(.invalidInput, "--expires must be a positive number of seconds") }
            var request = RevocationListRequest()
            switch (onlyContainsCaCerts, onlyContainsUserCerts) {
            case (true, true):
                throw CAError(.invalidInput, "give either --only-contains-ca-certs or --only-contains-user-certs, not both")
            case (true, false): request.scope = .caCertificates
            case (false, true): request.scope = .userCertificates
            case (false, false): request.scope = .all
            }
            request.validity = TimeInterval(expires)
            request.hash = try algorithm.map(SignatureHash.init(name:))
            if !onlySomeReasons.isEmpty { request.onlySomeReasons = try onlySomeReasons.map(RevocationReason.init(name:)) }
            if let shard {
                guard !onlyContainsCaCerts, onlySomeReasons.isEmpty, !delta else {
                    throw CAError(.invalidInput, "--shard takes no --only-contains-ca-certs, --only-some-reasons or --delta: a shard lists every revoked end-entity certificate of its partition")
                }
                request.scope = .userCertificates
                request.shard = shard
            }
            request.delta = delta
            let progress = ProgressLine(label: "dump-crl", unit: "entries", enabled: !quiet)
            let crl = try await authority.makeRevocationList(authority: ca, request: request, password: try passwordFile.password(or: password)) {
                progress.update($0)
            }.der
            progress.finish()
            // Written without intermediate copies: a CRL over a million certificates is tens of megabytes.
            let output = try StreamingOutput(path: path == "-" ? nil : path)
            if format == .pem {
                output.write(Array(CRLBuilder.pem(crl).utf8))
            } else {
                output.write(crl)
            }
        }
    }
}

struct DumpOCSPIndex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-ocsp-index",
        abstract: "Write OpenSSL's index.txt of a CA's certificates, for `openssl ocsp -index`.", aliases: ["dump_ocsp_index"])

    @Argument(help: "File to write; - for standard output.") var path: String = "-"
    @Option(help: "Serial, CN or name of the CA (default: CA_DEFAULT_CA or the usable CA that expires last).") var ca: String?

    func run() async throws {
        try await CommandRunner.run { authority in
            let output = try StreamingOutput(path: path == "-" ? nil : path)
            try await authority.writeOCSPIndex(authority: ca) { output.line($0) }
            output.flush()
        }
    }
}

struct RevokeCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-ca", abstract: "Revoke a CA; its parent's CRLs and OCSP responder then report it.",
        aliases: ["revoke_ca"])

    @Argument(help: "Serial (or unique prefix), CN or name of the CA.") var ca: String
    @OptionGroup var revocation: RevocationOptions

    func run() async throws {
        try await CommandRunner.run { authority in
            let (reason, compromisedAt) = try revocation.parsed()
            let record = try await authority.revokeAuthority(ca, reason: reason, compromisedAt: compromisedAt)
            print(RevocationOptions.confirmation(serial: record.serial, name: record.name, reason: reason))
        }
    }
}
