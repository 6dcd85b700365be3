import SwiftASN1
import X509

/// Turns policies as typed on the command line into the Certificate Policies extension.
public enum CertificatePoliciesTemplate {
    public static let anyPolicy = "2.5.29.32.0"

    public static func make(_ templates: [PolicyTemplate]) throws -> CertificatePolicies {
        CertificatePolicies(try templates.map(policy(from:)))
    }

    static func policy(from template: PolicyTemplate) throws -> PolicyInformation {
        let dotted = template.identifier.lowercased() == "anypolicy" ? anyPolicy : template.identifier
        guard let identifier = try? ASN1ObjectIdentifier(dotRepresentation: dotted), dotted.contains(".") else {
            throw CAError(.invalidInput, "policy identifier \"\(template.identifier)\" is not a dotted OID or anyPolicy")
        }
        var qualifiers: [PolicyQualifier] = []
        for statement in template.practiceStatements {
            guard case .uniformResourceIdentifier = try GeneralNameParser.parse("URI:" + statement) else {
                throw CAError(.invalidInput, "certification practice statement \"\(statement)\" is not a URI")
            }
            qualifiers.append(.cpsURI(statement))
        }
        for notice in template.userNotices {
            guard notice.count <= 200 else {
                throw CAError(.invalidInput, "user notice is longer than the 200 characters RFC 5280 allows")
            }
            qualifiers.append(.userNotice(UserNotice(explicitText: notice)))
        }
        return PolicyInformation(identifier, qualifiers: qualifiers)
    }
}
