import CAAuthority
import CACore
import CAStore
import Foundation
import X509

/// Renders CAs and certificates in the `--output-format`s every view command shares.
enum Presentation {
    /// The shared formatting of `CertificateJSON`, so that text and JSON output show the same times.
    static func dateText(_ date: Date) -> String { CertificateJSON.dateText(date) }

    static func day(_ date: Date) -> String { CertificateJSON.day(date) }

    /// How a certificate is shown, from `CertificateOutputOptions`; the defaults are django-ca's.
    struct Output {
        var serialFormat = SerialFormat.dottedHex
        /// Text: the certificate in PEM at the end (`-n`/`--no-pem` leaves it out).
        var pem = true
        /// Text: the extensions (`--no-extensions` leaves them out).
        var extensions = true
        /// JSON: nil for one line.
        var jsonIndent: Int?
    }

    static func writeCertificate(
        _ certificate: Certificate, chain: [Certificate], format: OutputFormat, bundle: Bool, serial: String,
        output: Presentation.Output, text: () throws -> [String], json: () throws -> [String: Any], to sink: inout OutputSink
    ) throws {
        switch format {
        case .pem:
            for item in [certificate] + (bundle ? chain : []) { sink.line(try item.pemString()) }
        case .der:
            if bundle { throw CAError(.invalidInput, "--bundle needs --output-format pem") }
            sink.bytes(try certificate.derBytes())
        case .serial:
            sink.line(output.serialFormat.format(serial))
        case .text:
            for line in try text() { sink.line(line) }
        case .json:
            var object = try json()
            object["serial"] = output.serialFormat.format(serial)
            sink.line(try JSONText.text(object, style: .python(indent: output.jsonIndent)))
        case .none:
            break
        }
    }

    static func detailLines(_ details: CertificateDetails, output: Output = Output()) -> [String] {
        var lines = [
            "Serial: \(SerialNumberText.colonSeparated(details.serial))",
            "Subject: \(details.subject)",
            "Issuer: \(details.issuer)",
            "Valid from: \(dateText(details.notValidBefore))",
            "Valid until: \(dateText(details.notValidAfter))",
            "Public key: \(details.publicKey)",
            "Signature algorithm: \(details.signatureAlgorithm)",
        ]
        if output.extensions {
            lines.append("")
            lines.append("Extensions:")
            for entry in details.extensions {
                lines.append("  \(entry.name)\(entry.critical ? " (critical)" : ""):")
                lines.append(contentsOf: entry.value.map { "    \($0)" })
            }
        }
        lines.append("")
        lines.append("Fingerprints:")
        for name in ["SHA-1", "SHA-256", "SHA-384", "SHA-512"] {
            if let value = details.fingerprints[name] { lines.append("  \(name): \(value)") }
        }
        return lines
    }

    static func detailJSON(_ details: CertificateDetails) -> [String: Any] {
        CertificateJSON.detailObject(details)
    }

    static func status(notAfter: Date, revocation: RevocationRecord?, enabled: Bool = true) -> String {
        CertificateJSON.status(notAfter: notAfter, revocation: revocation, enabled: enabled)
    }
}

