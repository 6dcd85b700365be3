import CACore
import CAStore
import Foundation

/// django-ca's `sign_*` columns (one extension model each, already filled in with its hostname and the CA's
/// serial) as swift-ca's `SignTemplates`.
enum DjangoCASignTemplates {
    static let ocspMethod = "1.3.6.1.5.5.7.48.1"
    static let caIssuersMethod = "1.3.6.1.5.5.7.48.2"

    static func templates(of row: DjangoCAAuthorityRow) throws -> (templates: SignTemplates, notes: [String]) {
        var templates = SignTemplates()
        var notes: [String] = []
        if let access = try model(row.signAuthorityInformationAccess, column: "sign_authority_information_access", of: row) {
            for description in access.value as? [[String: Any]] ?? [] {
                guard let location = description["access_location"] as? [String: Any], let uri = uriValue(location) else {
                    notes.append("CA \(row.name): an Authority Information Access entry that is not a URI was left out")
                    continue
                }
                switch description["access_method"] as? String {
                case ocspMethod, "ocsp": templates.ocspResponders.append(uri)
                case caIssuersMethod, "ca_issuers": templates.caIssuers.append(uri)
                default: notes.append("CA \(row.name): an Authority Information Access method other than OCSP and CA issuers was left out")
                }
            }
        }
        if let points = try model(row.signCRLDistributionPoints, column: "sign_crl_distribution_points", of: row) {
            templates.crlDistributionPointsCritical = points.critical
            for point in points.value as? [[String: Any]] ?? [] {
                for name in point["full_name"] as? [[String: Any]] ?? [] {
                    guard let uri = uriValue(name) else {
                        notes.append("CA \(row.name): a CRL distribution point name that is not a URI was left out")
                        continue
                    }
                    templates.crlFullNames.append(uri)
                }
                if ["relative_name", "crl_issuer", "reasons"].contains(where: { point[$0].map { !($0 is NSNull) } ?? false }) {
                    notes.append("CA \(row.name): the relative name, CRL issuer and reasons of its CRL distribution points were left out")
                }
            }
        }
        if let policies = try model(row.signCertificatePolicies, column: "sign_certificate_policies", of: row) {
            templates.certificatePoliciesCritical = policies.critical
            for policy in policies.value as? [[String: Any]] ?? [] {
                guard let identifier = policy["policy_identifier"] as? String else { continue }
                var template = PolicyTemplate(identifier: identifier == "2.5.29.32.0" ? "anyPolicy" : identifier)
                for qualifier in policy["policy_qualifiers"] as? [Any] ?? [] {
                    if let practiceStatement = qualifier as? String {
                        template.practiceStatements.append(practiceStatement)
                    } else if let notice = qualifier as? [String: Any] {
                        if let text = notice["explicit_text"] as? String { template.userNotices.append(text) }
                        if notice["notice_reference"] as? [String: Any] != nil {
                            notes.append("CA \(row.name): the notice reference of a user notice was left out (its explicit text is kept)")
                        }
                    }
                }
                templates.policies.append(template)
            }
        }
        if let names = try model(row.signIssuerAlternativeName, column: "sign_issuer_alternative_name", of: row) {
            for name in names.value as? [[String: Any]] ?? [] {
                guard let type = name["type"] as? String, let value = name["value"] as? String,
                    ["DNS", "URI", "email", "IP", "RID"].contains(type)
                else {
                    notes.append("CA \(row.name): an issuer alternative name of a kind swift-ca's templates do not keep was left out")
                    continue
                }
                templates.issuerAlternativeNames.append("\(type):\(value)")
            }
        }
        return (templates, notes)
    }

    struct ExtensionModel {
        var critical: Bool
        var value: Any
    }

    static func model(_ json: String?, column: String, of row: DjangoCAAuthorityRow) throws -> ExtensionModel? {
        guard let json, json != "null" else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw CAError(.invalidInput, "CA \(row.name): django-ca's \(column) is not a JSON object")
        }
        return ExtensionModel(critical: object["critical"] as? Bool ?? false, value: object["value"] ?? [])
    }

    static func uriValue(_ name: [String: Any]) -> String? {
        guard name["type"] as? String == "URI" else { return nil }
        return name["value"] as? String
    }
}
