import CAAccess
import CAAuthority
import CACore
import CAStore
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/ssh/{CA}/sign/`: what `sign-ssh-cert` takes, as JSON.
struct SSHSignBody: Decodable {
    var publicKey: String
    var type: String
    var principals: [String]
    var keyID: String?
    var validAfter: String?
    var validBefore: String?
    var expires: Int?
    /// Name to value (`{"force-command": "/usr/bin/uptime", "verify-required": ""}`).
    var criticalOptions: [String: String]?
    var extensions: [String]?
    /// false: no ssh-keygen default permit-* extensions on a user certificate.
    var defaultExtensions: Bool?
    var watchers: [String]?

    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key", type, principals, keyID = "key_id", validAfter = "valid_after", validBefore = "valid_before"
        case expires, criticalOptions = "critical_options", extensions, defaultExtensions = "default_extensions", watchers
    }

    func request() throws -> SSHSigningRequest {
        var request = SSHSigningRequest(publicKey: publicKey, type: try SSHCertificateType(name: type), principals: principals)
        request.keyID = keyID
        request.validAfter = try validAfter.map { try SSHValidityTime.parse($0, option: "valid_after") }
        request.validBefore = try validBefore.map { try SSHValidityTime.parse($0, option: "valid_before") }
        request.expiresDays = expires
        request.criticalOptions = (criticalOptions ?? [:]).sorted(by: { $0.key < $1.key }).map { $0.value.isEmpty ? $0.key : "\($0.key)=\($0.value)" }
        request.extensions = extensions ?? []
        request.noDefaultExtensions = defaultExtensions == false
        request.watchers = watchers ?? []
        return request
    }
}

extension RESTAPI {
    /// An OpenSSH CA the API may use: `--api-enable` given; others do not exist for the API.
    func visibleSSHAuthority(_ name: String) async throws -> SSHAuthorityRecord {
        guard let record = try await authority.sshAuthorities().first(where: { $0.name == name }), record.apiEnabled else {
            throw CAError(.notFound, "no OpenSSH CA named \"\(name)\" is available through the API")
        }
        return record
    }

    func handleSSH(_ route: APIRoute, body: [UInt8]) async throws -> Response {
        switch route {
        case .sshAuthorities:
            let visible = try await authority.sshAuthorities().filter(\.apiEnabled)
            return APIResponse.json(try visible.map { record in
                ["name": record.name, "fingerprint": record.fingerprint, "public_key": try authority.sshPublicKeyText(record),
                 "created": TimeText.iso(record.createdAt)] as [String: Any]
            })
        case .sshSign(let name):
            let ca = try await visibleSSHAuthority(name)
            let request = try APIBody.decode(SSHSignBody.self, from: body).request()
            let issued = try await authority.signSSHCertificate(request, authority: ca.name)
            let view = SSHCertificateView(record: issued.record, certificate: issued.certificate, authority: ca, watchers: request.watchers)
            return APIResponse.json(Self.representation(view), status: .created)
        case .sshCertificates(let name):
            let ca = try await visibleSSHAuthority(name)
            return APIResponse.json(try await authority.listSSHCertificates(authority: ca.name).map { record, authority in
                Self.summary(record, authority: authority)
            })
        case .sshCertificate(let name, let serial):
            let ca = try await visibleSSHAuthority(name)
            return APIResponse.json(Self.representation(try await authority.sshCertificate(serial: serial, authority: ca.name)))
        case .sshRevoke(let name, let serial):
            let ca = try await visibleSSHAuthority(name)
            let input = body.isEmpty ? RevokeBody() : try APIBody.decode(RevokeBody.self, from: body)
            do {
                _ = try await authority.revokeSSHCertificate(
                    serial: serial, authority: ca.name, reason: try input.revocationReason(), compromisedAt: try input.compromisedAt())
            } catch let error as CAError where error.kind == .conflict {
                throw CAError(.invalidInput, error.message)
            }
            return APIResponse.json(Self.representation(try await authority.sshCertificate(serial: serial, authority: ca.name)))
        default:
            throw CAError(.notFound, "Not Found")
        }
    }

    static func summary(_ record: SSHCertificateRecord, authority: SSHAuthorityRecord) -> [String: Any] {
        [
            "serial": String(record.serial), "type": record.type.name, "key_id": record.keyID, "principals": record.principals,
            "valid_after": TimeText.iso(record.validAfter), "valid_before": record.validBefore.map(TimeText.iso) ?? "forever",
            "revoked": record.revocation != nil, "ca": authority.name,
        ]
    }

    static func representation(_ view: SSHCertificateView) -> [String: Any] {
        var object = summary(view.record, authority: view.authority)
        object["critical_options"] = view.certificate.options.criticalOptions
        object["extensions"] = view.certificate.options.extensions.sorted()
        object["public_key_fingerprint"] = view.record.publicKeyFingerprint
        object["ca_fingerprint"] = view.authority.fingerprint
        object["certificate"] = view.certificate.text(comment: view.record.keyID.replacingOccurrences(of: " ", with: "_"))
        object["revoked_reason"] = view.record.revocation?.reason.rawValue ?? NSNull()
        object["watchers"] = view.watchers
        object["created"] = TimeText.iso(view.record.createdAt)
        return object
    }
}