enum AuthorityPresenter {
    static func write(
        _ record: AuthorityRecord, format: OutputFormat, bundle: Bool, output: Presentation.Output, authority: Authority,
        to sink: inout OutputSink
    ) async throws {
        let certificate = try record.certificate()
        let chain = Array(try await authority.chain(of: record).dropFirst())
        let all = try await authority.authorities()
        let configuration = try record.configurationValue()
        let details = try CertificateDetails(certificate)
        let parent = all.first { $0.serial == record.parentSerial }
        let children = all.filter { $0.parentSerial == record.serial }
        let reference = KeyReference(backend: record.keyBackend, location: record.keyLocation)
        let pathLength: String = {
            guard let constraints = try? certificate.extensions.basicConstraints,
                case .isCertificateAuthority(let maximum) = constraints
            else { return "not a CA" }
            return maximum.map(String.init) ?? "unlimited"
        }()
        let templates = configuration.signTemplates
        let templateLines: [(String, [String])] = [
            ("OCSP responders", templates.ocspResponders), ("CA issuers", templates.caIssuers),
            ("CRL distribution points\(templates.crlDistributionPointsCritical ? " (critical)" : "")", templates.crlFullNames),
            ("Certificate policies\(templates.certificatePoliciesCritical ? " (critical)" : "")",
             templates.policies.map { policy in
                 ([policy.identifier] + policy.practiceStatements.map { "CPS: \($0)" }
                     + policy.userNotices.map { "User notice: \($0)" }).joined(separator: ", ")
             }),
            ("Issuer alternative names", templates.issuerAlternativeNames),
        ]
        try Presentation.writeCertificate(
            certificate, chain: chain, format: format, bundle: bundle, serial: record.serial, output: output,
            text: {
                var lines = [
                    "Name: \(record.name)",
                    "Enabled: \(record.enabled ? "Yes" : "No")",
                    "Status: \(Presentation.status(notAfter: record.notAfter, revocation: record.revocation, enabled: record.enabled))",
                    "Path length: \(pathLength)",
                    "Parent: \(parent.map { "\($0.name) (\(SerialNumberText.colonSeparated($0.serial)))" } ?? "none (root CA)")",
                ]
                lines.append("Children: " + (children.isEmpty ? "none" : children.map(\.name).joined(separator: ", ")))
                lines.append("Key storage: \(authority.describeKey(reference))")
                lines.append("REST API: \(configuration.apiEnabled == true ? "enabled" : "disabled")")
                let settings = authority.settings.ocsp
                lines.append("OCSP responder certificates: \(configuration.ocspResponderKeyValidityDays ?? settings.responderCertificateDays) days")
                lines.append("OCSP responses: \(configuration.ocspResponseValiditySeconds ?? Int(settings.responseValidity)) seconds")
                lines.append("OCSP: " + (configuration.ocspEnabled == false ? "off (edit-ca --ocsp turns it on)" : "on"))
                lines.append("OCSP responder keys: \(authority.describeResponderKeyBackend(configuration.ocspKeyBackend))")
                lines.append("CRL shards: " + (configuration.crlShards.map { "\($0) (crl/<serial>/shard/0/ to \($0 - 1)/)" } ?? "none"))
                lines.append("Delta CRLs: " + (configuration.crlDeltas == true ? "on (delta/ next to each complete CRL)" : "off"))
                if let website = configuration.website { lines.append("Website: \(website)") }
                lines.append(contentsOf: Presentation.detailLines(details, output: output))
                lines.append("")
                lines.append("Extensions for signed certificates:")
                for (title, values) in templateLines where !values.isEmpty {
                    lines.append("  \(title):")
                    lines.append(contentsOf: values.map { "    \($0)" })
                }
                if templateLines.allSatisfy({ $0.1.isEmpty }) { lines.append("  none") }
                if output.pem {
                    lines.append("")
                    lines.append(details.pem)
                }
                return lines
            },
            json: {
                var object = Presentation.detailJSON(details)
                object["name"] = record.name
                object["enabled"] = record.enabled
                object["status"] = Presentation.status(notAfter: record.notAfter, revocation: record.revocation, enabled: record.enabled)
                object["parent"] = record.parentSerial.map(SerialNumberText.colonSeparated) ?? NSNull()
                object["children"] = children.map { SerialNumberText.colonSeparated($0.serial) }
                object["path_length"] = pathLength
                object["key_storage"] = authority.describeKey(reference)
                object["ocsp_responder_key_validity"] = configuration.ocspResponderKeyValidityDays
                    ?? authority.settings.ocsp.responderCertificateDays
                object["ocsp_response_validity"] = configuration.ocspResponseValiditySeconds ?? Int(authority.settings.ocsp.responseValidity)
                object["ocsp_key_backend"] = configuration.ocspKeyBackend ?? "default"
                object["ocsp_enabled"] = configuration.ocspEnabled ?? true
                object["crl_shards"] = configuration.crlShards ?? 0
                object["crl_deltas"] = configuration.crlDeltas ?? false
                let encoded = try JSONEncoder().encode(templates)
                object["sign_templates"] = try JSONSerialization.jsonObject(with: encoded)
                return object
            },
            to: &sink)
    }
}

enum CertificatePresenter {
    static func write(
        _ record: CertificateRecord, format: OutputFormat, bundle: Bool, output: Presentation.Output, authority: Authority,
        to sink: inout OutputSink
    ) async throws {
        let certificate = try record.certificate()
        let issuerRecord = try await authority.resolveAuthority(record.authoritySerial)
        let chain = try await authority.chain(of: issuerRecord)
        let watchers = try await authority.watchers(of: record)
        let details = try CertificateDetails(certificate)
        let status = Presentation.status(notAfter: record.notAfter, revocation: record.revocation)
        try Presentation.writeCertificate(
            certificate, chain: chain, format: format, bundle: bundle, serial: record.serial, output: output,
            text: {
                var lines = [
                    "Common name: \(record.commonName.isEmpty ? "(none)" : record.commonName)",
                    "Status: \(status)",
                    "CA: \(issuerRecord.name) (\(SerialNumberText.colonSeparated(issuerRecord.serial)))",
                    "Profile: \(record.profile.isEmpty ? "(imported)" : record.profile)",
                    "Watchers: \(watchers.isEmpty ? "none" : watchers.joined(separator: ", "))",
                ]
                if let compromised = record.revocation?.compromisedAt {
                    lines.append("Compromised: \(Presentation.dateText(compromised))")
                }
                lines.append(contentsOf: Presentation.detailLines(details, output: output))
                if output.pem {
                    lines.append("")
                    lines.append(details.pem)
                }
                return lines
            },
            json: { CertificateJSON.object(record, details: details, issuer: issuerRecord, watchers: watchers) },
            to: &sink)
    }
}
